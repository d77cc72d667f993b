"""Property: for any command history, the live views (kept after every command, in batches
of whatever size the history happened to have) equal the views rebuilt from position 0.

``COGOV_VIEW_EXAMPLES`` sets the number of histories (default 15; CI can raise it)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cogov import CogovError, Scale
from tests.views.support import MINZHENG, ZHUJIAN, District, dump, tracked

EXAMPLES = int(os.environ.get("COGOV_VIEW_EXAMPLES", "15"))

STEP = st.one_of(
    st.tuples(st.just("collect"), st.integers(0, 1)),
    st.tuples(st.just("triage"), st.sampled_from(list(Scale))),
    st.tuples(st.just("urgent"), st.integers(0, 1)),
    st.tuples(st.just("resolve"), st.integers(0, 9)),
    st.tuples(st.just("return"), st.integers(0, 9)),
    st.tuples(st.just("publish"), st.integers(0, 50)),
    st.tuples(st.just("rate"), st.integers(1, 5)),
    st.tuples(st.just("withdraw"), st.integers(0, 9)),
    st.tuples(st.just("escalate"), st.integers(0, 9)),
    st.tuples(st.just("wait"), st.integers(1, 72)),
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=1, max_size=30), batch=st.integers(1, 7))
def test_live_views_equal_rebuilt_views_for_any_history(
    steps: list[tuple[str, object]], batch: int
) -> None:
    d = District.build(None)
    d.app.views.batch_size = batch
    issues: list = []
    groups = [d.group_a, d.group_b]
    assignees = [ZHUJIAN, MINZHENG]
    for kind, arg in steps:
        last = issues[-1] if issues else None
        target = issues[int(arg) % len(issues)] if issues and isinstance(arg, int) else last
        try:
            if kind == "collect":
                issues.append(d.collect(groups[int(arg)]))
            elif kind == "triage" and last is not None:
                d.app.triage_issue(d.cadre, last, scale=arg, category="综合")
            elif kind == "urgent":
                issues.append(d.urgent(groups[int(arg)], assignees[int(arg)]))
            elif kind == "resolve" and target is not None:
                record = d.app.issue(target)
                if record.assignee is not None:
                    d.resolve(target, record.assignee)
            elif kind == "return" and target is not None:
                record = d.app.issue(target)
                if record.assignee is not None:
                    d.app.return_issue(d.staff(record.assignee), target, reason="非本单位职责")
            elif kind == "publish" and last is not None:
                d.publish(last, households=int(arg))
            elif kind == "rate" and last is not None:
                unit = d.app.issue(last).unit_id
                d.rate(last, unit, int(arg))
            elif kind == "withdraw" and target is not None:
                d.app.withdraw_issue(d.cadre, target, reason="居民撤回")
            elif kind == "escalate" and target is not None:
                d.app.escalate_issue(d.cadre, target, reason="本级无法解决")
            elif kind == "wait":
                d.clock.advance(hours=int(arg))
        except CogovError:
            pass  # a refused command stores nothing; the views must not move either
    live = dump(d.app.views)
    assert tracked(d.app.views) == dict.fromkeys(tracked(d.app.views), d.app.max_position())
    d.app.views.batch_size = 1000
    d.app.views.rebuild()
    assert dump(d.app.views) == live
    d.close()
