"""``CoGov``: the one door into cogov. Commands are ``verb_noun`` methods taking an
:class:`~cogov.domain.values.Actor` first; queries return typed pydantic records.

>>> from cogov import CoGov
>>> app = CoGov()                                   # in memory
>>> app = CoGov(database_url="sqlite:///cogov.db")  # doctest: +SKIP
"""

from __future__ import annotations

from cogov.app.audit import AuditCommands
from cogov.app.bodies import BodyCommands
from cogov.app.grants import GrantCommands
from cogov.app.issues import IssueCommands
from cogov.app.meetings import MeetingCommands
from cogov.app.projects import ProjectCommands
from cogov.app.queries import ViewQueries
from cogov.app.residents import ResidentCommands
from cogov.app.units import UnitCommands

__all__ = ["CoGov"]


class CoGov(
    IssueCommands,
    MeetingCommands,
    UnitCommands,
    ProjectCommands,
    BodyCommands,
    GrantCommands,
    ResidentCommands,
    ViewQueries,
    AuditCommands,
):
    """The co-governance application: every command is checked, recorded and replayable."""
