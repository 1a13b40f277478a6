"""profiles: monthly sums, month spans, area and agent profiles, profile state

Revision ID: 0003_profiles
Revises: 0002_tagging
Create Date: 2026-11-23 10:05:00.000000
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003_profiles"
down_revision = "0002_tagging"
branch_labels = None
depends_on = None


def _activity_columns() -> list[sa.Column[Any]]:
    """The counts profile_months and area_profiles share."""
    return [
        sa.Column("raw", sa.Float(), nullable=False),
        *[
            sa.Column(name, sa.Integer(), nullable=False)
            for name in (
                "tickets",
                "tier1",
                "tier2",
                "tier3",
                "solved",
                "mentoring",
                "escalations_received",
                "csat_good",
                "csat_bad",
            )
        ],
    ]


def upgrade() -> None:
    op.create_table(
        "profile_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("as_of", sa.DateTime(), nullable=False),
        sa.Column("anchor", sa.DateTime(), nullable=False),
        sa.Column("half_life_days", sa.Float(), nullable=False),
        sa.Column("scoring_digest", sa.String(length=64), nullable=False),
        sa.Column("watermark", sa.DateTime(), nullable=True),
        sa.Column("tagging_full_run_at", sa.DateTime(), nullable=True),
        sa.Column("last_run_at", sa.DateTime(), nullable=False),
        sa.Column("last_full_run_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "profile_spans",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("min_ticket_id", sa.BigInteger(), nullable=False),
        sa.Column("max_ticket_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("month"),
    )
    op.create_table(
        "profile_months",
        sa.Column("agent_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        *_activity_columns(),
        sa.Column("first_at", sa.DateTime(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.Column("resolutions", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("agent_id", "area", "month"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "area_profiles",
        sa.Column("agent_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("raw", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        *_activity_columns()[1:],
        sa.Column("median_resolution_minutes", sa.Float(), nullable=True),
        sa.Column("first_at", sa.DateTime(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("agent_id", "area"),
    )
    op.create_table(
        "agent_profiles",
        sa.Column("agent_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("breadth", sa.Integer(), nullable=False),
        sa.Column("concentration", sa.Float(), nullable=False),
        sa.Column("top_area", sa.String(length=64), nullable=True),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("agent_id"),
    )


def downgrade() -> None:
    op.drop_table("agent_profiles")
    op.drop_table("area_profiles")
    op.drop_table("profile_months")
    op.drop_table("profile_spans")
    op.drop_table("profile_state")
