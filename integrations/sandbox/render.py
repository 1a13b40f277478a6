"""Zendesk's JSON shapes for the generated objects, with the keys and types of the recorded
real responses (see tests/integrations/sandbox/test_contract.py)."""

from __future__ import annotations

from typing import Any

from integrations.sandbox import ids
from integrations.sandbox.generator import Desk, TicketView
from integrations.sandbox.people import Agent, Group, end_user_created_at
from integrations.sandbox.state import iso, metric_set
from integrations.sandbox.text import end_user_name, html_body, plain_body
from integrations.sandbox.tickets import SUBJECT, Audit, Change, Comment

Json = dict[str, Any]

PRODUCT_AREA_FIELD_ID = ids.FIELD_BASE + 1
PLAN_FIELD_ID = ids.FIELD_BASE + 2
_SYSTEM_FIELDS = (
    ("subject", "Subject"),
    ("description", "Description"),
    ("status", "Status"),
    ("tickettype", "Type"),
    ("priority", "Priority"),
    ("group", "Group"),
    ("assignee", "Assignee"),
)
_STATUS_IDS = {
    status: ids.CUSTOM_STATUS_BASE + n
    for n, status in enumerate(("new", "open", "pending", "hold", "solved", "closed", "deleted"))
}
_TIME_ZONES = (
    ("Eastern Time (US & Canada)", "America/New_York"),
    ("London", "Europe/London"),
    ("Berlin", "Europe/Berlin"),
    ("Pacific Time (US & Canada)", "America/Los_Angeles"),
    ("New Delhi", "Asia/Kolkata"),
    ("Sydney", "Australia/Sydney"),
)
_SOURCE: Json = {"from": {}, "to": {}, "rel": None}


def organization_of(end_user_index: int, organizations: int) -> int | None:
    if end_user_index % 5 == 0:
        return None
    return ids.ORGANIZATION_BASE + 1 + (end_user_index * 7_919) % organizations


def _satisfaction(ticket_id: int, score: str, comment: str) -> Json:
    if score in ("good", "bad"):
        return {"id": ids.RATING_BASE + ticket_id, "score": score, "comment": comment}
    return {"score": score}


def ticket_json(desk: Desk, view: TicketView, base: str, with_metrics: bool) -> Json:
    plan, state = view.plan, view.state
    custom_fields: list[Json] = [
        {"id": PRODUCT_AREA_FIELD_ID, "value": plan.field_value},
        {"id": PLAN_FIELD_ID, "value": plan.plan_value},
    ]
    requester_index = plan.requester_id - ids.END_USER_BASE - 1
    csat_comment = "Quick and helpful, thank you!" if plan.csat == "good" else "Took too long."
    ticket: Json = {
        "url": f"{base}/api/v2/tickets/{plan.id}.json",
        "id": plan.id,
        "external_id": None,
        "via": {"channel": plan.channel, "source": _SOURCE},
        "created_at": iso(state.created_at),
        "updated_at": iso(state.updated_at),
        "type": state.type,
        "subject": view.texts.subject,
        "raw_subject": view.texts.subject,
        "description": view.texts.description,
        "priority": state.priority,
        "status": state.status,
        "recipient": "support@sandbox.example" if plan.channel == "email" else None,
        "requester_id": plan.requester_id,
        "submitter_id": plan.requester_id,
        "assignee_id": state.assignee_id,
        "organization_id": organization_of(requester_index, desk.staff.organizations),
        "group_id": state.group_id,
        "collaborator_ids": [],
        "follower_ids": [],
        "email_cc_ids": [],
        "forum_topic_id": None,
        "problem_id": None,
        "has_incidents": False,
        "is_public": True,
        "due_at": None,
        "tags": list(state.tags),
        "custom_fields": custom_fields,
        "satisfaction_rating": _satisfaction(plan.id, plan.csat, csat_comment),
        "sharing_agreement_ids": [],
        "custom_status_id": _STATUS_IDS.get(state.status, _STATUS_IDS["open"]),
        "fields": [dict(f) for f in custom_fields],
        "followup_ids": [],
        "ticket_form_id": plan.form_id,
        "brand_id": ids.BRAND_ID,
        "allow_channelback": False,
        "allow_attachments": True,
        "from_messaging_channel": False,
        "generated_timestamp": state.updated_at,
    }
    if with_metrics:
        ticket["metric_set"] = metric_set(plan.id, view.audits, base)
    return ticket


