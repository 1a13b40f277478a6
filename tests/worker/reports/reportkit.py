"""A small help desk whose reports can be worked out by hand, and rule files to judge it by.

- Ann Lee: billing specialist (tier 3, rated well), helps colleagues, takes escalations;
  wants an embedded billing role (Zendesk field).
- Bo Chen: API specialist; wants the embedded role (interests.yaml).
- Cy Diaz: generalist, works billing, API and mobile alike.
- Dee Ng: joined two months ago, growing fast in API.
- Eve Old: left; held most of mobile a year ago.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from tests.worker.profiles.factory import AS_OF, Desk, days_ago
from worker.profiles.build import update_profiles
from worker.settings import Settings

ANN, BO, CY, DEE, EVE = 1, 2, 3, 4, 5
NAMES = {ANN: "Ann Lee", BO: "Bo Chen", CY: "Cy Diaz", DEE: "Dee Ng", EVE: "Eve Old"}

ROLES = """
scoring:
  tier_weights: {1: 1.0, 2: 2.0, 3: 4.0}
  breadth_min_share: 0.1
  expert_relative: 0.4
  expert_min_depth: 1
  specialist: {min_concentration: 0.5, max_spread: 0.2, min_depth: 1}
  growth_window_days: 90
roles:
  - key: senior_rep
    name: Senior Support Rep
    description: Masters the inbox.
    criteria:
      - {metric: solved, min: 10}
      - {metric: mentoring_notes, min: 2}
      - {metric: escalations_received, min: 1}
      - {metric: csat, min: 0.8, min_sample: 10}
  - key: embedded
    name: Product Support Engineer
    per_area: true
    nominees: 1
    next_in_line: 2
    criteria:
      - {metric: depth_percentile, min: 50}
      - {metric: concentration, min: 0.5}
      - {metric: tier3_tickets, min: 8}
      - {metric: csat, min: 0.8, min_sample: 5}
      - {metric: tenure_months, min: 6}
"""
NEEDS = """
needs:
  - {area: billing, role: embedded, why: Billing wants an embedded engineer.}
  - {area: api, min_experts: 3, why: API launch.}
"""
INTERESTS = """
interests:
  - {agent: bo@example.com, roles: [embedded]}
"""


def write_rules(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in (("roles.yaml", ROLES), ("needs.yaml", NEEDS), ("interests.yaml", INTERESTS)):
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def build_desk(engine: Engine, rules_dir: Path) -> Desk:
    desk = Desk(engine)
    desk.agent(ANN, NAMES[ANN], email="ann@example.com",
               user_fields={"career_interests": "Billing, team lead"})  # fmt: skip
    desk.agent(BO, NAMES[BO], email="bo@example.com")
    desk.agent(CY, NAMES[CY], email="cy@example.com")
    desk.agent(DEE, NAMES[DEE], email="dee@example.com", created_at=days_ago(60))
    desk.agent(EVE, NAMES[EVE], email="eve@example.com", active=False)
    ticket = 0

    def next_id() -> int:
        nonlocal ticket
        ticket += 1
        return ticket

    # Ann: 12 tier-3 billing tickets, 10 rated good, 1 escalated to her by Cy
    for i in range(12):
        desk.ticket(next_id(), area="billing", tier=3, at=days_ago(10 + i * 5), solver=ANN,
                    responders=[ANN], satisfaction="good" if i < 10 else None,
                    resolution_minutes=60 * (i + 1),
                    escalated_from=[CY] if i == 0 else [])  # fmt: skip
    # ...and notes on two of Cy's tickets
    for i in range(2):
        desk.ticket(next_id(), area="billing", tier=1, at=days_ago(20 + i), solver=CY,
                    collaborators=[ANN])  # fmt: skip
    # Bo: 10 tier-3 API tickets three to five months ago, 6 rated (5 good); one billing
    for i in range(10):
        desk.ticket(next_id(), area="api", tier=3, at=days_ago(100 + i * 6), solver=BO,
                    satisfaction=("good" if i < 5 else "bad") if i < 6 else None)  # fmt: skip
    desk.ticket(next_id(), area="billing", tier=1, at=days_ago(30), solver=BO)
    # Cy: generalist: tier 1 in billing, tier 2 in API and mobile
    for area, tier, count in (("billing", 1, 4), ("api", 2, 6), ("mobile", 2, 4)):
        for i in range(count):
            desk.ticket(next_id(), area=area, tier=tier, at=days_ago(5 + i * 5), solver=CY)
    # Dee: 8 tier-3 API tickets in her first weeks
    for i in range(8):
        desk.ticket(next_id(), area="api", tier=3, at=days_ago(2 + i), solver=DEE)
    # Eve: mobile, a year ago, before she left
    for i in range(8):
        desk.ticket(next_id(), area="mobile", tier=2, at=days_ago(330 + i), solver=EVE)
    update_profiles(engine, Settings(), as_of=AS_OF, rules_dir=rules_dir)
    return desk


def settings_for(db_url: str, rules_dir: Path, **values: object) -> Settings:
    return Settings(database_url=db_url, rules_dir=rules_dir, **values)  # type: ignore[arg-type]
