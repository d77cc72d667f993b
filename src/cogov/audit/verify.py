"""Verification: recompute the chain from the stored events and compare it with the stored
links and the signed checkpoints; name the first bad event.

What each breach means (the first one found, in position order, is reported):

============================  ===============================================================
``altered``                   the event stored at this position is not the one that was
                              chained there (a changed byte, a swapped/reordered or
                              renumbered row; ``found_*`` names what stands there now)
``link_altered``              the events agree with the chain but this stored link does not
``missing``                   a chained event is gone from the log (deleted, or a truncated
                              tail whose links survived)
``unchained``                 an event without a link stands before chained events (inserted
                              into a gap, or its link was removed)
``chain_rewritten``           events and links agree with each other but not with a signed
                              checkpoint: history and links were rewritten together; the
                              first bad event lies after the previous checkpoint
``truncated``                 a signed checkpoint lies beyond the end of the log
``forged_checkpoint``         a checkpoint's signature does not verify
``untrusted_checkpoint``      a checkpoint is signed by a key other than the trusted one
============================  ===============================================================

Events after the last link are the *uncovered tail* (committed, not yet chained — see
:mod:`cogov.audit.chain`): reported, never a failure.
"""

from __future__ import annotations

import hashlib
import struct
import time
from collections.abc import Callable, Sequence
from enum import StrEnum
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, ConfigDict

from cogov.audit.chain import BATCH, chain_rows
from cogov.audit.checkpoints import Checkpoint, key_id, raw_public
from cogov.audit.encoding import GENESIS
from cogov.audit.source import EventSource, Row

__all__ = ["Breach", "BreachKind", "Progress", "VerificationReport", "verify_chain"]

#: called after each batch with (last position read, last position in the log)
Progress = Callable[[int, int], None]

_PREFIX = struct.Struct(">IqI").pack
_VERSION = struct.Struct(">Iq").pack
_U32 = struct.Struct(">I").pack
_sha256 = hashlib.sha256
_NEVER = 1 << 63


class BreachKind(StrEnum):
    ALTERED = "altered"
    LINK_ALTERED = "link_altered"
    MISSING = "missing"
    UNCHAINED = "unchained"
    CHAIN_REWRITTEN = "chain_rewritten"
    TRUNCATED = "truncated"
    FORGED_CHECKPOINT = "forged_checkpoint"
    UNTRUSTED_CHECKPOINT = "untrusted_checkpoint"


class Breach(BaseModel):
    """A place where the history does not verify. ``originator_*`` name the event the chain
    recorded at ``position`` (or the event found there, when nothing was recorded);
    ``found_*`` name what the log holds at ``position`` now (None: nothing)."""

    model_config = ConfigDict(frozen=True)

    kind: BreachKind
    position: int
    originator_id: UUID | None
    originator_version: int | None
    found_originator_id: UUID | None = None
    found_originator_version: int | None = None
    detail: str

    def describe(self) -> str:
        who = (
            f"{self.originator_id} v{self.originator_version}"
            if self.originator_id is not None
            else "unknown event"
        )
        return f"{self.kind} at position {self.position} ({who}): {self.detail}"


class VerificationReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    intact: bool
    events: int  # events hashed
    last_position: int  # position of the last event read
    covered_through: int  # position of the last event whose link verified
    uncovered: int  # events after the last link (committed, not yet chained)
    first_uncovered: int | None
    checkpoints_verified: int  # checkpoints whose head matched the recomputed chain
    trusted_key_id: str | None  # None: signatures checked only against their own keys
    breach: Breach | None  # the first bad event
    refused_checkpoints: list[Breach]
    seconds: float  # wall-clock time
    cpu_seconds: float  # this process's CPU time (the rate on a busy machine)
    events_per_second: float  # events / seconds


def _oid(value: bytes) -> UUID | None:
    try:
        return UUID(hex=value.decode())
    except (ValueError, UnicodeDecodeError):
        return None


def _check_signatures(
    checkpoints: Sequence[Checkpoint], trusted: Ed25519PublicKey | None
) -> tuple[list[Checkpoint], list[Breach]]:
    valid: list[Checkpoint] = []
    refused: list[Breach] = []
    trusted_id = key_id(trusted) if trusted is not None else None
    trusted_raw = raw_public(trusted).hex() if trusted is not None else None
    for cp in checkpoints:
        if trusted is not None and (cp.key_id != trusted_id or cp.public_key != trusted_raw):
            kind, detail = (
                BreachKind.UNTRUSTED_CHECKPOINT,
                f"checkpoint signed by key {cp.key_id}, not the trusted key {trusted_id}",
            )
        else:
            try:
                key = trusted or Ed25519PublicKey.from_public_bytes(bytes.fromhex(cp.public_key))
            except ValueError:
                key = None
            if key is not None and key_id(key) == cp.key_id and cp.signature_valid(key):
                valid.append(cp)
                continue
            kind, detail = BreachKind.FORGED_CHECKPOINT, "checkpoint signature does not verify"
        refused.append(
            Breach(
                kind=kind,
                position=cp.position,
                originator_id=None,
                originator_version=None,
                detail=f"{detail} (head {cp.head[:16]}…, signed {cp.signed_at})",
            )
        )
    return valid, refused


