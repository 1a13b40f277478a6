"""Area matcher conditions, compiled: a fast `test` for tagging, and `why` for explain.

Each condition is built once per rule set; `test` does no parsing or lowercasing beyond
what `Facts` caches, because it runs millions of times in a re-tag.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from worker.rules.facts import Facts
from worker.rules.lexicon import Lexicon
from worker.rules.patterns import Regex, compile_pattern


class Condition(Protocol):
    @property
    def label(self) -> str: ...

    def test(self, facts: Facts) -> bool: ...

    def why(self, facts: Facts) -> str: ...


def _list(values: Iterable[Any], limit: int = 5) -> str:
    items = [str(v) for v in values]
    shown = ", ".join(items[:limit])
    return shown + (f", ... ({len(items)} in all)" if len(items) > limit else "")


@dataclass(frozen=True)
class TagsAny:
    values: frozenset[str]
    label: str = "tags.any"

    def test(self, facts: Facts) -> bool:
        return not self.values.isdisjoint(facts.tags)

    def why(self, facts: Facts) -> str:
        hits = sorted(self.values & facts.tags)
        if hits:
            return f"has tag {_list(hits)}"
        return f"has none of the tags {_list(sorted(self.values))} (ticket tags: {_tags(facts)})"


@dataclass(frozen=True)
class TagsAll:
    values: frozenset[str]
    label: str = "tags.all"

    def test(self, facts: Facts) -> bool:
        return self.values <= facts.tags

    def why(self, facts: Facts) -> str:
        missing = sorted(self.values - facts.tags)
        if not missing:
            return f"has all the tags {_list(sorted(self.values))}"
        return f"lacks tag {_list(missing)} (ticket tags: {_tags(facts)})"


@dataclass(frozen=True)
class TagsNone:
    values: frozenset[str]
    label: str = "tags.none"

    def test(self, facts: Facts) -> bool:
        return self.values.isdisjoint(facts.tags)

    def why(self, facts: Facts) -> str:
        hits = sorted(self.values & facts.tags)
        if hits:
            return f"has excluded tag {_list(hits)}"
        return f"has none of the excluded tags {_list(sorted(self.values))}"


def _tags(facts: Facts) -> str:
    return _list(sorted(facts.tags)) or "none"


def field_values(raw: Any) -> frozenset[str]:
    """A custom field's stored value as comparable text; a multi-select gives several."""
    if raw is None or raw == "":
        return frozenset()
    if isinstance(raw, list):
        return frozenset(str(v).lower() for v in raw if v is not None)
    if isinstance(raw, bool):
        return frozenset({"true" if raw else "false"})
    return frozenset({str(raw).lower()})


@dataclass(frozen=True)
class FieldIn:
    field_keys: tuple[str, ...]  # custom_fields JSON keys are the field ids as text
    field_name: str
    values: frozenset[str]
    label: str = "custom_field"

    def raw(self, facts: Facts) -> Any:
        for key in self.field_keys:
            value = facts.custom_fields.get(key)
            if value is not None:
                return value
        return None

    def test(self, facts: Facts) -> bool:
        return not self.values.isdisjoint(field_values(self.raw(facts)))

    def why(self, facts: Facts) -> str:
        if not self.field_keys:
            return f"field {self.field_name!r} does not exist in this help desk"
        raw = self.raw(facts)
        if raw is None:
            return f"{self.field_name} is empty"
        verb = "is" if self.test(facts) else f"is not one of {_list(sorted(self.values))}:"
        return f"{self.field_name} {verb} {raw!r}"


@dataclass(frozen=True)
class AttrIn:
    """The ticket's group, brand, form or channel is one of a set."""

    attr: str
    values: frozenset[Any]
    shown: str  # the values as the admin wrote them
    name: Callable[[Any], str]
    label: str

    def test(self, facts: Facts) -> bool:
        return getattr(facts, self.attr) in self.values

    def why(self, facts: Facts) -> str:
        value = getattr(facts, self.attr)
        shown = "none" if value is None else self.name(value)
        if self.test(facts):
            return f"{self.label} is {shown}"
        return f"{self.label} is {shown}, not one of {self.shown}"


@dataclass(frozen=True)
class KeywordSet:
    """Keywords of one condition, as canonical keys of the rule set's lexicon."""

    keys: frozenset[str]
    written: tuple[str, ...]
    lexicon: Lexicon

    @classmethod
    def compile(cls, keywords: Sequence[str], lexicon: Lexicon) -> KeywordSet:
        return cls(frozenset(lexicon.add(k) for k in keywords), tuple(keywords), lexicon)

    def hits(self, found: frozenset[str]) -> list[str]:
        return sorted(self.keys & found)

    def shown(self) -> str:
        return _list(self.written)


def text_part(search_in: Sequence[str]) -> str:
    return search_in[0] if len(set(search_in)) == 1 else "text"


def _part_name(part: str) -> str:
    return "subject or description" if part == "text" else part


@dataclass(frozen=True)
class Keywords:
    part: str
    keywords: KeywordSet
    label: str = "keywords"

    def test(self, facts: Facts) -> bool:
        keywords = self.keywords
        return not keywords.keys.isdisjoint(keywords.lexicon.hits(facts, self.part))

    def why(self, facts: Facts) -> str:
        hits = self.keywords.hits(self.keywords.lexicon.hits(facts, self.part))
        if hits:
            return f"{_part_name(self.part)} contains {_list(repr(h) for h in hits)}"
        return f"{_part_name(self.part)} contains none of {self.keywords.shown()}"


@dataclass(frozen=True)
class Patterns:
    part: str
    patterns: tuple[tuple[str, Regex], ...]
    label: str = "patterns"

    @classmethod
    def compile(cls, part: str, patterns: Sequence[str]) -> Patterns:
        return cls(part, tuple((p, compile_pattern(p)) for p in patterns))

    def test(self, facts: Facts) -> bool:
        raw = facts.text(self.part)
        return any(regex.search(raw) is not None for _, regex in self.patterns)

    def why(self, facts: Facts) -> str:
        raw = facts.text(self.part)
        for shown, regex in self.patterns:
            match = regex.search(raw)
            if match is not None:
                return f"{_part_name(self.part)} matches {shown!r} at {match.group(0)[:60]!r}"
        return f"{_part_name(self.part)} matches none of {_list(repr(p) for p, _ in self.patterns)}"
