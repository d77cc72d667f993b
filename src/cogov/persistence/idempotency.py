"""Idempotency keys: a client that retries a command (after a timeout, a dropped connection,
a crashed proxy) with the same key never records the same fact twice.

Every command accepts a keyword-only ``idempotency_key``. The first successful run records
an :class:`IdempotencyKey` aggregate — id ``uuid5(KEY_NAMESPACE, key)``, one ``Recorded``
event holding the command's name, a SHA-256 of its arguments and its JSON result — **in the
same transaction** as the command's own events. So either both are stored or neither is.

A retry with the same key finds the record and returns the original result (decoded to the
command's return type) without deciding or recording anything. Two runs racing with the same
key both try to store version 1 of the same aggregate: the store's unique
``(originator_id, originator_version)`` refuses the second, which retries, finds the record and
returns the first run's result. The same key with another command or other arguments is
refused with :class:`IdempotencyKeyReusedError` (rule ``idempotency.key.reused``).

Keys are global to the deployment: use a fresh UUID per logical request.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, get_type_hints
from uuid import UUID, uuid5

import orjson
from pydantic import TypeAdapter
from pydantic_core import to_jsonable_python

from cogov.domain.base import Aggregate, Context, DomainEvent, Started, applies
from cogov.domain.policybook import WHOLE_DEPLOYMENT
from cogov.errors import InvalidInputError

__all__ = [
    "KEY_NAMESPACE",
    "MAX_KEY_LENGTH",
    "IdempotencyKey",
    "IdempotencyKeyReusedError",
    "arguments_digest",
    "key_id",
    "result_adapter",
    "validate_key",
]

#: namespace of the ids of idempotency-key aggregates (never change it: ids are stored)
KEY_NAMESPACE = UUID("0b6c8f4e-3d2a-5e71-9c40-6a1f2b3c4d5e")
MAX_KEY_LENGTH = 200


class IdempotencyKeyReusedError(InvalidInputError):
    """The idempotency key was already used for another command or other arguments."""

    default_rule = "idempotency.key.reused"


def validate_key(key: object) -> str:
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise InvalidInputError(
            f"an idempotency key is a non-blank string of at most {MAX_KEY_LENGTH} characters",
            rule="input.idempotency_key",
        )
    return key


def key_id(key: str) -> UUID:
    """The id of the aggregate that records ``key``."""
    return uuid5(KEY_NAMESPACE, key)


def arguments_digest(
    func: Callable[..., Any], args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> str:
    """SHA-256 of the command's name and its arguments (``self`` left out), canonical JSON."""
    bound = inspect.signature(func).bind(*args, **kwargs)
    bound.apply_defaults()
    named = dict(bound.arguments)
    named.pop("self", None)
    payload = {
        "command": func.__name__,
        "arguments": to_jsonable_python(named, fallback=repr),
    }
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


def result_adapter(func: Callable[..., Any]) -> TypeAdapter[Any]:
    """A pydantic adapter for the command's declared return type (to store and restore it)."""
    hints = get_type_hints(func)
    return TypeAdapter(hints.get("return", Any))


class IdempotencyKey(Aggregate):
    """The record of one idempotency key: which command ran, on what, and what it returned."""

    TOPIC: ClassVar[str] = "cogov:IdempotencyKey"

    class Event(DomainEvent):
        pass

    class Recorded(Started, Event):
        """A command carrying this key was recorded (its events are in the same transaction)."""

        TOPIC: ClassVar[str] = "cogov:IdempotencyKey.Recorded"
        key: str
        command: str
        arguments_sha256: str
        result_json: str

    unit_id: UUID
    key: str
    command: str
    arguments_sha256: str
    result_json: str

    @classmethod
    def record(
        cls, ctx: Context, *, key: str, command: str, arguments_sha256: str, result_json: str
    ) -> IdempotencyKey:
        return cls._start(
            cls.Recorded,
            ctx,
            id=key_id(key),
            unit_id=WHOLE_DEPLOYMENT,
            key=key,
            command=command,
            arguments_sha256=arguments_sha256,
            result_json=result_json,
        )

    def replay_result(self, command: str, arguments_sha256: str, adapter: TypeAdapter[Any]) -> Any:
        """The original result, if this key was recorded for the same command and arguments."""
        if command != self.command or arguments_sha256 != self.arguments_sha256:
            raise IdempotencyKeyReusedError(
                f"idempotency key {self.key!r} was used for {self.command} with other "
                f"arguments; use a fresh key for a new request",
                rule="idempotency.key.reused",
            )
        return adapter.validate_json(self.result_json)

    @applies(Recorded)
    def _recorded(self, e: Recorded) -> None:
        self.unit_id = e.unit_id
        self.key = e.key
        self.command = e.command
        self.arguments_sha256 = e.arguments_sha256
        self.result_json = e.result_json
