"""complexity.yaml compiled: a points score from features, and the tier it maps to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from worker.rules.areas import compile_field
from worker.rules.conditions import KeywordSet, field_values
from worker.rules.directory import Directory
from worker.rules.facts import Facts
from worker.rules.lexicon import Lexicon
from worker.rules.models import ComplexityFile, Condition, Feature
from worker.rules.patterns import compile_pattern
from worker.rules.sources import SOURCES, Kind

Test = Callable[[Any], bool]


@dataclass(frozen=True)
class FeatureTrace:
    name: str
    source: str
    value: str
    holds: bool
    points: int
    condition: str
    known_at_creation: bool


@dataclass(frozen=True, slots=True)
class TextValue:
    """A text source's value: the text, and the rule set's keywords found in it."""

    text: str
    hits: frozenset[str]


class CompiledFeature:
    __slots__ = (
        "check",
        "condition",
        "get",
        "known_at_creation",
        "name",
        "points",
        "source",
        "test",
    )

    def __init__(
        self,
        feature: Feature,
        directory: Directory,
        lexicon: Lexicon,
        note: Callable[[str], None],
    ) -> None:
        self.name = feature.name
        self.source = feature.source
        self.points = feature.points
        self.known_at_creation = feature.known_at_creation
        self.get = _getter(feature, directory, lexicon, note)
        self.test = _test(feature.when, SOURCES[feature.source].kind, lexicon)
        # test(get(facts)) in one call, for scoring
        self.check = _check(feature, self.get, self.test, lexicon)
        self.condition = describe(feature.when)

    def trace(self, facts: Facts) -> FeatureTrace:
        value = self.get(facts)
        holds = self.test(value)
        return FeatureTrace(
            self.name,
            self.source,
            _show(value),
            holds,
            self.points if holds else 0,
            self.condition,
            self.known_at_creation,
        )


class Scorer:
    def __init__(
        self,
        rules: ComplexityFile,
        directory: Directory,
        lexicon: Lexicon,
        note: Callable[[str], None],
    ) -> None:
        self.features = tuple(CompiledFeature(f, directory, lexicon, note) for f in rules.features)
        # features worth 0 points change no score: explain shows them, scoring skips them
        self._all = tuple((f.check, f.points) for f in self.features if f.points)
        self._creation = tuple(
            (f.check, f.points) for f in self.features if f.known_at_creation and f.points
        )
        self.tier_names = {t.tier: t.name for t in rules.tiers}
        self.tier2 = rules.tiers[1].min_score or 0
        self.tier3 = rules.tiers[2].min_score or 0

    def score(self, facts: Facts, *, at_creation: bool = False) -> int:
        total = 0
        for check, points in self._creation if at_creation else self._all:
            if check(facts):
                total += points
        return total

    def tier(self, score: int) -> int:
        if score >= self.tier3:
            return 3
        return 2 if score >= self.tier2 else 1

    def trace(self, facts: Facts) -> list[FeatureTrace]:
        return [f.trace(facts) for f in self.features]


def _getter(
    feature: Feature, directory: Directory, lexicon: Lexicon, note: Callable[[str], None]
) -> Callable[[Facts], Any]:
    source = feature.source
    kind = SOURCES[source].kind
    if source == "custom_field":
        assert feature.field is not None  # the cross-check requires it
        field = compile_field(feature.field, ["-"], directory, note)
        return field.raw
    if kind is Kind.TEXT:
        return lambda facts: TextValue(facts.text(source), lexicon.hits(facts, source))
    return lambda facts: getattr(facts, source)


Check = Callable[[Facts], bool]


def _check(feature: Feature, get: Callable[[Facts], Any], test: Test, lexicon: Lexicon) -> Check:
    """`test(get(facts))`, with the common single-condition features fused into one cheap
    predicate (scoring runs every feature on every ticket of a re-tag); each holds exactly
    when the general form does."""
    when = feature.when
    given = when.model_dump(exclude_none=True)
    source = feature.source
    kind = SOURCES[source].kind
    if len(given) != 1 or source == "custom_field":
        return lambda facts: test(get(facts))
    ((op, limit),) = given.items()
    if kind is Kind.NUMBER and op in _FUSED_BOUNDS:
        return _FUSED_BOUNDS[op](attrgetter(source), limit)
    if kind is Kind.TAGS and op == "any":
        any_of = frozenset(t.lower() for t in limit)
        return lambda facts: not any_of.isdisjoint(facts.tags)
    if kind is Kind.TEXT and op == "keywords":
        # the keyword hits alone decide: no need to build the TextValue
        keys = KeywordSet.compile(limit, lexicon).keys
        hits = lexicon.hits
        return lambda facts: not keys.isdisjoint(hits(facts, source))
    return lambda facts: test(get(facts))


_FUSED_BOUNDS: dict[str, Callable[[Any, float], Check]] = {
    "gt": lambda get, x: lambda facts: (v := get(facts)) is not None and v > x,
    "gte": lambda get, x: lambda facts: (v := get(facts)) is not None and v >= x,
    "lt": lambda get, x: lambda facts: (v := get(facts)) is not None and v < x,
    "lte": lambda get, x: lambda facts: (v := get(facts)) is not None and v <= x,
    "eq": lambda get, x: lambda facts: (v := get(facts)) is not None and v == x,
}


def _test(when: Condition, kind: Kind, lexicon: Lexicon) -> Test:
    """One predicate on the feature's value; every condition given must hold."""
    tests: list[Test] = []
    if when.present is not None:
        wanted = when.present
        tests.append(lambda v: (v is not None) is wanted)
    bounds = [
        (when.gt, lambda v, x: v > x),
        (when.gte, lambda v, x: v >= x),
        (when.lt, lambda v, x: v < x),
        (when.lte, lambda v, x: v <= x),
        (when.eq, lambda v, x: v == x),
    ]
    for limit, compare in bounds:
        if limit is not None:
            tests.append(_bound(limit, compare))
    if when.in_ is not None:
        values = frozenset(v.lower() for v in when.in_)
        tests.append(lambda v: v is not None and not values.isdisjoint(field_values(v)))
    if kind is Kind.TAGS:
        tests += _tag_tests(when)
    if when.keywords:
        keys = KeywordSet.compile(when.keywords, lexicon).keys
        tests.append(lambda v: not keys.isdisjoint(v.hits))
    if when.patterns:
        regexes = [compile_pattern(p) for p in when.patterns]
        tests.append(lambda v: any(r.search(v.text) is not None for r in regexes))
    if len(tests) == 1:
        return tests[0]
    return lambda v: all(t(v) for t in tests)


