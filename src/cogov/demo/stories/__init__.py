"""The seeds' stories (DOMAIN.md), each a ``play(app, district)`` that goes through the public
commands and returns the facts the tests check:

* :mod:`~cogov.demo.stories.bridge` — 渡河村's bridge: a council, cost shared with 白羊社区,
  以奖代补;
* :mod:`~cogov.demo.stories.guoshui` — 国税小区: a 5-member 自管委, 6 residents' meetings;
* :mod:`~cogov.demo.stories.tanhualin` — 昙华林: the quiet convention and nightly patrols;
* :mod:`~cogov.demo.stories.gas` — 枪杆刘: gas to 96 households in two months;
* :mod:`~cogov.demo.stories.canteen` — 师庄村: a canteen built in two weeks;
* :mod:`~cogov.demo.stories.jiyuan` — 济源: dispatches to 住建, 民政, 公安, a 退单 and a 催办;
* :mod:`~cogov.demo.stories.datang` — 大塘村: evening talks turn an idle plot into a square;
* :mod:`~cogov.demo.stories.duanmu` — 段墓社区: a road reopened, progress reported monthly.
"""
