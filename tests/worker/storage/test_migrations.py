from __future__ import annotations

from sqlalchemy import inspect

from worker.storage.db import create_db_engine, current_revision, head_revision, upgrade


def test_upgrade_reaches_head_and_is_idempotent(db_url: str) -> None:
    engine = create_db_engine(db_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        tables = set(inspect(engine).get_table_names())
        assert {"tickets", "touches", "agents", "groups", "sync_cursors"} <= tables
    finally:
        engine.dispose()


def test_models_match_migrations(db_url: str) -> None:
    """A model change without a migration would make this fail."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from worker.storage import tables

    engine = create_db_engine(db_url)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), tables.metadata())
        assert diff == []
    finally:
        engine.dispose()
