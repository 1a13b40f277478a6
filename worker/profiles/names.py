"""Area names and the fallback area, from the rules version the work was tagged with."""

from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from worker.storage.work_items import TaggingStateRow


def area_names(conn: Connection) -> tuple[dict[str, str], str | None]:
    """Display names of the areas and the fallback area, from the rules version the work
    was tagged with (empty when unknown: reports then show the keys)."""
    from worker.rules.store import stored_version

    version = conn.execute(select(TaggingStateRow.rules_version)).scalar()
    if version is None:
        return {}, None
    with Session(bind=conn) as session:
        try:
            rules = stored_version(session, version)
        except Exception:  # a stored version that no longer parses: keys still work
            return {}, None
    if rules is None:
        return {}, None
    return {area.key: area.name for area in rules.areas.areas}, rules.areas.fallback
