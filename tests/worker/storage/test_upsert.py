from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, select

from worker.storage.db import session_scope
from worker.storage.models import GroupRow
from worker.storage.upsert import upsert

T0 = datetime(2026, 1, 1)


def _group(i: int, name: str) -> dict[str, object]:
    return {"id": i, "name": name, "deleted": False, "created_at": T0, "updated_at": T0}


def test_upsert_inserts_then_overwrites(engine: Engine) -> None:
    table = GroupRow
    with session_scope(engine) as s:
        upsert(s, table, [_group(1, "Tier 1"), _group(2, "Tier 2")])
    with session_scope(engine) as s:
        upsert(s, table, [_group(2, "Tier 2 - Technical"), _group(3, "Tier 3")])
    with session_scope(engine) as s:
        names = {r[0]: r[1] for r in s.execute(select(GroupRow.id, GroupRow.name))}
    assert names == {1: "Tier 1", 2: "Tier 2 - Technical", 3: "Tier 3"}


def test_same_record_twice_in_one_batch_keeps_the_last(engine: Engine) -> None:
    with session_scope(engine) as s:
        n = upsert(s, GroupRow, [_group(7, "old"), _group(7, "new")])
    assert n == 1
    with session_scope(engine) as s:
        assert s.scalar(select(GroupRow.name).where(GroupRow.id == 7)) == "new"


def test_large_batches_are_split_under_the_parameter_limit(engine: Engine) -> None:
    rows = [_group(i, f"g{i}") for i in range(1, 12_001)]
    with session_scope(engine) as s:
        upsert(s, GroupRow, rows)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(GroupRow)) == 12_000


def test_failed_transaction_leaves_nothing(engine: Engine) -> None:
    try:
        with session_scope(engine) as s:
            upsert(s, GroupRow, [_group(1, "x")])
            raise RuntimeError("crash mid-page")
    except RuntimeError:
        pass
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(GroupRow)) == 0
