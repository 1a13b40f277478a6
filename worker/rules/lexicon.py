"""Every keyword of a rule set, found in a text in one pass.

Keywords are whole words (`refund`), phrases (`charged twice`) or word prefixes
(`invoic*`). A rule set has hundreds; testing each against each ticket would dominate a
re-tag, so the lexicon finds all keywords present in a text at once and every keyword
condition becomes a set test on that result, cached per ticket and text part.

The one pass is RE2's set matcher over the normalised text (a third of the Python
search's time per ticket). The Python search stays for what RE2 cannot hold: a keyword
list too big for its memory cap, or a text on which its automaton runs out of memory.
Tests hold the two equal.
"""

from __future__ import annotations

import re
import string
from collections import defaultdict
from dataclasses import dataclass

from worker.rules.facts import Facts
from worker.rules.patterns import LiteralSet

# Words are what lies between ASCII punctuation and white space, compared in lower case.
# Working on UTF-8 bytes keeps this to a few C-speed passes per text: a re-tag normalises
# millions of them.
_SEPARATORS = bytes.maketrans(
    (string.punctuation + string.whitespace).encode(),
    b" " * len(string.punctuation + string.whitespace),
)
_NONE: frozenset[str] = frozenset()
# RE2's memory for a rule set's keywords: some thousands fit; beyond, the Python search
SET_MEMORY = 32 << 20


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
    def __init__(self, *, set_memory: int = SET_MEMORY) -> None:
        self._keywords: dict[str, Keyword] = {}
        self._frozen = False
        self._set_memory = set_memory
        self._set: LiteralSet | None = None
        # the keys of the set's patterns, by index (0: the set's own always-match pattern)
        self._set_keys: tuple[str, ...] = ()
        # every whole word that is a keyword or starts a phrase: one set test per text
        self._words: frozenset[bytes] = frozenset()
        self._entries: dict[bytes, _WordEntry] = {}
        # word prefixes, and their lengths longest first: a word's prefixes are its slices
        self._prefixes: dict[bytes, str] = {}
        self._prefix_lengths: tuple[int, ...] = ()

    def add(self, written: str) -> str:
        """Register a keyword as the admin wrote it; returns its canonical key."""
        if self._frozen:
            raise RuntimeError("the lexicon is already in use")
        keyword = parse_keyword(written)
        self._keywords.setdefault(keyword.key, keyword)
        return keyword.key

    @property
    def one_pass(self) -> bool:
        """Whether texts are searched by RE2's set (False: the keywords did not fit)."""
        return self._set is not None

    def freeze(self) -> None:
        self._frozen = True
        self._freeze_python()
        keywords = [kw for kw in self._keywords.values() if kw.tokens]
        # in a normalised text every word has a space before and after it (maybe more)
        patterns = [
            b" " + b" +".join(re.escape(t) for t in kw.tokens) + (b"" if kw.prefix else b" ")
            for kw in keywords
        ]
        try:
            self._set = LiteralSet(patterns, max_mem=self._set_memory)
        except ValueError:
            self._set = None
        self._set_keys = ("", *(kw.key for kw in keywords))

    def _freeze_python(self) -> None:
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
        # Slices rather than one regex alternation of every prefix: Python's regex tries the
        # alternatives one by one, which took milliseconds per text with 60,000 prefixes
        # (the lists this search exists for), against a few set lookups per word here.
        self._prefixes = prefixes
        self._prefix_lengths = tuple(sorted({len(p) for p in prefixes}, reverse=True))

    def find(self, text: str) -> frozenset[str]:
        """The keys of every keyword present in `text`."""
        # spaced_of(text) plus a closing space, inline: this runs twice per ticket of a re-tag
        spaced = b" " + text.lower().encode("utf-8", "replace").translate(_SEPARATORS) + b" "
        if self._set is not None:
            found = self._set.search(spaced)
            if found:
                if len(found) == 1:  # only the always-match pattern
                    return _NONE
                keys = self._set_keys
                return frozenset([keys[i] for i in found if i])
        return self._search(spaced)

    def find_slowly(self, text: str) -> frozenset[str]:
        """`find` without RE2's set: what tests compare it with."""
        return self._search(spaced_of(text) + b" ")

    def _search(self, spaced: bytes) -> frozenset[str]:
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
        if self._prefix_lengths:
            prefixes = self._prefixes
            lengths = self._prefix_lengths
            for token in set(tokens):
                size = len(token)
                for n in lengths:
                    if n <= size:
                        key = prefixes.get(token[:n])
                        if key is not None:
                            found.append(key)
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
