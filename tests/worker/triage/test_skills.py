"""Skills push against the sandbox's routing API: the dry-run diff, apply, a second run that
finds nothing to do, pins and exclusions, and skills nobody asked us to manage."""

from __future__ import annotations

from pydantic import SecretStr

from integrations.zendesk.routing import RoutingApi
from integrations.zendesk.writes import ZendeskWriter
from tests.worker.triage.triagekit import TriageDesk
from worker.triage.context import build_context
from worker.triage.skills import TIER_NAMES, push_skills


def _api(desk: TriageDesk) -> tuple[ZendeskWriter, RoutingApi]:
    sb = desk.sandbox
    writer = ZendeskWriter(sb.url, sb.email, SecretStr(sb.token), timeout_s=5)
    return writer, RoutingApi(writer.http)


def _skills(api: RoutingApi, agent_id: int) -> set[str]:
    return {v.name for v in api.agent_values(agent_id)}


def _folded(names: set[str]) -> set[str]:
    return {n.casefold() for n in names}


def test_dry_run_apply_and_nothing_left_to_do(desk: TriageDesk) -> None:
    desk.mode("'off'", skills="{min_depth: 3}")
    diff = push_skills(desk.engine, desk.settings, apply=False)
    assert not diff.applied
    assert diff.create_attributes == ["Product area", "Support tier"]
    assert diff.agents, "agents with depth 3 somewhere get skills"
    writer, api = _api(desk)
    with writer:
        assert api.attributes() == []  # a dry run writes nothing

        applied = push_skills(desk.engine, desk.settings, apply=True)
        assert applied.applied
        assert applied.agents == diff.agents
        context = build_context(desk.engine, desk.settings)
        names = context.compiled.areas.names
        for change in applied.agents:
            assert change.remove == ()
            held = _skills(api, change.agent_id)
            assert held == set(change.add)
            depths = context.expertise.get(change.agent_id, {})
            areas = {names[a] for a, d in depths.items() if d.depth >= 3 and a in names}
            assert held - set(TIER_NAMES.values()) == areas
            assert len(held & set(TIER_NAMES.values())) == 1
        inactive = [a for a in context.agents.values() if not a.active or a.suspended]
        for agent in inactive:
            assert _skills(api, agent.id) == set()

    again = push_skills(desk.engine, desk.settings, apply=False)
    assert again.agents == []
    assert again.create_attributes == []
    assert again.create_values == {}
    assert again.unchanged_agents == len(applied.agents)


def test_pins_exclusions_and_skills_we_do_not_manage(lite_desk: TriageDesk) -> None:
    desk = lite_desk
    context = build_context(desk.engine, desk.settings)
    names = context.compiled.areas.names
    active = sorted(a.id for a in context.agents.values() if a.active and not a.suspended)
    agent = active[0]
    depths = context.expertise.get(agent, {})
    strong = max(depths, key=lambda a: depths[a].depth)
    weak = next(a for a in names if a not in depths and a != context.compiled.areas.fallback)
    email = context.agents[agent].email
    desk.mode(
        "'off'",
        skills=f"{{min_depth: 0.5, pins: [{{agent: '{email}', areas: [{weak}]}}], "
        f"exclusions: [{{agent: {agent}, areas: [{strong}]}}, "
        f"{{agent: nobody@example.com, areas: [{weak}]}}]}}",
    )
    writer, api = _api(desk)
    with writer:
        # an admin's own skills: another skill type, a hand-made area skill, and a skill
        # of ours that measurements do not support
        language = api.create_attribute("Language")
        german = api.create_value(language.id, "German")
        area_type = api.create_attribute("product AREA")
        legacy = api.create_value(area_type.id, "Legacy console")
        unsupported = api.create_value(area_type.id, names[weak].upper())
        other = next(a for a in active[1:] if weak not in context.expertise.get(a, {}))
        api.set_agent_values(other, [german.id, legacy.id, unsupported.id])

        diff = push_skills(desk.engine, desk.settings, apply=True)
        assert diff.create_attributes == ["Support tier"]
        assert "exclusion for 'nobody@example.com': no such agent is stored" in diff.notes

        # the pinned skill existed with other letter case: it was reused, not made again
        held = _folded(_skills(api, agent))
        assert names[weak].casefold() in held
        assert names[strong].casefold() not in held
        # measurements do not support the other agent's area skill, so it goes; skills of
        # other types, and skills not named after an area, stay
        other_held = _skills(api, other)
        assert {"German", "Legacy console"} <= other_held
        assert names[weak].casefold() not in _folded(other_held)
        change = next(c for c in diff.agents if c.agent_id == other)
        assert names[weak] in change.remove
        # the existing skill type was reused, matched without regard to case
        assert [a.name for a in api.attributes()] == ["Language", "product AREA", "Support tier"]
