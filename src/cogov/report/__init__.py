"""The visual report: one self-contained HTML file (inline SVG charts drawn in Python, no
script, no network) with the tables behind every chart.

* :mod:`cogov.report.data` asks the views, through the public queries, for every figure;
* :mod:`cogov.report.svg` draws the charts; :mod:`cogov.report.html` lays out the page;
* :mod:`cogov.report.directory` finds the governance units of a store.

``cogov report`` (docs/cli.md) is the command line's door to it.
"""