def verify_chain(
    source: EventSource,
    checkpoints: Sequence[Checkpoint],
    trusted_key: Ed25519PublicKey | None = None,
    *,
    batch: int = BATCH,
    progress: Progress | None = None,
) -> VerificationReport:
    """Recompute the chain over every stored event and compare (see the module docstring)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    valid, refused = _check_signatures(checkpoints, trusted_key)
    cps = sorted(valid, key=lambda c: c.position)
    ci, next_cp = 0, (cps[0].position if cps else _NEVER)
    verified_cps = 0
    last_cp_ok = 0
    topics: dict[str | bytes, bytes] = {}
    end = source.max_position()
    h = GENESIS
    prev = 0
    covered = 0
    count = 0
    unchained: Row | None = None
    n_unchained = 0
    breach: Breach | None = None
    bad: tuple[Row, bytes] | None = None

    # the hot loop reads only locals (hashing must stay close to raw SHA-256 speed)
    sha256, join, prefix, version_field, u32 = _sha256, b"".join, _PREFIX, _VERSION, _U32
    get_field = topics.get
    while breach is None and bad is None:
        rows = source.rows(prev, batch)
        if not rows:
            break
        for row in rows:
            position, oid, version, topic, state, link = row
            field = get_field(topic)
            if field is None:
                raw = topic.encode() if isinstance(topic, str) else topic
                field = topics[topic] = u32(len(raw)) + raw
            previous = h
            h = sha256(
                join(
                    (
                        h,
                        prefix(8, position, len(oid)),
                        oid,
                        version_field(8, version),
                        field,
                        u32(len(state)),
                        state,
                    )
                )
            ).digest()
            if link is None:
                if unchained is None:
                    unchained = row
                n_unchained += 1
            elif link != h or unchained is not None:
                bad = (row, previous)
                break
            else:
                covered = position
            if position >= next_cp:
                while next_cp <= position:
                    cp = cps[ci]
                    if cp.position < position:
                        breach = Breach(
                            kind=BreachKind.MISSING,
                            position=cp.position,
                            originator_id=None,
                            originator_version=None,
                            detail=f"a signed checkpoint covers position {cp.position}, "
                            "which no longer holds an event",
                        )
                    elif cp.head != h.hex():
                        breach = Breach(
                            kind=BreachKind.CHAIN_REWRITTEN,
                            position=cp.position,
                            originator_id=_oid(oid),
                            originator_version=version,
                            detail="events and links agree but not with the checkpoint "
                            f"signed {cp.signed_at}: rewritten after position {last_cp_ok}",
                        )
                    else:
                        verified_cps += 1
                        last_cp_ok = cp.position
                    ci += 1
                    next_cp = cps[ci].position if ci < len(cps) else _NEVER
                    if breach is not None:
                        break
                if breach is not None:
                    count += 1
                    break
            prev = position
            count += 1
        if progress is not None:
            progress(prev, end)

    if bad is not None:
        breach = _diagnose(source, bad, prev, unchained)
    elif breach is None:
        breach = _tail(source, prev, cps[ci:])
    if breach is not None:
        n_unchained = 0
        unchained = None
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    return VerificationReport(
        intact=breach is None and not refused,
        events=count,
        last_position=prev,
        covered_through=covered,
        uncovered=n_unchained,
        first_uncovered=unchained[0] if unchained is not None else None,
        checkpoints_verified=verified_cps,
        trusted_key_id=key_id(trusted_key) if trusted_key is not None else None,
        breach=breach,
        refused_checkpoints=refused,
        seconds=seconds,
        cpu_seconds=cpu_seconds,
        events_per_second=count / seconds if seconds > 0 else 0.0,
    )


def _diagnose(
    source: EventSource, bad: tuple[Row, bytes], prev: int, unchained: Row | None
) -> Breach:
    row, previous = bad
    position, oid, version = row[0], row[1], row[2]
    if unchained is not None:
        return Breach(
            kind=BreachKind.UNCHAINED,
            position=unchained[0],
            originator_id=_oid(unchained[1]),
            originator_version=unchained[2],
            found_originator_id=_oid(unchained[1]),
            found_originator_version=unchained[2],
            detail="this event has no chain link but chained events follow it "
            "(inserted, or its link was removed)",
        )
    missing = source.first_link_between(prev, position)
    if missing is not None:
        return Breach(
            kind=BreachKind.MISSING,
            position=missing.position,
            originator_id=missing.originator_id,
            originator_version=missing.originator_version,
            detail="this chained event is no longer in the log (deleted)",
        )
    recorded = source.link_at(position)
    kind = BreachKind.ALTERED
    detail = "the stored event differs from the one chained at this position"
    following = source.rows(position, 1)
    if recorded is not None and following and following[0][5] is not None:
        topics: dict[str | bytes, bytes] = {}
        h_true = chain_rows(previous, [row], topics)[0]
        if chain_rows(h_true, following, topics)[0] == following[0][5]:
            kind = BreachKind.LINK_ALTERED
            detail = "the stored chain link was changed; the event itself agrees with the chain"
    return Breach(
        kind=kind,
        position=position,
        originator_id=recorded.originator_id if recorded else _oid(oid),
        originator_version=recorded.originator_version if recorded else version,
        found_originator_id=_oid(oid),
        found_originator_version=version,
        detail=detail,
    )


def _tail(source: EventSource, last: int, beyond: Sequence[Checkpoint]) -> Breach | None:
    orphan = source.first_link_between(last, None)
    if orphan is not None:
        return Breach(
            kind=BreachKind.MISSING,
            position=orphan.position,
            originator_id=orphan.originator_id,
            originator_version=orphan.originator_version,
            detail=f"the log ends at position {last} but this event was chained "
            "(the tail was truncated)",
        )
    if beyond:
        cp = beyond[-1]
        return Breach(
            kind=BreachKind.TRUNCATED,
            position=last + 1,
            originator_id=None,
            originator_version=None,
            detail=f"the log ends at position {last} but a checkpoint signed {cp.signed_at} "
            f"covers up to position {cp.position}: the tail was truncated",
        )
    return None
