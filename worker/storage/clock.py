"""The one notion of "now" for what is stored."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC, the way every time is stored (SQLite keeps no time zone)."""
    return datetime.now(UTC).replace(tzinfo=None)
