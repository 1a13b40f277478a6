"""Admin-written regular expressions run on RE2: linear time, so no pattern can stall a worker.

RE2 has no backreferences or lookarounds; rejecting them at check time is the price of a
guarantee that a pattern like `(a+)+$` finishes on any input.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Protocol, cast

import re2

# RE2 refuses to build automata past this; a pattern that needs more is rejected as too big
_MAX_MEM = 8 << 20


class Regex(Protocol):
    def search(self, text: str) -> Any: ...


def _options(case_sensitive: bool) -> Any:
    options = re2.Options()
    options.log_errors = False  # errors are reported to the admin, not to stderr
    options.case_sensitive = case_sensitive
    options.max_mem = _MAX_MEM
    return options


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str, *, case_sensitive: bool = False) -> Regex:
    """A compiled RE2 pattern; raises ValueError with an admin-readable reason."""
    try:
        return cast(Regex, re2.compile(pattern, options=_options(case_sensitive)))
    except re2.error as exc:
        raise ValueError(f"invalid pattern {pattern!r}: {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    text = exc.args[0] if exc.args else str(exc)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = str(text)
    if "invalid perl operator: (?<" in text or "(?=" in text or "(?!" in text:
        return f"{text} (lookarounds are not supported: rules run on RE2 so they never stall)"
    if "invalid escape sequence: \\" in text and re.search(r"\\[1-9]", text):
        return f"{text} (backreferences are not supported: rules run on RE2 so they never stall)"
    return text


def check_pattern(pattern: str) -> str:
    """Pydantic validator: the pattern itself, once RE2 accepts it."""
    if not pattern:
        raise ValueError("a pattern must not be empty")
    compile_pattern(pattern)
    return pattern


class LiteralSet:
    """Many byte-string patterns searched in one linear pass (RE2::Set): which of them
    occur in a text. Built by the lexicon from its keywords, never from admin regexes."""

    def __init__(self, patterns: list[bytes], *, max_mem: int) -> None:
        options = re2.Options()
        options.log_errors = False
        options.max_mem = max_mem
        # bytes in, bytes compared: no UTF-8 decoding on either side
        options.encoding = re2.Options.Encoding.LATIN1
        searcher = re2.Set.SearchSet(options)
        # pattern 0 matches every text: a result without it means RE2 gave up
        searcher.Add(b"")
        for pattern in patterns:
            searcher.Add(pattern)
        try:
            searcher.Compile()
        except re2.error:
            raise ValueError("the patterns need more memory than allowed") from None

        # search(text): the indexes (from 1, in `patterns`' order) of the patterns found in
        # `text` plus 0; empty or None when RE2 ran out of memory on this text (the caller
        # must search another way). The extension's own method when the wrapper exposes it
        # (`_set`), bound once: the wrapper's Python method cost a microsecond per text.
        inner = getattr(searcher, "_set", searcher)
        self.search: Callable[[bytes], list[int] | None] = inner.Match