def _bound(limit: float, compare: Callable[[Any, float], bool]) -> Test:
    return lambda v: v is not None and compare(v, limit)


def _tag_tests(when: Condition) -> list[Test]:
    tests: list[Test] = []
    if when.any:
        any_of = frozenset(t.lower() for t in when.any)
        tests.append(lambda v: not any_of.isdisjoint(v))
    if when.all:
        all_of = frozenset(t.lower() for t in when.all)
        tests.append(lambda v: all_of <= v)
    if when.none:
        none_of = frozenset(t.lower() for t in when.none)
        tests.append(lambda v: none_of.isdisjoint(v))
    return tests


_OPS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "eq": "="}


def describe(when: Condition) -> str:
    """The condition as a short formula, for explain: `>= 4`, `in high, urgent`."""
    parts = []
    for name, value in when.model_dump(by_alias=True, exclude_none=True).items():
        if name in _OPS:
            parts.append(f"{_OPS[name]} {value:g}")
        elif name == "present":
            parts.append("is known" if value else "is unknown")
        else:
            shown = ", ".join(str(v) for v in value[:4])
            more = f", ... ({len(value)} in all)" if len(value) > 4 else ""
            parts.append(f"{name} {shown}{more}")
    return " and ".join(parts)


def _show(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, TextValue):
        raw = value.text.replace("\n", " ")
        return repr(raw if len(raw) <= 60 else raw[:57] + "...")
    if isinstance(value, frozenset):
        return ", ".join(sorted(value)) or "none"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)
