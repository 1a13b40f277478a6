"""Every keyword of a rule set, found in a text in one pass.

Keywords are whole words (`refund`), phrases (`charged twice`) or word prefixes
(`invoic*`). A rule set has hundreds; testing each against each ticket would dominate a
re-tag, so the lexicon finds all keywords present in a text at once and every keyword
condition becomes a set test on that result, cached per ticket and text part.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from worker.rules.facts import Facts, Text, tokens_of


@dataclass(frozen=True)
class Keyword:
    # canonical form: its words joined by spaces, with a trailing * for a prefix
    key: str
    tokens: tuple[bytes, ...]
    prefix: bool


def parse_keyword(written: str) -> Keyword:
    tokens = tuple(tokens_of(written))
    prefix = written.rstrip().endswith("*")
    key = " ".join(t.decode("utf-8", "replace") for t in tokens) + ("*" if prefix else "")
    return Keyword(key, tokens, prefix)


class Lexicon:
    def __init__(self) -> None:
        self._keywords: dict[str, Keyword] = {}
        self._frozen = False
        self._exact: dict[bytes, str] = {}
        self._phrases: dict[bytes, list[tuple[bytes, str]]] = {}
        # every whole word that is a keyword or starts a phrase: one set test per text
        self._words: frozenset[bytes] = frozenset()
        self._prefix_re: re.Pattern[bytes] | None = None
        self._prefix_of: dict[bytes, tuple[str, ...]] = {}

    def add(self, written: str) -> str:
        """Register a keyword as the admin wrote it; returns its canonical key."""
        if self._frozen:
            raise RuntimeError("the lexicon is already in use")
        keyword = parse_keyword(written)
        self._keywords.setdefault(keyword.key, keyword)
        return keyword.key

    def freeze(self) -> None:
        self._frozen = True
        phrases: dict[bytes, list[tuple[bytes, str]]] = defaultdict(list)
        prefixes: dict[bytes, str] = {}
        for key, kw in self._keywords.items():
            if not kw.tokens:
                continue
            if len(kw.tokens) == 1 and not kw.prefix:
                self._exact[kw.tokens[0]] = key
            elif len(kw.tokens) == 1:
                prefixes[kw.tokens[0]] = key
            else:
                # the first word is whole either way, so it selects the phrases to test
                needle = b" " + b" ".join(kw.tokens) + (b"" if kw.prefix else b" ")
                phrases[kw.tokens[0]].append((needle, key))
        self._phrases = dict(phrases)
        self._words = frozenset(self._exact).union(self._phrases)
        if prefixes:
            # longest first, so a match is the longest prefix; shorter ones are added below.
            # Escaped literals only: no pattern here can backtrack badly.
            ordered = sorted(prefixes, key=len, reverse=True)
            self._prefix_re = re.compile(b" (" + b"|".join(re.escape(p) for p in ordered) + b")")
            self._prefix_of = {
                p: tuple(prefixes[q] for q in ordered if p.startswith(q)) for p in ordered
            }

    def find(self, text: Text) -> frozenset[str]:
        """The keys of every keyword present in `text`."""
        exact, phrases = self._exact, self._phrases
        found: list[str] = []
        for word in self._words.intersection(text.tokens):
            key = exact.get(word)
            if key is not None:
                found.append(key)
            candidates = phrases.get(word)
            if candidates is not None:
                joined = text.joined
                found += [key for needle, key in candidates if needle in joined]
        if self._prefix_re is not None:
            for match in self._prefix_re.findall(text.spaced):
                found += self._prefix_of[match]
        return frozenset(found)

    def hits(self, facts: Facts, part: str) -> frozenset[str]:
        """Keywords in one part of a ticket's text, computed once per ticket. For `text`
        (subject and description) these are the hits of either: a phrase never spans
        the end of the subject and the start of the description."""
        found = facts.hits(part, self)
        if found is None:
            if part == "text":
                found = self.hits(facts, "subject") | self.hits(facts, "description")
            else:
                found = self.find(facts.text(part))
            facts.remember_hits(part, self, found)
        return found
