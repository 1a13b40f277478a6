"""areas.yaml compiled: which product area(s) a ticket belongs to, and why."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from worker.rules.conditions import (
    AttrIn,
    Condition,
    FieldIn,
    Keywords,
    KeywordSet,
    Patterns,
    TagsAll,
    TagsAny,
    TagsNone,
    field_values,
    text_part,
)
from worker.rules.directory import Directory
from worker.rules.facts import Facts
from worker.rules.lexicon import Lexicon
from worker.rules.models import AreasFile, Matcher

# (area key, share of the ticket), the primary area first
Areas = tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class ConditionTrace:
    label: str
    holds: bool
    why: str


@dataclass(frozen=True)
class MatcherTrace:
    index: int
    matched: bool
    conditions: tuple[ConditionTrace, ...]


@dataclass(frozen=True)
class AreaTrace:
    key: str
    name: str
    matched: bool
    when: tuple[MatcherTrace, ...]
    unless: tuple[MatcherTrace, ...]
    score: float


class CompiledMatcher:
    __slots__ = ("_tests", "conditions", "weight")

    def __init__(self, conditions: tuple[Condition, ...], weight: float) -> None:
        self.conditions = conditions
        self.weight = weight
        self._tests = tuple(c.test for c in conditions)

    def test(self, facts: Facts) -> bool:
        # a plain loop: measurably faster than all() on this hot path
        for test in self._tests:  # noqa: SIM110
            if not test(facts):
                return False
        return True

    def trace(self, index: int, facts: Facts) -> MatcherTrace:
        conditions = tuple(
            ConditionTrace(c.label, c.test(facts), c.why(facts)) for c in self.conditions
        )
        return MatcherTrace(index, all(c.holds for c in conditions), conditions)


class CompiledArea:
    __slots__ = ("key", "name", "unless", "when")

    def __init__(
        self,
        key: str,
        name: str,
        when: tuple[CompiledMatcher, ...],
        unless: tuple[CompiledMatcher, ...],
    ) -> None:
        self.key = key
        self.name = name
        self.when = when
        self.unless = unless

    def excluded(self, facts: Facts) -> bool:
        for matcher in self.unless:  # noqa: SIM110 - hot path, see test()
            if matcher.test(facts):
                return True
        return False

    def matches(self, facts: Facts) -> bool:
        for matcher in self.when:
            if matcher.test(facts):
                return not self.excluded(facts)
        return False

    def score(self, facts: Facts) -> float:
        total = sum(m.weight for m in self.when if m.test(facts))
        return 0.0 if total == 0 or self.excluded(facts) else total

    def trace(self, facts: Facts, multi: bool) -> AreaTrace:
        when = tuple(m.trace(i, facts) for i, m in enumerate(self.when))
        unless = tuple(m.trace(i, facts) for i, m in enumerate(self.unless))
        matched = any(t.matched for t in when) and not any(t.matched for t in unless)
        score = self.score(facts) if multi else float(matched)
        return AreaTrace(self.key, self.name, matched, when, unless, score)


class AreaClassifier:
    """Classifies through an index of the matchers: a ticket's tags, field values, group,
    brand, form, channel and keyword hits look up the matchers they can satisfy, so only
    those are tested. `classify_naive` tries every matcher; tests hold the two equal."""

    def __init__(
        self,
        rules: AreasFile,
        directory: Directory,
        lexicon: Lexicon,
        note: Callable[[str], None],
    ) -> None:
        self.mode = rules.mode
        self.multi = rules.mode != "first_match"  # weighs every area's matchers
        self.min_share = rules.min_share or 0.0
        self.fallback = rules.fallback
        self.lexicon = lexicon
        self.names = {a.key: a.name for a in rules.areas}
        self.keys = [a.key for a in rules.areas]
        self.areas = tuple(
            CompiledArea(
                a.key,
                a.name,
                tuple(_matcher(m, directory, lexicon, note) for m in a.when),
                tuple(_matcher(m, directory, lexicon, note) for m in a.unless),
            )
            for a in rules.areas
        )
        self._single = ((self.fallback, 1.0),)
        self._by_key = {a.key: ((a.key, 1.0),) for a in self.areas}
        self._index = _Index(self.areas)

    def classify(self, facts: Facts) -> Areas:
        index = self._index
        if self.mode == "first_match":
            return self._first_match(facts)
        matched = index.matched(facts, self.lexicon)
        if not matched:
            return self._single
        scores: dict[int, float] = {}
        for m in matched:
            position = index.area_of[m]
            scores[position] = scores.get(position, 0.0) + index.weight[m]
        for position in list(scores):
            area = self.areas[position]
            if area.unless and area.excluded(facts):
                del scores[position]
        if self.mode == "best_match":
            if not scores:
                return self._single
            # the highest score; on a tie the area listed first
            best = min(scores, key=lambda p: (-scores[p], p))
            return self._by_key[self.areas[best].key]
        return self.shares([(self.areas[p].key, score) for p, score in sorted(scores.items())])

    def _first_match(self, facts: Facts) -> Areas:
        """Matchers are numbered in area order, so trying the candidates in number order
        stops at the first area that matches; the others are never tested."""
        index = self._index
        direct, matchers, area_of = index.direct, index.matchers, index.area_of
        excluded = -1
        for m in sorted(index.candidates(facts, self.lexicon)):
            position = area_of[m]
            if position != excluded and (direct[m] or matchers[m].test(facts)):
                area = self.areas[position]
                if not area.unless or not area.excluded(facts):
                    return self._by_key[area.key]
                excluded = position
        return self._single

    def classify_naive(self, facts: Facts) -> Areas:
        """The same result as `classify`, by testing every matcher of every area."""
        if self.mode == "first_match":
            for area in self.areas:
                if area.matches(facts):
                    return self._by_key[area.key]
            return self._single
        if self.mode == "best_match":
            best, best_score = self.fallback, 0.0
            for area in self.areas:
                score = area.score(facts)
                if score > best_score:
                    best, best_score = area.key, score
            return self._by_key.get(best, self._single)
        return self.shares([(a.key, a.score(facts)) for a in self.areas])

    def shares(self, scores: list[tuple[str, float]]) -> Areas:
        """Multi mode: each area's share of the matched weight, small shares dropped."""
        scored = [(k, s) for k, s in scores if s > 0]
        total = sum(s for _, s in scored)
        if total <= 0:
            return self._single
        kept = [(k, s) for k, s in scored if s / total >= self.min_share] or scored
        kept_total = sum(s for _, s in kept)
        order = {k: i for i, k in enumerate(self.keys)}
        kept.sort(key=lambda ks: (-ks[1], order[ks[0]]))
        return tuple((k, round(s / kept_total, 6)) for k, s in kept)

    def trace(self, facts: Facts) -> list[AreaTrace]:
        """Every area in order, evaluated in full (explain wants the reasons, not speed)."""
        return [a.trace(facts, self.multi) for a in self.areas]