def _user_base(user_id: int, base: str) -> Json:
    return {"id": user_id, "url": f"{base}/api/v2/users/{user_id}.json"}


def _user_common(time_zone: tuple[str, str]) -> Json:
    return {
        "time_zone": time_zone[0],
        "iana_time_zone": time_zone[1],
        "phone": None,
        "shared_phone_number": None,
        "photo": None,
        "locale_id": 1,
        "locale": "en-US",
        "verified": True,
        "external_id": None,
        "alias": None,
        "shared": False,
        "shared_agent": False,
        "two_factor_auth_enabled": None,
        "signature": None,
        "details": None,
        "notes": None,
        "custom_role_id": None,
        "moderator": False,
        "only_private_comments": False,
        "report_csv": False,
    }


def agent_json(agent: Agent, desk: Desk, base: str) -> Json:
    user = _user_base(agent.id, base)
    user.update(
        {
            "name": agent.name,
            "email": agent.email,
            "created_at": iso(agent.started_at),
            "updated_at": iso(agent.updated_at),
            **_user_common(_TIME_ZONES[agent.id % len(_TIME_ZONES)]),
            "organization_id": None,
            "role": agent.role,
            "tags": [f"tier{agent.tier}"],
            # Leavers are deleted users in Zendesk: active false.
            "active": agent.status != "leaver",
            "last_login_at": iso(agent.ended_at if agent.ended_at is not None else desk.end),
            "role_type": None,
            "ticket_restriction": None,
            "restricted_agent": False,
            "suspended": agent.status == "suspended",
            "default_group_id": desk.staff.group_of_tier(agent.tier).id,
            "user_fields": {"career_interests": agent.career_interests},
        }
    )
    # Keys in the order of the recorded users, for readers who diff by eye.
    return user


def end_user_json(index: int, desk: Desk, base: str) -> Json:
    user_id = ids.END_USER_BASE + index + 1
    name = end_user_name(index)
    created = iso(end_user_created_at(desk.start, desk.staff.end_users, index))
    user = _user_base(user_id, base)
    user.update(
        {
            "name": name,
            "email": f"customer{index + 1}@customers.example",
            "created_at": created,
            "updated_at": created,
            **_user_common(_TIME_ZONES[index % len(_TIME_ZONES)]),
            "organization_id": organization_of(index, desk.staff.organizations),
            "role": "end-user",
            "tags": [],
            "active": True,
            "last_login_at": None,
            "role_type": None,
            "ticket_restriction": "requested",
            "restricted_agent": True,
            "suspended": False,
            "default_group_id": None,
            "user_fields": {"career_interests": None},
        }
    )
    return user


def user_json(desk: Desk, user_id: int, base: str) -> Json | None:
    agent = desk.agents_by_id.get(user_id)
    if agent is not None:
        return agent_json(agent, desk, base)
    index = user_id - ids.END_USER_BASE - 1
    if 0 <= index < desk.staff.end_users:
        return end_user_json(index, desk, base)
    return None


def group_json(group: Group, base: str) -> Json:
    created = iso(group.created_at)
    return {
        "url": f"{base}/api/v2/groups/{group.id}.json",
        "id": group.id,
        "is_public": True,
        "name": group.name,
        "description": f"Tier {group.tier} support",
        "default": group.tier == 1,
        "deleted": False,
        "created_at": created,
        "updated_at": created,
    }


def _field(field_id: int, field_type: str, title: str, created: str | None, base: str) -> Json:
    return {
        "url": f"{base}/api/v2/ticket_fields/{field_id}.json",
        "id": field_id,
        "type": field_type,
        "title": title,
        "raw_title": title,
        "description": "",
        "raw_description": "",
        "position": field_id % 100,
        "active": True,
        "required": False,
        "collapsed_for_agents": False,
        "regexp_for_validation": None,
        "title_in_portal": title,
        "raw_title_in_portal": title,
        "visible_in_portal": field_type in ("subject", "description"),
        "editable_in_portal": field_type in ("subject", "description"),
        "required_in_portal": False,
        "tag": None,
        "created_at": created,
        "updated_at": created,
        "removable": field_id >= ids.FIELD_BASE,
        "key": None,
        "agent_description": None,
    }


