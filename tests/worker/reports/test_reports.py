from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.worker.reports.reportkit import (
    ANN,
    BO,
    CY,
    DEE,
    EVE,
    build_desk,
    settings_for,
    write_rules,
)
from worker.profiles.read import load_profiles
from worker.reports.build import ReportError, build_reports, write_reports


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    return write_rules(tmp_path / "rules")


@pytest.fixture
def desk_url(engine: Engine, db_url: str, rules_dir: Path) -> str:
    build_desk(engine, rules_dir)
    return db_url


def _build(engine: Engine, url: str, rules_dir: Path, kinds: list[str], **kw: object):  # type: ignore[no-untyped-def]
    return build_reports(engine, settings_for(url, rules_dir), kinds, **kw)  # type: ignore[arg-type]


def test_specialization_labels_and_top_areas(
    engine: Engine, desk_url: str, rules_dir: Path
) -> None:
    report = _build(engine, desk_url, rules_dir, ["specialization"]).specialization
    people = {p.agent_id: p for p in report.people}
    assert people[ANN].label == "specialist"
    assert people[ANN].top_areas[0].area == "billing"
    assert people[BO].label == "specialist"
    assert people[CY].label == "generalist"
    assert [t.area for t in people[CY].top_areas] == ["api", "mobile", "billing"]
    assert people[CY].concentration == pytest.approx(people[CY].top_areas[0].share)
    # Ann's tickets: 12 tier 3 and 2 tier 1 (the notes on Cy's tickets)
    assert people[ANN].tier_counts == {"1": 2, "2": 0, "3": 12}
    # active people first, the one who left last
    assert report.people[-1].agent_id == EVE
    # the deepest person in an area has the darkest cell
    assert people[ANN].cells["billing"].intensity == 1.0
    assert 0 < people[CY].cells["billing"].intensity < 1


def test_coverage_puts_single_points_of_failure_first(
    engine: Engine, desk_url: str, rules_dir: Path
) -> None:
    report = _build(engine, desk_url, rules_dir, ["coverage"]).coverage
    areas = {a.area.key: a for a in report.areas}
    assert [a.area.key for a in report.areas] == ["billing", "mobile", "api"]
    # Ann alone holds more than half of billing; Cy is all that is left of mobile
    assert (areas["billing"].bus_factor, areas["mobile"].bus_factor) == (1, 1)
    assert [h.agent_id for h in areas["billing"].holders] == [ANN]
    assert areas["billing"].single_point_of_failure
    # API: Dee and Bo are both needed to reach half; needs.yaml wants 3 experts
    assert areas["api"].bus_factor == 2
    assert {h.agent_id for h in areas["api"].experts} == {DEE, BO}
    assert areas["api"].short_of_need
    assert areas["api"].needed_experts == 3
    assert not areas["api"].single_point_of_failure
    # Eve left: her mobile depth no longer covers anything, but it shows as lost
    assert EVE not in {h.agent_id for h in areas["mobile"].experts}
    assert areas["mobile"].departed_share == pytest.approx(
        _depth(engine, EVE, "mobile")
        / (_depth(engine, EVE, "mobile") + _depth(engine, CY, "mobile"))
    )
    # Dee's API work is all recent; Bo's is older than the window and only decays
    risers = [r.agent_id for r in areas["api"].rising]
    assert risers[0] == DEE
    assert BO not in risers


def _depth(engine: Engine, agent: int, area: str) -> float:
    return load_profiles(engine).agents[agent].depth_in(area)


