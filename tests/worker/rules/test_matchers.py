"""Area matchers, each on its own, the three modes, and the index against the plain loop."""

from __future__ import annotations

import dataclasses
import random
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.worker.rules.ruleskit import write_rules
from worker.rules import CompiledRules, Directory, Facts, FieldInfo, compile_rules, load_rules

FIELD = 900
DIRECTORY = Directory(
    groups={101: "Tier 1 - General", 102: "Tier 2 - Technical", 103: "Tier 3 - Engineering"},
    fields={FIELD: FieldInfo("Product area", (("Billing & invoices", "pa_billing"),))},
)


def compiled(tmp_path: Path, areas: str, directory: Directory = DIRECTORY) -> CompiledRules:
    rules_dir = write_rules(tmp_path / "rules", areas=textwrap.dedent(areas))
    return compile_rules(load_rules(rules_dir), directory)


def one_area(when: str, mode: str = "first_match") -> str:
    """An area `hit` with the matcher(s) `when`, and the fallback `other`."""
    matchers = textwrap.indent(textwrap.dedent(when).strip(), " " * 6)
    return (
        f"mode: {mode}\nfallback: other\nareas:\n"
        f"  - key: hit\n    name: Hit\n    when:\n{matchers}\n"
        "  - key: other\n    name: Other\n"
    )


def area_of(rules: CompiledRules, **ticket: Any) -> str:
    facts = Facts(1, **ticket)
    indexed = rules.areas.classify(facts)
    assert indexed == rules.areas.classify_naive(Facts(1, **ticket))
    return indexed[0][0]


@pytest.mark.parametrize(
    ("when", "hits", "misses"),
    [
        ("- tags: {any: [billing, invoice]}", {"tags": ["x", "Invoice"]}, {"tags": ["x"]}),
        ("- tags: {all: [bug, api]}", {"tags": ["api", "bug", "x"]}, {"tags": ["bug"]}),
        (
            "- tags: {any: [api], none: [spam]}",
            {"tags": ["api"]},
            {"tags": ["api", "spam"]},
        ),
        ("- channel: [email, Web]", {"channel": "web"}, {"channel": "chat"}),
        ("- brand: [7]", {"brand_id": 7}, {"brand_id": 8}),
        ("- form: [11, 12]", {"form_id": 12}, {"form_id": None}),
        ("- group: [Tier 2 - Technical]", {"group_id": 102}, {"group_id": 101}),
        ("- group: [103]", {"group_id": 103}, {"group_id": 102}),
    ],
)
def test_each_ticket_attribute_matcher(
    tmp_path: Path, when: str, hits: dict[str, Any], misses: dict[str, Any]
) -> None:
    rules = compiled(tmp_path, one_area(when))
    assert area_of(rules, **hits) == "hit"
    assert area_of(rules, **misses) == "other"


def test_custom_field_by_title_id_option_name_and_multi_select(tmp_path: Path) -> None:
    by_title = compiled(
        tmp_path / "a", one_area("- custom_field: {field: Product area, in: [pa_billing]}")
    )
    by_id = compiled(
        tmp_path / "b", one_area(f"- custom_field: {{field: {FIELD}, in: [PA_Billing]}}")
    )
    # admins copy the option's name from Zendesk; the stored value is its tag
    by_name = compiled(
        tmp_path / "c", one_area("- custom_field: {field: product area, in: [Billing & invoices]}")
    )
    for rules in (by_title, by_id, by_name):
        assert area_of(rules, custom_fields={str(FIELD): "pa_billing"}) == "hit"
        assert area_of(rules, custom_fields={str(FIELD): ["x", "pa_billing"]}) == "hit"
        assert area_of(rules, custom_fields={str(FIELD): "pa_api"}) == "other"
        assert area_of(rules, custom_fields={}) == "other"


def test_unknown_field_and_group_names_never_match_and_are_warned_about(tmp_path: Path) -> None:
    rules = compiled(
        tmp_path,
        one_area("- custom_field: {field: Nope, in: [x]}\n- group: [Tier 9]"),
    )
    assert area_of(rules, custom_fields={"1": "x"}) == "other"
    assert rules.warnings == [
        "field 'Nope' is not in this help desk, so rules naming it never match",
        "group 'Tier 9' is not in this help desk, so rules naming it never match",
    ]


def test_keyword_lists_too_big_for_one_pass_still_match_and_are_warned_about(
    tmp_path: Path,
) -> None:
    # 50,000 keywords are beyond RE2's memory for one search pass (20,000 fit)
    keywords = [f"kw{n}x{n * 7919 % 100_003}" for n in range(50_000)]
    rules = compiled(tmp_path, one_area(f"- keywords: [{', '.join(keywords)}]"))
    assert rules.warnings == [
        "the rules have more keywords than fit one search pass; tagging still works, "
        "more slowly (fewer or shorter keywords would bring the fast search back)"
    ]
    assert area_of(rules, subject=f"About {keywords[-1]}, again") == "hit"
    assert area_of(rules, description=f"{keywords[0]}") == "hit"
    assert area_of(rules, subject=f"{keywords[0]}0 is another word") == "other"