def ticket_fields_json(desk: Desk, base: str) -> list[Json]:
    created = iso(desk.start - 900 * 86_400)
    fields = [
        _field(ids.FIELD_BASE - 100 + n, kind, title, created, base)
        for n, (kind, title) in enumerate(_SYSTEM_FIELDS)
    ]
    area_field = _field(PRODUCT_AREA_FIELD_ID, "tagger", "Product area", created, base)
    area_field["custom_field_options"] = [
        {
            "id": ids.FIELD_BASE + 1_000 + n,
            "name": area.name,
            "raw_name": area.name,
            "value": area.field_value,
            "default": False,
        }
        for n, area in enumerate(desk.staff.areas)
    ]
    plan_field = _field(PLAN_FIELD_ID, "tagger", "Customer plan", created, base)
    plan_field["custom_field_options"] = [
        {"id": ids.FIELD_BASE + 2_000 + n, "name": name, "raw_name": name, "value": value,
         "default": False}
        for n, (name, value) in enumerate(
            (("Free", "plan_free"), ("Pro", "plan_pro"), ("Enterprise", "plan_enterprise"))
        )
    ]  # fmt: skip
    return [*fields, area_field, plan_field]


def _comment_fields(
    desk: Desk, view: TicketView, audit: Audit, index: int, comment: Comment
) -> Json:
    body = desk.comment_text(view, audit.seq, index)
    return {
        "type": "Comment",
        "author_id": comment.author,
        "body": body,
        "html_body": html_body(body),
        "plain_body": plain_body(body),
        "public": comment.public,
        "attachments": [],
        "audit_id": ids.audit_id(view.plan.id, audit.seq),
    }


def audit_event_json(desk: Desk, view: TicketView, audit: Audit, with_comments: bool) -> Json:
    """One audit of the incremental ticket event export, with its child events."""
    ticket_id = view.plan.id
    children: list[Json] = []
    for index, child in enumerate(audit.children):
        child_id = ids.child_event_id(ticket_id, audit.seq, index)
        if isinstance(child, Comment):
            if not with_comments:
                continue
            event: Json = {"id": child_id, "via": audit.via, "via_reference_id": None}
            event.update(_comment_fields(desk, view, audit, index, child))
            event.update(
                {"event_type": "Comment", "comment_present": True, "comment_public": child.public}
            )
            children.append(event)
            continue
        value = view.texts.subject if child.value == SUBJECT else child.value
        kind = "Change" if isinstance(child, Change) else "Create"
        event = {
            "id": child_id,
            "via": audit.via,
            "via_reference_id": None,
            "type": kind,
            "event_type": kind,
            "field_name": child.field,
            "value": value,
            child.field: value,
        }
        if isinstance(child, Change):
            event["previous_value"] = child.previous
        children.append(event)
    return {
        "id": ids.audit_id(ticket_id, audit.seq),
        "ticket_id": ticket_id,
        "timestamp": audit.ts,
        "created_at": iso(audit.ts),
        "updater_id": audit.author,
        "via": audit.via,
        "system": {},
        "event_type": "Audit",
        "merged_ticket_ids": [],
        "child_events": children,
    }


def comments_json(desk: Desk, view: TicketView) -> list[Json]:
    """All comments of a ticket, oldest first, as /tickets/{id}/comments.json lists them."""
    comments: list[Json] = []
    for audit in view.audits:
        for index, child in enumerate(audit.children):
            if isinstance(child, Comment):
                comment: Json = {"id": ids.child_event_id(view.plan.id, audit.seq, index)}
                comment.update(_comment_fields(desk, view, audit, index, child))
                comment["via"] = {"channel": _via_channel(audit.via), "source": _SOURCE}
                comment["created_at"] = iso(audit.ts)
                comment["metadata"] = {"system": {}, "custom": {}}
                comments.append(comment)
    return comments


def _via_channel(via: str) -> str:
    return {"Mail": "email", "Web form": "web", "Chat": "chat", "API": "api"}.get(via, "rule")
