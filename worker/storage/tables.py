"""The one place that knows every table module, so Alembic and tests see the whole schema."""

from __future__ import annotations

from sqlalchemy import MetaData


def metadata() -> MetaData:
    # Imported here, not at module top, so each stage's table module is loaded only when the
    # whole schema is wanted. Add a stage's table module to this list when it gains tables.
    from worker.storage import (  # noqa: F401 - registers the tables
        models,
        profile_tables,
        work_items,
    )

    return models.Base.metadata
