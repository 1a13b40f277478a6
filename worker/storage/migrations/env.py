"""Alembic environment: runs on the connection `worker.storage.db.upgrade` hands it."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from worker.storage import tables

config = context.config
target_metadata = tables.metadata()


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


run()