class _Index:
    """Matchers (of `when` lists, numbered across areas) by what can make them match."""

    def __init__(self, areas: tuple[CompiledArea, ...]) -> None:
        self.matchers: list[CompiledMatcher] = []
        self.area_of: list[int] = []
        self.weight: list[float] = []
        # True when the indexed condition is the matcher's only one: no test needed
        self.direct: list[bool] = []
        self.residual: list[int] = []
        self.tags: dict[str, list[int]] = defaultdict(list)
        self.fields: dict[tuple[str, ...], dict[str, list[int]]] = {}
        self.attrs: dict[str, dict[Any, list[int]]] = {}
        self.keywords: dict[str, dict[str, list[int]]] = {}
        for position, area in enumerate(areas):
            for matcher in area.when:
                self._add(len(self.matchers), matcher)
                self.matchers.append(matcher)
                self.area_of.append(position)
                self.weight.append(matcher.weight)
        self.tags = dict(self.tags)

    def _add(self, number: int, matcher: CompiledMatcher) -> None:
        key = _key_condition(matcher.conditions)
        self.direct.append(key is not None and len(matcher.conditions) == 1)
        if isinstance(key, FieldIn):
            by_value = self.fields.setdefault(key.field_keys, defaultdict(list))
            for value in key.values:
                by_value[value].append(number)
        elif isinstance(key, AttrIn):
            by_attr = self.attrs.setdefault(key.attr, defaultdict(list))
            for value in key.values:
                by_attr[value].append(number)
        elif isinstance(key, TagsAny):
            for tag in key.values:
                self.tags[tag].append(number)
        elif isinstance(key, Keywords):
            by_keyword = self.keywords.setdefault(key.part, defaultdict(list))
            for keyword in key.keywords.keys:
                by_keyword[keyword].append(number)
        else:
            self.residual.append(number)

    def matched(self, facts: Facts, lexicon: Lexicon) -> set[int]:
        """The matchers that hold."""
        direct, matchers = self.direct, self.matchers
        return {m for m in self.candidates(facts, lexicon) if direct[m] or matchers[m].test(facts)}

    def candidates(self, facts: Facts, lexicon: Lexicon) -> set[int]:
        """The matchers that may hold: those the ticket's values look up, and every matcher
        the index cannot select (tested on every ticket)."""
        found: set[int] = set(self.residual)
        tags = self.tags
        for tag in facts.tags:
            hit = tags.get(tag)
            if hit is not None:
                found.update(hit)
        custom = facts.custom_fields
        if custom:  # most tickets set few fields, many none
            for field_keys, by_value in self.fields.items():
                raw = None
                for key in field_keys:
                    raw = custom.get(key)
                    if raw is not None:
                        break
                if raw.__class__ is str and raw:  # a drop-down's one value: no set to build
                    hit = by_value.get(raw.lower())
                    if hit is not None:
                        found.update(hit)
                    continue
                for value in field_values(raw):
                    hit = by_value.get(value)
                    if hit is not None:
                        found.update(hit)
        for attr, by_attr in self.attrs.items():
            hit = by_attr.get(getattr(facts, attr))
            if hit is not None:
                found.update(hit)
        for part, by_keyword in self.keywords.items():
            for keyword in lexicon.hits(facts, part):
                hit = by_keyword.get(keyword)
                if hit is not None:
                    found.update(hit)
        return found