@pytest.mark.parametrize(
    ("keyword", "subject", "matches"),
    [
        ("refund", "Refund please!", True),
        ("refund", "refunds please", False),  # whole words only
        ("refund*", "Refunds please", True),  # a prefix
        ("charged twice", "I was CHARGED, twice?", True),  # punctuation separates words
        ("charged twice", "charged me twice", False),
        ("two-factor", "two factor code", True),
        ("requires_action", "stuck in requires_action", True),
        ("429", "got a 429 back", True),
    ],
)
def test_keywords(tmp_path: Path, keyword: str, subject: str, matches: bool) -> None:
    rules = compiled(tmp_path, one_area(f'- keywords: ["{keyword}"]'))
    assert area_of(rules, subject=subject) == ("hit" if matches else "other")


def test_search_in_limits_keywords_and_patterns_to_subject_or_description(tmp_path: Path) -> None:
    rules = compiled(
        tmp_path,
        one_area(
            """
            - keywords: [invoice]
              search_in: [subject]
            - patterns: ['error \\d{3}']
              search_in: [description]
            """
        ),
    )
    assert area_of(rules, subject="invoice") == "hit"
    assert area_of(rules, description="invoice") == "other"
    assert area_of(rules, description="saw ERROR 502 today") == "hit"
    assert area_of(rules, subject="error 502") == "other"


def test_all_conditions_of_one_matcher_must_hold(tmp_path: Path) -> None:
    rules = compiled(tmp_path, one_area("- {tags: {any: [api]}, channel: [email]}"))
    assert area_of(rules, tags=["api"], channel="email") == "hit"
    assert area_of(rules, tags=["api"], channel="web") == "other"
    assert area_of(rules, channel="email") == "other"


def test_unless_excludes_an_area(tmp_path: Path) -> None:
    areas = one_area("- tags: {any: [billing]}").replace(
        "    name: Hit\n", "    name: Hit\n    unless:\n      - keywords: [spam]\n"
    )
    rules = compiled(tmp_path, areas)
    assert area_of(rules, tags=["billing"]) == "hit"
    assert area_of(rules, tags=["billing"], subject="spam offer") == "other"


MODES = """\
mode: {mode}
fallback: other
{extra}areas:
  - key: billing
    name: Billing
    when:
      - keywords: [invoice]
  - key: api
    name: API
    when:
      - tags: {{any: [api]}}
        weight: 5
      - keywords: [webhook]
  - key: other
    name: Other
"""


def test_first_match_takes_the_first_area_in_order(tmp_path: Path) -> None:
    rules = compiled(tmp_path, MODES.format(mode="first_match", extra=""))
    both = {"subject": "invoice webhook", "tags": ["api"]}
    assert rules.areas.classify(Facts(1, **both)) == (("billing", 1.0),)
    assert rules.areas.classify(Facts(2, subject="nothing")) == (("other", 1.0),)


def test_best_match_takes_the_heaviest_area_and_ties_go_to_the_first(tmp_path: Path) -> None:
    rules = compiled(tmp_path, MODES.format(mode="best_match", extra=""))
    assert rules.areas.classify(Facts(1, subject="invoice", tags=["api"])) == (("api", 1.0),)
    assert rules.areas.classify(Facts(2, subject="invoice webhook")) == (("billing", 1.0),)


def test_multi_shares_the_ticket_by_weight_and_drops_small_shares(tmp_path: Path) -> None:
    rules = compiled(tmp_path / "a", MODES.format(mode="multi", extra=""))
    shared = rules.areas.classify(Facts(1, subject="invoice webhook", tags=["api"]))
    assert shared == (("api", pytest.approx(6 / 7)), ("billing", pytest.approx(1 / 7)))
    strict = compiled(tmp_path / "b", MODES.format(mode="multi", extra="min_share: 0.2\n"))
    assert strict.areas.classify(Facts(1, subject="invoice webhook", tags=["api"])) == (
        ("api", 1.0),
    )
    assert strict.areas.classify(Facts(2, subject="invoice webhook")) == (
        ("billing", 0.5),
        ("api", 0.5),
    )


@pytest.mark.parametrize("mode", ["first_match", "best_match", "multi"])
def test_the_index_agrees_with_testing_every_matcher(mode: str) -> None:
    """The shipped rules, the indexed path against the plain loop, on random tickets."""
    rules_dir = Path(__file__).resolve().parents[3] / "rules"
    rules = load_rules(rules_dir)
    rules = dataclasses.replace(rules, areas=rules.areas.model_copy(update={"mode": mode}))
    directory = Directory(groups=DIRECTORY.groups, fields={FIELD: FieldInfo("Product area")})
    c = compile_rules(rules, directory)
    rng = random.Random(5)
    words = [
        "invoice",
        "refund",
        "login",
        "saml",
        "api",
        "webhook",
        "slack",
        "csv",
        "spam",
        "search",
        "dashboard",
        "the",
        "a",
    ]
    tags = ["billing", "api", "sso", "mobile", "bug", "x"]
    values = ["pa_billing", "pa_api", "pa_search", None]
    for n in range(3000):
        ticket = {
            "subject": " ".join(rng.choices(words, k=rng.randint(0, 5))),
            "description": " ".join(rng.choices(words, k=rng.randint(0, 12))),
            "tags": rng.sample(tags, rng.randint(0, 3)),
            "custom_fields": {str(FIELD): rng.choice(values)},
        }
        assert c.areas.classify(Facts(n, **ticket)) == c.areas.classify_naive(Facts(n, **ticket))
