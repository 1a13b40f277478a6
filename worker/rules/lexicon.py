"""Every keyword of a rule set, found in a text in one pass.

Keywords are whole words (`refund`), phrases (`charged twice`) or word prefixes
(`invoic*`). A rule set has hundreds; testing each against each ticket would dominate a
re-tag, so the lexicon finds all keywords present in a text at once and every keyword
condition becomes a set test on that result, cached per ticket and text part.
"""

from __future__ import annotations

import re
import string
from collections import defaultdict
from dataclasses import dataclass

from worker.rules.facts import Facts

# Words are what lies between ASCII punctuation and white space, compared in lower case.
# Working on UTF-8 bytes keeps this to a few C-speed passes per text: a re-tag normalises
# millions of them.
_SEPARATORS = bytes.maketrans(
    (string.punctuation + string.whitespace).encode(),
    b" " * len(string.punctuation + string.whitespace),
)
_NONE: frozenset[str] = frozenset()


def spaced_of(text: str) -> bytes:
    """The text in lower case with every separator turned into a space, after a space:
    each word follows a space (maybe more than one), so prefixes are found in it."""
    return b" " + text.lower().encode("utf-8", "replace").translate(_SEPARATORS)


def tokens_of(text: str) -> list[bytes]:
    """The words of a text, as keywords and ticket texts are both compared."""
    return spaced_of(text).split()


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


# what a whole word of a text can start: the keyword that is that word (or None), and the
# phrases that begin with it as (words joined by single spaces and padded, key)
_WordEntry = tuple[str | None, tuple[tuple[bytes, str], ...]]


class Lexicon:
    def __init__(self) -> None:
        self._keywords: dict[str, Keyword] = {}
        self._frozen = False
        # every whole word that is a keyword or starts a phrase: one set test per text
        self._words: frozenset[bytes] = frozenset()
        self._entries: dict[bytes, _WordEntry] = {}
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
        exact: dict[bytes, str] = {}
        phrases: dict[bytes, list[tuple[bytes, str]]] = defaultdict(list)
        prefixes: dict[bytes, str] = {}
        for key, kw in self._keywords.items():
            if not kw.tokens:
                continue
            if len(kw.tokens) == 1 and not kw.prefix:
                exact[kw.tokens[0]] = key
            elif len(kw.tokens) == 1:
                prefixes[kw.tokens[0]] = key
            else:
                # the first word is whole either way, so it selects the phrases to test
                needle = b" " + b" ".join(kw.tokens) + (b"" if kw.prefix else b" ")
                phrases[kw.tokens[0]].append((needle, key))
        self._entries = {
            word: (exact.get(word), tuple(phrases.get(word, ())))
            for word in exact.keys() | phrases.keys()
        }
        self._words = frozenset(self._entries)
        if prefixes:
            # longest first, so a match is the longest prefix; shorter ones are added below.
            # Escaped literals only: no pattern here can backtrack badly.
            ordered = sorted(prefixes, key=len, reverse=True)
            self._prefix_re = re.compile(b" (" + b"|".join(re.escape(p) for p in ordered) + b")")
            self._prefix_of = {
                p: tuple(prefixes[q] for q in ordered if p.startswith(q)) for p in ordered
            }

    def find(self, text: str) -> frozenset[str]:
        """The keys of every keyword present in `text`."""
        spaced = b" " + text.lower().encode("utf-8", "replace").translate(_SEPARATORS)
        tokens = spaced.split()
        found: list[str] = []
        words = self._words.intersection(tokens)
        if words:
            entries = self._entries
            joined: bytes | None = None
            for word in words:
                key, phrases = entries[word]
                if key is not None:
                    found.append(key)
                if phrases:
                    if joined is None:
                        # single spaces between words, so a phrase is one substring test
                        joined = b" " + b" ".join(tokens) + b" "
                    for needle, phrase in phrases:
                        if needle in joined:
                            found.append(phrase)
        if self._prefix_re is not None:
            prefix_of = self._prefix_of
            for match in self._prefix_re.findall(spaced):
                found += prefix_of[match]
        return frozenset(found) if found else _NONE

    def hits(self, facts: Facts, part: str) -> frozenset[str]:
        """Keywords in one part of a ticket's text (`subject`, `description` or `text`),
        found once per ticket. For `text` these are the hits of either: a phrase never
        spans the end of the subject and the start of the description."""
        if facts._lexicon is not self:  # first use, or another rule set's lexicon
            facts._lexicon = self
            facts._hits = {}
        found = facts._hits.get(part)
        if found is None:
            if part == "subject":
                found = self.find(facts.subject)
            elif part == "description":
                found = self.find(facts.description)
            else:
                found = self.hits(facts, "subject") | self.hits(facts, "description")
            facts._hits[part] = found
        return found
