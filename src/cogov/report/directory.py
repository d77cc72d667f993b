"""The governance units of a store, found in the history (every ``GovernanceUnit.Established``),
with lookups by id or name for the command line and the report."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from cogov.app.records import UnitRecord
from cogov.application import CoGov
from cogov.domain.unit import GovernanceUnit
from cogov.domain.values import UnitLevel
from cogov.errors import NotFoundError

__all__ = ["UnitDirectory", "unit_directory"]


@dataclass(frozen=True)
class UnitDirectory:
    """Every unit of the store, in the order they were established."""

    units: tuple[UnitRecord, ...]

    def by_id(self, unit_id: UUID) -> UnitRecord:
        for unit in self.units:
            if unit.id == unit_id:
                return unit
        raise NotFoundError(f"no governance unit {unit_id}", rule="unit.exists")

    def find(self, ref: str) -> UnitRecord:
        """A unit by id, by name (渡河村) or by path (黄梅县/小池镇/渡河村)."""
        try:
            return self.by_id(UUID(ref))
        except ValueError:
            pass
        wanted = ref.strip().strip("/")
        matches = [u for u in self.units if self.path(u) == wanted or u.name == wanted]
        if not matches:
            raise NotFoundError(
                f"no governance unit named {ref!r} (try `cogov units` for the list)",
                rule="unit.exists",
            )
        if len(matches) > 1:
            paths = ", ".join(self.path(u) for u in matches)
            raise NotFoundError(
                f"{ref!r} names {len(matches)} units ({paths}); give the path or the id",
                rule="unit.ambiguous",
            )
        return matches[0]

    def roots(self) -> list[UnitRecord]:
        return [u for u in self.units if u.parent_id is None]

    def children(self, unit_id: UUID) -> list[UnitRecord]:
        return [u for u in self.units if u.parent_id == unit_id]

    def at_level(self, level: UnitLevel) -> list[UnitRecord]:
        return [u for u in self.units if u.level is level]

    def ancestor_at(self, unit: UnitRecord, level: UnitLevel) -> UnitRecord | None:
        current: UnitRecord | None = unit
        while current is not None:
            if current.level is level:
                return current
            current = self.by_id(current.parent_id) if current.parent_id is not None else None
        return None

    def path(self, unit: UnitRecord) -> str:
        names = [unit.name]
        current = unit
        while current.parent_id is not None:
            current = self.by_id(current.parent_id)
            names.append(current.name)
        return "/".join(reversed(names))


def unit_directory(app: CoGov, *, page: int = 500) -> UnitDirectory:
    """Read the units from the history: only ``GovernanceUnit.Established`` events are
    selected, then each unit is loaded as it stands now (renames included)."""
    ids: list[UUID] = []
    start = 1
    topics = [GovernanceUnit.Established.TOPIC]
    while True:
        found = app.store.recorder.select_notifications(start=start, limit=page, topics=topics)
        ids.extend(UUID(str(n.originator_id)) for n in found)
        if len(found) < page:
            break
        start = found[-1].id + 1
    return UnitDirectory(units=tuple(app.unit(unit_id) for unit_id in ids))
