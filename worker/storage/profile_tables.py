"""Tables the profiles stage writes: who knows what, how deeply, and how that grew.

Depth decays with age, so a stored depth is only right for one instant. Each row keeps the
decayed sum *anchored* at `profile_state.anchor` (`raw`: every item weighted by
2^((at - anchor) / half_life)); the depth as of any instant T is `raw * 2^(-(T - anchor) /
half_life)`. That is what lets a nightly run recompute only the work that changed and
still agree with a full rebuild: the rest of the history needs a rescale, not a re-read.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    Float,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from worker.storage.models import Base

# profile_months.area of the rows that count an agent's tickets over all areas at once
ALL_AREAS = "*"


class ProfileStateRow(Base):
    """One row (id 1): what the stored profiles were computed with, and up to when."""

    __tablename__ = "profile_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # the instant depths are stated at
    as_of: Mapped[datetime] = mapped_column(DateTime)
    # the instant `raw` sums are anchored at; moves only with a full rebuild
    anchor: Mapped[datetime] = mapped_column(DateTime)
    half_life_days: Mapped[float] = mapped_column(Float)
    # digest of the scoring settings in roles.yaml: a change forces a full rebuild
    scoring_digest: Mapped[str] = mapped_column(String(64))
    # tickets synced at or before this were tagged, and their work is in the profiles
    watermark: Mapped[datetime | None] = mapped_column(DateTime)
    # tagging's last full run when this profile run started: a newer one means every work
    # item may have changed (new rules), so the next profile run is a full rebuild
    tagging_full_run_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_run_at: Mapped[datetime] = mapped_column(DateTime)
    last_full_run_at: Mapped[datetime] = mapped_column(DateTime)


class ProfileSpanRow(Base):
    """The smallest and largest id of the tickets with work created in each month.

    A nightly run sums again only the months of the tickets re-tagged since the last run;
    the span lets it read just those months' tickets without an index on creation time.
    """

    __tablename__ = "profile_spans"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    min_ticket_id: Mapped[int] = mapped_column(BigInteger)
    max_ticket_id: Mapped[int] = mapped_column(BigInteger)


class ProfileMonthRow(Base):
    """One agent's work in one area on the tickets created in one month; area "*" is over
    all areas (a ticket in two areas counts once there).

    The monthly history profiles keep: the depth at the end of any month is the sum of
    `raw` up to that month, decayed to the month's end, so growth can be shown for every
    month without storing a copy of every profile every month.
    """

    __tablename__ = "profile_months"

    agent_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    area: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    raw: Mapped[float] = mapped_column(Float)
    tickets: Mapped[int] = mapped_column(Integer)
    tier1: Mapped[int] = mapped_column(Integer)
    tier2: Mapped[int] = mapped_column(Integer)
    tier3: Mapped[int] = mapped_column(Integer)
    solved: Mapped[int] = mapped_column(Integer)
    mentoring: Mapped[int] = mapped_column(Integer)
    escalations_received: Mapped[int] = mapped_column(Integer)
    csat_good: Mapped[int] = mapped_column(Integer)
    csat_bad: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(DateTime)
    last_at: Mapped[datetime] = mapped_column(DateTime)
    # full resolution minutes of the tickets solved, comma-separated: medians do not add
    # up month by month, so the values themselves are kept
    resolutions: Mapped[str] = mapped_column(Text)

    __table_args__ = ({"sqlite_with_rowid": False},)


class AreaProfileRow(Base):
    """An agent's expertise in one area (area "*": over all areas), as of profile_state.as_of."""

    __tablename__ = "area_profiles"

    agent_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    area: Mapped[str] = mapped_column(String(64), primary_key=True)
    raw: Mapped[float] = mapped_column(Float)
    # the depth: sum of role weight x tier weight x recency decay
    score: Mapped[float] = mapped_column(Float)
    tickets: Mapped[int] = mapped_column(Integer)
    tier1: Mapped[int] = mapped_column(Integer)
    tier2: Mapped[int] = mapped_column(Integer)
    tier3: Mapped[int] = mapped_column(Integer)
    solved: Mapped[int] = mapped_column(Integer)
    mentoring: Mapped[int] = mapped_column(Integer)
    escalations_received: Mapped[int] = mapped_column(Integer)
    csat_good: Mapped[int] = mapped_column(Integer)
    csat_bad: Mapped[int] = mapped_column(Integer)
    median_resolution_minutes: Mapped[float | None] = mapped_column(Float)
    first_at: Mapped[datetime] = mapped_column(DateTime)
    last_at: Mapped[datetime] = mapped_column(DateTime)


class AgentProfileRow(Base):
    """What is said about an agent as a whole, from their area profiles."""

    __tablename__ = "agent_profiles"

    agent_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # areas holding at least roles.yaml's scoring.breadth_min_share of the agent's depth
    breadth: Mapped[int] = mapped_column(Integer)
    # share of the agent's depth in their top area
    concentration: Mapped[float] = mapped_column(Float)
    top_area: Mapped[str | None] = mapped_column(String(64))
    # specialist, generalist, or emerging (too little recent work to tell)
    label: Mapped[str] = mapped_column(String(16))


__all__ = [
    "ALL_AREAS",
    "AgentProfileRow",
    "AreaProfileRow",
    "ProfileMonthRow",
    "ProfileSpanRow",
    "ProfileStateRow",
]
