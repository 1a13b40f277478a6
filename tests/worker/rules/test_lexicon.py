"""The lexicon's one-pass search (RE2's set) finds exactly what the word-by-word search
finds, and a rule set too big for RE2's memory still tags correctly, more slowly."""

from __future__ import annotations

import random

import pytest

from worker.rules.lexicon import Lexicon

KEYWORDS = [
    "refund",
    "refund*",
    "charged twice",
    "charged twice a*",
    "two-factor",
    "requires_action",
    "429",
    "http 500",
    "invoic*",
    "invo*",  # a prefix of another prefix: both are found
    "in",
    "inv",
    "café",
    "naïve user*",
    "sso",
    "sso login",
    "login",
    "log*",
]
# words near the keywords: prefixes of them, longer words containing them, other cases
WORDS = [
    "refund", "refunds", "Refunded", "REFUND", "charged", "twice", "Twice", "again", "a",
    "amount", "two", "factor", "two-factor", "requires", "action", "requires_action", "429",
    "4290", "http", "HTTP", "500", "5000", "invoice", "invoices", "in", "inv", "invo",
    "café", "CAFÉ", "cafe", "naïve", "user", "users", "sso", "SSO", "login", "logins",
    "log", "blog", "catalog", "the", "my", "€", "über",
]  # fmt: skip
SEPARATORS = [" ", "  ", ", ", ".", "!\n", "\t", " - ", "/", "(", ")", "'", '"', "_"]


def lexicon(**options: int) -> Lexicon:
    lex = Lexicon(**options)
    for keyword in KEYWORDS:
        lex.add(keyword)
    lex.freeze()
    return lex


def texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(0, 12)):
            parts += [rng.choice(WORDS), rng.choice(SEPARATORS)]
        out.append("".join(parts[: rng.randint(0, len(parts))]))
    return out


def test_one_pass_and_word_by_word_find_the_same_keywords() -> None:
    lex = lexicon()
    assert lex.one_pass
    found_any = 0
    for text in texts(5_000, seed=11):
        found = lex.find(text)
        assert found == lex.find_slowly(text), text
        found_any += bool(found)
    assert found_any > 2_500  # the corpus exercises the keywords, not just misses


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I was CHARGED, twice a month", {"charged twice", "charged twice a*"}),
        ("charged  twice", {"charged twice"}),
        ("charged me twice", set()),
        ("Refunds for invoices", {"refund*", "invoic*", "invo*"}),
        ("invo", {"invo*"}),
        ("refund", {"refund", "refund*"}),
        ("sso login", {"sso", "sso login", "login", "log*"}),
        ("Two-Factor code", {"two factor"}),  # the canonical key
        ("HTTP 500s", set()),
        ("http 500", {"http 500"}),
        ("CAFÉ", {"café"}),
        ("naïve users", {"naïve user*"}),
        ("", set()),
    ],
)
def test_what_each_kind_of_keyword_finds(text: str, expected: set[str]) -> None:
    lex = lexicon()
    assert lex.find(text) == expected
    assert lex.find_slowly(text) == expected


def test_keywords_beyond_re2s_memory_are_still_found() -> None:
    big = Lexicon(set_memory=1 << 16)
    many = [f"word{n}" for n in range(3_000)]
    for keyword in [*KEYWORDS, *many]:
        big.add(keyword)
    big.freeze()
    assert not big.one_pass
    small = lexicon()
    for text in texts(500, seed=3):
        assert big.find(text) == small.find(text)
    assert big.find("word17 and word2999, refund") == {"word17", "word2999", "refund", "refund*"}
