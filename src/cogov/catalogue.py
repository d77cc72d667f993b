"""The event catalogue, generated from the code: ``python -m cogov.catalogue > docs/events.md``.

Every event class with a ``TOPIC`` is listed with its stored name, version, meaning (the
class docstring) and fields — the persisted contract a reader of the history relies on.
A test keeps ``docs/events.md`` equal to this output.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from cogov.domain.base import DomainEvent

__all__ = ["event_classes", "render_catalogue"]


def _import_domain() -> None:
    import cogov.domain

    for module in pkgutil.iter_modules(cogov.domain.__path__):
        importlib.import_module(f"cogov.domain.{module.name}")


def _all_subclasses(cls: type[Any]) -> list[type[Any]]:
    found: list[type[Any]] = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_all_subclasses(sub))
    return found


def event_classes() -> list[type[DomainEvent]]:
    """Every event class with a stored name, sorted by topic."""
    _import_domain()
    unique = {c.TOPIC: c for c in _all_subclasses(DomainEvent) if c.__dict__.get("TOPIC")}
    return [unique[t] for t in sorted(unique)]


def _type_name(annotation: Any) -> str:
    text = getattr(annotation, "__name__", None) or repr(annotation)
    text = str(text).replace("typing.", "").replace("cogov.domain.values.", "")
    return text.replace("uuid.UUID", "UUID").replace("|", "\\|")


def render_catalogue() -> str:
    envelope = set(DomainEvent.model_fields)
    lines = [
        "# Event catalogue",
        "",
        "Generated from the code by `python -m cogov.catalogue`; a test keeps this file in step.",
        "Every event also carries the envelope: "
        + ", ".join(f"`{name}`" for name in DomainEvent.model_fields)
        + " — who (actor id, role, unit), when (timezone-aware), where (governance unit) and "
        "under which policy version.",
        "",
        "Stored names (`TOPIC`) and fields are a persisted contract: never rename them; change a",
        "field only with a new `class_version` and an `upcast_vN_vN+1` (see docs/architecture.md).",
        "",
    ]
    aggregates = sorted(
        {c.TOPIC.split(".")[0] for c in event_classes()},
    )
    by_aggregate: dict[str, list[type[DomainEvent]]] = {a: [] for a in aggregates}
    for cls in event_classes():
        by_aggregate[cls.TOPIC.split(".")[0]].append(cls)
    for aggregate_topic, classes in by_aggregate.items():
        owner = aggregate_topic.split(":", 1)[1]
        lines += [f"## {owner}", ""]
        for cls in classes:
            doc = (cls.__doc__ or "").strip().splitlines()
            meaning = doc[0] if doc else ""
            lines.append(f"### `{cls.TOPIC}` (v{cls.class_version})")
            lines.append("")
            if meaning:
                lines += [meaning, ""]
            fields = [(n, f) for n, f in cls.model_fields.items() if n not in envelope]
            if fields:
                lines.append("| field | type | required |")
                lines.append("|---|---|---|")
                for name, info in fields:
                    lines.append(
                        f"| `{name}` | `{_type_name(info.annotation)}` | "
                        f"{'yes' if info.is_required() else 'no'} |"
                    )
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(render_catalogue(), end="")
