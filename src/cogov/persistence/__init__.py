"""Persistence: the pydantic/orjson mapper with upcasting, and URL → event store settings."""
