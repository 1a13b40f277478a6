"""triage.yaml: defaults, the YAML `off` trap, and every error at its line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from worker.rules import RulesInvalid
from worker.triage.config import TriageFile, load_triage_config, validate_triage_file

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    target.mkdir()
    shutil.copy(ROOT / "rules" / "areas.yaml", target / "areas.yaml")
    return target


def write(rules_dir: Path, text: str) -> Path:
    path = rules_dir / "triage.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def errors(rules_dir: Path, text: str) -> list[str]:
    write(rules_dir, text)
    return [str(e) for e in validate_triage_file(rules_dir)]


def test_no_file_means_recommend_only(rules_dir: Path) -> None:
    config = load_triage_config(rules_dir)
    assert config == TriageFile()
    assert config.writeback == "off"
    assert not config.writes("tag")


def test_the_shipped_file_is_valid_and_says_the_defaults() -> None:
    assert validate_triage_file(ROOT / "rules") == []
    assert load_triage_config(ROOT / "rules") == TriageFile()


@pytest.mark.parametrize(
    ("text", "mode"),
    [("writeback: off\n", "off"), ("writeback: 'off'\n", "off"), ("writeback: note\n", "note")],
)
def test_writeback_modes(rules_dir: Path, text: str, mode: str) -> None:
    write(rules_dir, text)
    assert load_triage_config(rules_dir).writeback == mode


def test_each_mode_includes_the_ones_before_it() -> None:
    assign = TriageFile(writeback="assign")
    assert (assign.writes("tag"), assign.writes("note"), assign.writes("assign")) == (
        True,
        True,
        True,
    )
    tag = TriageFile(writeback="tag")
    assert (tag.writes("tag"), tag.writes("note"), tag.writes("assign")) == (True, False, False)


def test_errors_name_file_line_and_key(rules_dir: Path) -> None:
    path = rules_dir / "triage.yaml"
    found = errors(
        rules_dir,
        "writeback: on\nmax_agents: 0\nranking:\n  depht: 0.5\nskills:\n  min_depth: -1\n",
    )
    assert found == [
        f"{path}:1: writeback: write one of off, tag, note, assign (a bare `on` reads as true)",
        f"{path}:2: max_agents: Input should be greater than or equal to 1 (got 0)",
        f"{path}:4: ranking.depht: unknown key 'depht'; did you mean 'depth'?",
        f"{path}:6: skills.min_depth: Input should be greater than 0 (got -1)",
    ]
    with pytest.raises(RulesInvalid):
        load_triage_config(rules_dir)


def test_pins_and_exclusions_must_name_known_areas_and_not_clash(rules_dir: Path) -> None:
    path = rules_dir / "triage.yaml"
    found = errors(
        rules_dir,
        "skills:\n"
        "  pins:\n"
        "    - {agent: ann@example.com, areas: [billing, biling]}\n"
        "  exclusions:\n"
        "    - agent: ANN@example.com\n"
        "      areas:\n"
        "        - billing\n",
    )
    assert found[0].startswith(f"{path}:3: skills.pins[0].areas[1]: unknown area 'biling'")
    assert found[1] == (
        f"{path}:7: skills.exclusions[0].areas[0]: 'billing' is pinned for this agent on line 3"
    )
    assert len(found) == 2


def test_zero_weights_and_bad_yaml(rules_dir: Path) -> None:
    path = rules_dir / "triage.yaml"
    weights = "ranking: {depth: 0, tier_fit: 0, availability: 0}\n"
    assert errors(rules_dir, weights) == [
        f"{path}:1: ranking: at least one of depth, tier_fit and availability must be above 0"
    ]
    broken = errors(rules_dir, "writeback: [tag\n")
    assert len(broken) == 1
    assert broken[0].startswith(f"{path}:")
    assert "invalid YAML" in broken[0]


def test_an_empty_file_means_the_defaults(rules_dir: Path) -> None:
    write(rules_dir, "# nothing set\n")
    assert load_triage_config(rules_dir) == TriageFile()
