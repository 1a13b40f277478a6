"""Example tickets behind a nomination: what a manager opens to see the work for themselves."""

from __future__ import annotations

from sqlalchemy import Engine, case, desc, select

from worker.profiles.competency import Evidence
from worker.storage.work_items import WorkItemRow

W = WorkItemRow


def example_tickets(engine: Engine, limit: int = 5) -> Evidence:
    """Tickets they solved before those they only took part in, the hardest first, then
    the most recent (in the area, for a role in an area); at most `limit`, each once."""

    def find(agent_id: int, area: str | None) -> list[int]:
        query = (
            select(W.ticket_id)
            .where(W.agent_id == agent_id)
            .order_by(
                desc(case((W.role == "solver", 1), else_=0)),
                desc(W.tier),
                desc(W.at),
                W.ticket_id,
            )
            .limit(limit * 4)
        )
        if area is not None:
            query = query.where(W.area == area)
        with engine.connect() as conn:
            ids = list(dict.fromkeys(conn.execute(query).scalars()))
        return ids[:limit]

    return find