def _key_condition(conditions: tuple[Condition, ...]) -> Condition | None:
    """The condition to index a matcher by: one that holds only if the ticket has one of a
    set of values (the most selective kind first)."""
    for kind in (FieldIn, AttrIn, TagsAny, Keywords):
        for condition in conditions:
            if isinstance(condition, kind):
                return condition
    return None


def _matcher(
    m: Matcher, directory: Directory, lexicon: Lexicon, note: Callable[[str], None]
) -> CompiledMatcher:
    conditions: list[Condition] = []
    if m.tags is not None:
        if m.tags.any:
            conditions.append(TagsAny(frozenset(t.lower() for t in m.tags.any)))
        if m.tags.all:
            conditions.append(TagsAll(frozenset(t.lower() for t in m.tags.all)))
        if m.tags.none:
            conditions.append(TagsNone(frozenset(t.lower() for t in m.tags.none)))
    if m.custom_field is not None:
        conditions.append(compile_field(m.custom_field.field, m.custom_field.in_, directory, note))
    if m.group is not None:
        ids = resolve_groups(m.group, directory, note)
        conditions.append(
            AttrIn("group_id", frozenset(ids), _shown(m.group), _group_name(directory), "group")
        )
    if m.brand is not None:
        conditions.append(AttrIn("brand_id", frozenset(m.brand), _shown(m.brand), str, "brand"))
    if m.form is not None:
        conditions.append(AttrIn("form_id", frozenset(m.form), _shown(m.form), str, "form"))
    if m.channel is not None:
        channels = frozenset(c.lower() for c in m.channel)
        conditions.append(AttrIn("channel", channels, _shown(m.channel), str, "channel"))
    part = text_part(m.search_in)
    if m.keywords:
        conditions.append(Keywords(part, KeywordSet.compile(m.keywords, lexicon)))
    if m.patterns:
        conditions.append(Patterns.compile(part, m.patterns))
    return CompiledMatcher(tuple(conditions), m.weight)


def _shown(values: list[int | str] | list[int] | list[str]) -> str:
    return ", ".join(str(v) for v in values)


def _group_name(directory: Directory) -> Callable[[object], str]:
    def name(group_id: object) -> str:
        found = directory.groups.get(group_id) if isinstance(group_id, int) else None
        return f"{found} ({group_id})" if found else str(group_id)

    return name


def resolve_groups(
    refs: list[int | str], directory: Directory, note: Callable[[str], None]
) -> list[int]:
    ids: list[int] = []
    for ref in refs:
        if isinstance(ref, int):
            ids.append(ref)
            continue
        found = directory.group_ids(ref)
        note(f"group {ref!r} -> {found}")
        ids += found
    return ids


def compile_field(
    ref: int | str, values: list[str], directory: Directory, note: Callable[[str], None]
) -> FieldIn:
    """A field named by id or title; its values by stored value or by drop-down option name
    (admins copy what they see in Zendesk, which is the option's name)."""
    if isinstance(ref, int):
        ids = [ref]
        info = directory.fields.get(ref)
        name = f"{info.title} ({ref})" if info else f"field {ref}"
    else:
        ids = directory.field_ids(ref)
        name = ref
        note(f"field {ref!r} -> {ids}")
    wanted = {v.strip().lower() for v in values}
    for field_id in ids:
        info = directory.fields.get(field_id)
        for option_name, option_value in info.options if info else ():
            if option_name.strip().lower() in wanted:
                wanted.add(str(option_value).lower())
    return FieldIn(tuple(str(i) for i in ids), name, frozenset(wanted))


__all__ = ["AreaClassifier", "AreaTrace", "Areas"]
