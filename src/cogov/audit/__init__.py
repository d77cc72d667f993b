"""Auditors replay and verify: audit trails, state as of any moment, tamper-evident history.

* :mod:`cogov.audit.encoding` — the hash chain's canonical encoding;
* :mod:`cogov.audit.chain` — the chainer that covers every committed event;
* :mod:`cogov.audit.checkpoints` — Ed25519-signed checkpoints and key handling;
* :mod:`cogov.audit.verify` — recompute and compare, name the first bad event;
* :mod:`cogov.audit.export` — JSON Lines for outside verifiers;
* :mod:`cogov.audit.trail` — who did what, when, on which decision;
* :mod:`cogov.audit.replay` — the store as of a position or a moment, and diffs.

The application exposes them through :class:`cogov.app.audit.AuditCommands`.
"""

from cogov.audit.chain import HashChain
from cogov.audit.checkpoints import (
    Checkpoint,
    generate_signing_key,
    load_public_key,
    load_signing_key,
)
from cogov.audit.export import ExportSummary
from cogov.audit.replay import (
    AggregateChange,
    AggregateState,
    FieldChange,
    StoreDiff,
    StoreState,
)
from cogov.audit.trail import TrailEntry, TrailFilter
from cogov.audit.verify import Breach, BreachKind, VerificationReport

__all__ = [
    "AggregateChange",
    "AggregateState",
    "Breach",
    "BreachKind",
    "Checkpoint",
    "ExportSummary",
    "FieldChange",
    "HashChain",
    "StoreDiff",
    "StoreState",
    "TrailEntry",
    "TrailFilter",
    "VerificationReport",
    "generate_signing_key",
    "load_public_key",
    "load_signing_key",
]
