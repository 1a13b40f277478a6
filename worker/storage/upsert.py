"""Bulk upserts that work on SQLite and PostgreSQL alike.

Records that Zendesk sends again (page boundaries, re-syncs) overwrite their row, so a
re-run stores exactly what one run stores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session


def upsert(
    session: Session,
    target: Table | type[DeclarativeBase],
    rows: Sequence[Mapping[str, Any]],
    *,
    key: Sequence[str] = ("id",),
) -> int:
    """Insert `rows` into `target` (a mapped class or a Table), or update every non-key column
    of rows whose key exists. Returns how many distinct rows were written."""
    if not rows:
        return 0
    table: Table = target if isinstance(target, Table) else target.__table__  # type: ignore[assignment]
    # A page may hold the same record twice (Zendesk repeats records across boundaries);
    # PostgreSQL refuses to update one row twice in one statement, so keep the last copy.
    unique: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for row in rows:
        unique[tuple(row[k] for k in key)] = row
    deduped = list(unique.values())

    dialect = session.get_bind().dialect.name
    columns = list(deduped[0].keys())
    if dialect == "postgresql":
        pg = postgresql.insert(table)
        stmt: Any = pg.on_conflict_do_update(
            index_elements=list(key), set_={c: pg.excluded[c] for c in columns if c not in key}
        )
    elif dialect == "sqlite":
        lite = sqlite.insert(table)
        stmt = lite.on_conflict_do_update(
            index_elements=list(key), set_={c: lite.excluded[c] for c in columns if c not in key}
        )
    else:  # pragma: no cover - only the two supported stores reach here
        raise NotImplementedError(f"upsert is not implemented for {dialect}")
    # One statement with a parameter list: compiled once (and cached), then sent in batches
    # by the driver's executemany. A multi-VALUES statement per batch would be compiled anew
    # every time, which costs more than the writing itself.
    session.execute(stmt, deduped)
    return len(deduped)
