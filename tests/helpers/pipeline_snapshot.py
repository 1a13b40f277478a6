"""Everything a pipeline run stores, as plain data, so two runs can be compared exactly."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import Engine, MetaData, select

from tests.helpers.snapshot import db_snapshot

# Wall-clock bookkeeping that differs between any two runs by design.
_VOLATILE = {"synced_at", "updated_at_local", "tagged_at", "computed_at"}
TABLES = (
    "work_items",
    "ticket_tags",
    "profile_months",
    "area_profiles",
    "agent_profiles",
    "profile_spans",
)


def differences(a: Any, b: Any, path: str = "", limit: int = 5) -> list[str]:
    """Where two snapshots differ (at most `limit` places). Floats compare with a relative
    tolerance: depths decay with the clock, so two runs seconds apart differ in the 7th digit,
    and the order a database sums in moves the last bits."""
    out: list[str] = []
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{path}: keys {sorted(a.keys() ^ b.keys())} differ"]
        for key in a:
            out += differences(a[key], b[key], f"{path}.{key}", limit - len(out))
            if len(out) >= limit:
                break
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} rows != {len(b)} rows"]
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            out += differences(x, y, f"{path}[{i}]", limit - len(out))
            if len(out) >= limit:
                break
    elif isinstance(a, float) and isinstance(b, float):
        if not math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-9):
            out.append(f"{path}: {a!r} != {b!r}")
    elif a != b:
        out.append(f"{path}: {a!r} != {b!r}")
    return out


def pipeline_snapshot(engine: Engine) -> dict[str, Any]:
    """The sync's tables plus tagging's and the profiles' rows."""
    out: dict[str, Any] = dict(db_snapshot(engine))
    meta = MetaData()
    meta.reflect(engine)
    for name in TABLES:
        if name not in meta.tables:
            continue
        table = meta.tables[name]
        cols = [c for c in table.columns if c.name not in _VOLATILE]
        order = list(table.primary_key.columns) or cols
        with engine.connect() as conn:
            rows = conn.execute(select(*cols).order_by(*order)).all()
        out[name] = [dict(r._mapping) for r in rows]
    return out
