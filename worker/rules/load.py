"""Read and validate the rule files: a RuleSet, or every error found in them.

The version of a rule set is a hash of its validated content, not of the file text, so a
comment or a reformatted line does not force a re-tag of the whole history.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from worker.rules.crosscheck import area_keys, check_areas, check_attribution, check_complexity
from worker.rules.errors import Located, RuleError, RulesInvalid, format_path
from worker.rules.models import FILE_MODELS, AreasFile, AttributionFile, ComplexityFile
from worker.rules.yaml_lines import parse_yaml

AREAS, COMPLEXITY, ATTRIBUTION = "areas.yaml", "complexity.yaml", "attribution.yaml"
FILES = (AREAS, COMPLEXITY, ATTRIBUTION)

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class RuleSet:
    areas: AreasFile
    complexity: ComplexityFile
    attribution: AttributionFile
    # the files as the admin wrote them, comments included
    sources: Mapping[str, str] = field(compare=False)
    version: str

    @property
    def canonical(self) -> str:
        return canonical_json(self.areas, self.complexity, self.attribution)


def canonical_json(areas: AreasFile, complexity: ComplexityFile, attrib: AttributionFile) -> str:
    content = {
        AREAS: areas.model_dump(mode="json", by_alias=True),
        COMPLEXITY: complexity.model_dump(mode="json", by_alias=True),
        ATTRIBUTION: attrib.model_dump(mode="json", by_alias=True),
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def version_of(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def read_sources(rules_dir: Path) -> dict[str, str | None]:
    """Each rule file's text, or None where the file does not exist."""
    out: dict[str, str | None] = {}
    for name in FILES:
        try:
            out[name] = (rules_dir / name).read_text(encoding="utf-8")
        except FileNotFoundError:
            out[name] = None
    return out


def load_rules(rules_dir: Path) -> RuleSet:
    """The rule set in `rules_dir`; raises RulesInvalid listing every error."""
    return rules_from_sources(read_sources(rules_dir), rules_dir)


def check_rules(rules_dir: Path) -> tuple[RuleSet | None, list[RuleError]]:
    try:
        return load_rules(rules_dir), []
    except RulesInvalid as exc:
        return None, exc.errors


def rules_from_sources(sources: Mapping[str, str | None], rules_dir: Path) -> RuleSet:
    errors: list[RuleError] = []
    models: dict[str, Any] = {}
    parsed_data: dict[str, Any] = {}
    located: dict[str, Located] = {}
    for name in FILES:
        display = str(rules_dir / name)
        text = sources.get(name)
        if text is None:
            errors.append(RuleError(display, 1, "", "file not found"))
            continue
        parsed = parse_yaml(text)
        at = located[name] = Located(display, parsed)
        errors += [
            RuleError(display, p.line, format_path(p.path), p.message) for p in parsed.problems
        ]
        if parsed.data is None:
            if not parsed.problems:
                errors.append(at.error((), "the file is empty"))
            continue
        parsed_data[name] = parsed.data
        model = _validate(FILE_MODELS[name], parsed.data, at, errors)
        if model is not None:
            models[name] = model

    # the second pass reads the parsed files, so one broken value hides no other error
    keys = area_keys(parsed_data[AREAS]) if AREAS in parsed_data else None
    if AREAS in parsed_data:
        errors += check_areas(parsed_data[AREAS], located[AREAS])
    if COMPLEXITY in parsed_data:
        errors += check_complexity(parsed_data[COMPLEXITY], located[COMPLEXITY], keys)
    if ATTRIBUTION in parsed_data:
        errors += check_attribution(parsed_data[ATTRIBUTION], located[ATTRIBUTION])

    areas: AreasFile | None = models.get(AREAS)
    complexity: ComplexityFile | None = models.get(COMPLEXITY)
    attribution: AttributionFile | None = models.get(ATTRIBUTION)
    if errors:
        raise RulesInvalid(list(dict.fromkeys(errors)))
    assert areas is not None
    assert complexity is not None
    assert attribution is not None
    canonical = canonical_json(areas, complexity, attribution)
    return RuleSet(
        areas=areas,
        complexity=complexity,
        attribution=attribution,
        sources={name: sources[name] or "" for name in FILES},
        version=version_of(canonical),
    )


def _validate(model: type[M], data: Any, at: Located, errors: list[RuleError]) -> M | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors += at.from_validation(exc, model)
        return None