def test_candidates_carry_their_evidence_and_growth_paths(
    engine: Engine, desk_url: str, rules_dir: Path
) -> None:
    report = _build(engine, desk_url, rules_dir, ["candidates"]).candidates
    slates = {(s.role.key, s.area): s for s in report.slates}
    senior = slates[("senior_rep", None)]
    assert [c.agent_id for c in senior.nominees] == [ANN]
    ann = senior.nominees[0]
    assert all(r.met for r in ann.criteria)
    csat = next(r for r in ann.criteria if r.name == "csat")
    assert (csat.value, csat.sample, csat.threshold) == (1.0, 10, 0.8)
    # her most recent tier-3 solved tickets: ids 1..5 (ticket 1 is the newest)
    assert ann.evidence_ticket_ids == [1, 2, 3, 4, 5]
    bo = next(c for c in senior.next_in_line if c.agent_id == BO)
    assert not bo.nominee
    assert bo.gaps == [
        "2 more tickets helping a colleague with an internal note",
        "1 more escalation taken over from colleagues",
        "CSAT sample too small: 6 of 10 rated tickets",
    ]

    billing = slates[("embedded", "billing")]
    assert [c.agent_id for c in billing.nominees] == [ANN]
    # Ann wrote "Billing" in her Zendesk field, and needs.yaml asks for this role there
    assert billing.nominees[0].interested
    assert billing.nominees[0].interest_matches_need
    api = slates[("embedded", "api")]
    assert [c.agent_id for c in api.nominees] == [BO]
    # interests.yaml: Bo wants the role; no need for it in API
    assert api.nominees[0].interested
    assert not api.nominees[0].interest_matches_need
    dee = api.next_in_line[0]
    assert dee.agent_id == DEE
    assert dee.gaps == [
        "CSAT sample too small in Api: 0 of 5 rated tickets",
        "5 more months on the team",
    ]
    # only active people are considered: Eve is nowhere
    assert all(c.agent_id != EVE for s in report.slates for c in s.nominees + s.next_in_line)


def test_an_area_managers_copy_holds_only_that_area(
    engine: Engine, desk_url: str, rules_dir: Path
) -> None:
    reports = _build(engine, desk_url, rules_dir, ["all"], area="mobile")
    assert [a.area.key for a in reports.coverage.areas] == ["mobile"]
    assert {p.agent_id for p in reports.specialization.people} == {CY, EVE}
    assert all(s.area in (None, "mobile") for s in reports.candidates.slates)
    listed = {c.agent_id for s in reports.candidates.slates for c in s.nominees + s.next_in_line}
    assert listed <= {CY}
    with pytest.raises(ReportError, match="no profiles in area"):
        _build(engine, desk_url, rules_dir, ["all"], area="nowhere")


def test_files_carry_the_same_data_in_every_format(
    engine: Engine, desk_url: str, rules_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    written = write_reports(
        engine, settings_for(desk_url, rules_dir), ["all"], out, ["html", "csv", "json"]
    )
    assert sorted(p.name for p in written) == sorted(
        ["report.html"]
        + [
            f"{k}.{f}"
            for k in ("specialization", "coverage", "candidates")
            for f in ("csv", "json")
        ]
    )
    doc = json.loads((out / "candidates.json").read_text())
    assert doc["report"] == "candidates"
    nominee = next(
        c for c in doc["candidates"] if c["status"] == "nominee" and c["role"] == "senior_rep"
    )
    assert {
        "role",
        "area",
        "agent_id",
        "agent_name",
        "score",
        "criteria",
        "evidence_ticket_ids",
    } <= set(nominee)
    assert {"name", "value", "threshold", "met"} <= set(nominee["criteria"][0])
    with (out / "candidates.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    # one CSV row per candidate and criterion, with the same values as the JSON
    assert len(rows) == sum(len(c["criteria"]) for c in doc["candidates"])
    for candidate in doc["candidates"]:
        key = (candidate["role"], candidate["area"] or "", str(candidate["agent_id"]))
        mine = [r for r in rows if (r["role"], r["area"], r["agent_id"]) == key]
        assert [r["criterion"] for r in mine] == [c["name"] for c in candidate["criteria"]]
        assert [r["met"] == "True" for r in mine] == [c["met"] for c in candidate["criteria"]]
        assert mine[0]["evidence_ticket_ids"] == " ".join(
            map(str, candidate["evidence_ticket_ids"])
        )
    coverage = json.loads((out / "coverage.json").read_text())
    with (out / "coverage.csv").open(encoding="utf-8-sig") as f:
        by_area = {r["area"]: r for r in csv.DictReader(f)}
    for area in coverage["areas"]:
        assert int(by_area[area["area"]]["bus_factor"]) == area["bus_factor"]


def test_the_html_is_one_self_contained_file(
    engine: Engine, desk_url: str, rules_dir: Path, tmp_path: Path
) -> None:
    [page] = write_reports(engine, settings_for(desk_url, rules_dir), ["all"], tmp_path, ["html"])
    text = page.read_text()
    # nothing fetched: no external scripts, styles, images or fonts
    assert not re.search(r"<(script|link|img|iframe)\b", text)
    assert "url(" not in text
    assert '<svg class="chart coverage"' in text
    assert '<svg class="chart spark"' in text
    for name in ("Ann Lee", "Bo Chen", "Dee Ng"):
        assert name in text
    assert "single point of failure" in text
    assert "CSAT sample too small in Api: 0 of 5 rated tickets" in text
