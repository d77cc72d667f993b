"""The demo district: the seeds' stories (DOMAIN.md) and a generated month, played through
the public commands on a manual clock.

>>> from datetime import UTC, datetime
>>> from cogov import CoGov, ManualClock
>>> from cogov.demo import play_demo
>>> app = CoGov(clock=ManualClock(datetime(2026, 1, 5, 1, 0, tzinfo=UTC)))
>>> facts = play_demo(app, issues=20)
>>> facts.gas.households_benefiting
96
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cogov.application import CoGov
from cogov.demo.district import District, build_district
from cogov.demo.month import MonthFacts, generate_month
from cogov.demo.stories import (
    bridge,
    canteen,
    datang,
    duanmu,
    gas,
    guoshui,
    jiyuan,
    tanhualin,
)
from cogov.demo.timeline import SharedClock, interleave

__all__ = ["DEMO_START", "STORIES", "DemoFacts", "SharedClock", "play_demo"]

#: Monday 5 January 2026, 09:00 Beijing: the first story begins.
DEMO_START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)

#: the stories in the order they are played: (name, title)
STORIES: tuple[tuple[str, str], ...] = (
    ("bridge", "渡河村修桥 (council, shared cost, 以奖代补)"),
    ("guoshui", "国税小区自管委 (5 elected, 6 residents' meetings)"),
    ("tanhualin", "昙华林静音公约 (convention, nightly patrols)"),
    ("gas", "枪杆刘燃气入户 (96 households in two months)"),
    ("canteen", "师庄村幸福大食堂 (built in two weeks)"),
    ("jiyuan", "济源派单 (住建/民政/公安, 退单, 催办)"),
    ("datang", "大塘村夜谈会 (an idle plot becomes a square)"),
    ("duanmu", "段墓社区填坑修路 (progress and funds reported monthly)"),
)


@dataclass(frozen=True)
class DemoFacts:
    """What the demo did: each story's facts and the generated month's counts."""

    district: District
    bridge: bridge.BridgeFacts
    guoshui: guoshui.GuoshuiFacts
    tanhualin: tanhualin.TanhualinFacts
    gas: gas.GasFacts
    canteen: canteen.CanteenFacts
    jiyuan: jiyuan.JiyuanFacts
    datang: datang.DatangFacts
    duanmu: duanmu.DuanmuFacts
    month: MonthFacts


def play_demo(
    app: CoGov,
    *,
    seed: int = 2026,
    issues: int = 300,
    on_step: Callable[[str], None] | None = None,
) -> DemoFacts:
    """Build the district on an empty store, then play the eight stories and a generated
    month of ``issues`` ordinary concerns. ``app`` runs on a :class:`~cogov.clock.ManualClock`:
    with a :class:`~cogov.demo.timeline.SharedClock` the stories and the month are
    interleaved in time (they live the same weeks), otherwise they are played one after
    the other. ``on_step`` hears the name of each step as it finishes (for a progress bar)."""

    def done(step: str) -> None:
        if on_step is not None:
            on_step(step)

    district = build_district(app)
    done("district")

    def script(name: str, play: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            result = play()
            done(name)
            return result

        return run

    scripts = [
        script("bridge", lambda: bridge.play(app, district)),
        script("guoshui", lambda: guoshui.play(app, district)),
        script("tanhualin", lambda: tanhualin.play(app, district)),
        script("gas", lambda: gas.play(app, district)),
        script("canteen", lambda: canteen.play(app, district)),
        script("jiyuan", lambda: jiyuan.play(app, district)),
        script("datang", lambda: datang.play(app, district)),
        script("duanmu", lambda: duanmu.play(app, district)),
        script("month", lambda: generate_month(app, district, seed=seed, issues=issues)),
    ]
    if isinstance(app.clock, SharedClock):  # the stories and the month live the same weeks
        results = interleave(app.clock, scripts)
    else:  # one after the other
        results = [run() for run in scripts]
    (
        the_bridge,
        the_estate,
        the_street,
        the_gas,
        the_canteen,
        the_dispatches,
        the_square,
        the_road,
        month,
    ) = results
    return DemoFacts(
        district=district,
        bridge=the_bridge,
        guoshui=the_estate,
        tanhualin=the_street,
        gas=the_gas,
        canteen=the_canteen,
        jiyuan=the_dispatches,
        datang=the_square,
        duanmu=the_road,
        month=month,
    )
