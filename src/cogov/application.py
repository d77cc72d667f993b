"""``CoGov``: the one door into cogov. Commands are ``verb_noun`` methods taking an
:class:`~cogov.domain.values.Actor` first; queries return typed pydantic records.

>>> from cogov import CoGov
>>> app = CoGov()                                   # in memory
>>> app = CoGov(database_url="sqlite:///cogov.db")  # doctest: +SKIP
"""

from __future__ import annotations

from cogov.app.issues import IssueCommands
from cogov.app.meetings import MeetingCommands
from cogov.app.units import UnitCommands

__all__ = ["CoGov"]


class CoGov(IssueCommands, MeetingCommands, UnitCommands):
    """The co-governance application: every command is checked, recorded and replayable."""
