"""Id ranges: every kind of object gets its own range, so an id alone says what it is.

Tickets are 1..N like a young Zendesk account. Everything stays below 2**53 so JavaScript
clients read the ids exactly.
"""

from __future__ import annotations

GROUP_BASE = 5_100_000_000_000
AGENT_BASE = 5_200_000_000_000
END_USER_BASE = 5_300_000_000_000
FIELD_BASE = 5_400_000_000_000
BRAND_ID = 5_500_000_000_001
FORM_DEFAULT_ID = 5_500_000_000_101
FORM_TECHNICAL_ID = 5_500_000_000_102
CUSTOM_STATUS_BASE = 5_500_000_000_200
METRIC_SET_BASE = 5_600_000_000_000
RATING_BASE = 5_700_000_000_000
ORGANIZATION_BASE = 5_800_000_000_000
AUDIT_BASE = 20_000_000_000_000
CHILD_EVENT_BASE = 30_000_000_000_000

# Audits per ticket (generated and added by PUT) and child events per audit.
MAX_AUDITS = 1000
MAX_CHILDREN = 50

# Zendesk's updater_id for changes made by triggers and automations.
SYSTEM_USER_ID = -1


def audit_id(ticket_id: int, seq: int) -> int:
    return AUDIT_BASE + ticket_id * MAX_AUDITS + seq


def child_event_id(ticket_id: int, seq: int, index: int) -> int:
    return CHILD_EVENT_BASE + (ticket_id * MAX_AUDITS + seq) * MAX_CHILDREN + index


def split_audit_id(value: int) -> tuple[int, int]:
    """(ticket_id, seq) of an audit id."""
    return divmod(value - AUDIT_BASE, MAX_AUDITS)
