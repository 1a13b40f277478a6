"""One generator per Zendesk paging style.

Each yields a `Page` and sends the next request only when the consumer asks for the next page,
i.e. after it committed the previous one with its `resume` position. Requests are built from
the cursor / start_time values ourselves, never from the server's absolute URLs, so an account
reached through a proxy (or the sandbox) keeps being addressed at our configured base URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol, TypeVar
from urllib.parse import parse_qsl, urlsplit

from integrations.zendesk.errors import ZendeskError
from integrations.zendesk.parse import BadRecord
from integrations.zendesk.records import Page, Skipped

T = TypeVar("T")
Params = dict[str, str | int]
PageParser = Callable[[dict[str, Any]], tuple[list[T], list[Skipped]]]


class GetJson(Protocol):
    def __call__(
        self, path: str, params: Mapping[str, str | int] | None = None
    ) -> dict[str, Any]: ...


def _parse(path: str, body: dict[str, Any], parse: PageParser[T]) -> tuple[list[T], list[Skipped]]:
    try:
        return parse(body)
    except BadRecord as e:
        # The page as a whole has the wrong shape: not something one skipped record can cover.
        raise ZendeskError(f"GET {path} returned an unexpected page: {e}", endpoint=path) from None


def cursor_export(
    get: GetJson,
    path: str,
    parse: PageParser[T],
    *,
    cursor: str | None,
    start_time: int | None,
    params: Mapping[str, str | int],
) -> Iterator[Page[T]]:
    """Cursor-based incremental export: `start_time` once, then `cursor=after_cursor`.

    `Page.resume` is the page's after_cursor; pass it back as `cursor` to continue after it.
    """
    # Checked here, not in the generator, so a wrong call fails where it is made.
    if cursor is None and start_time is None:
        raise ValueError("give a cursor to resume from or a start_time to begin at")
    return _cursor_pages(get, path, parse, cursor, start_time, params)


def _cursor_pages(
    get: GetJson,
    path: str,
    parse: PageParser[T],
    cursor: str | None,
    start_time: int | None,
    params: Mapping[str, str | int],
) -> Iterator[Page[T]]:
    while True:
        query: Params = dict(params)
        if cursor is not None:
            query["cursor"] = cursor
        else:
            assert start_time is not None
            query["start_time"] = start_time
        body = get(path, query)
        records, skipped = _parse(path, body, parse)
        end = body.get("end_of_stream") is True
        after = body.get("after_cursor")
        if type(after) is not str or not after:
            if not (end and cursor is not None):
                raise ZendeskError(
                    f"GET {path} returned no after_cursor, so there is no way to continue "
                    f"(end_of_stream={body.get('end_of_stream')!r})",
                    endpoint=path,
                )
            # Nothing new since `cursor`: resuming from it again is right.
            after = cursor
        elif after == cursor and not end:
            raise ZendeskError(
                f"GET {path} returned the cursor it was given without reaching end_of_stream; "
                "following it would loop forever",
                endpoint=path,
            )
        yield Page(records=records, resume=after, end_of_stream=end, skipped=skipped)
        if end:
            return
        cursor = after


def time_export(
    get: GetJson,
    path: str,
    parse: PageParser[T],
    *,
    start_time: int,
    params: Mapping[str, str | int],
) -> Iterator[Page[T]]:
    """Time-based incremental export: each next request starts at the previous `end_time`.

    Records stamped exactly `end_time` come again on the next page (Zendesk's rule); the
    consumer upserts by id, so that costs nothing. `Page.resume` is `str(end_time)`.
    """
    start = start_time
    while True:
        body = get(path, {**params, "start_time": start})
        records, skipped = _parse(path, body, parse)
        end = body.get("end_of_stream") is True
        end_time = body.get("end_time")
        if type(end_time) is not int:
            if not end:
                raise ZendeskError(
                    f"GET {path} returned no end_time, so there is no way to continue "
                    f"(end_time={end_time!r})",
                    endpoint=path,
                )
            end_time = start
        elif not end and end_time <= start:
            raise ZendeskError(
                f"GET {path} is stuck at start_time={start}: a page (count="
                f"{body.get('count')!r}) ended at end_time={end_time} without end_of_stream, so "
                "the next request would return the same page forever. More records share one "
                "second than fit in a page; a larger page size gets past it.",
                endpoint=path,
            )
        yield Page(records=records, resume=str(end_time), end_of_stream=end, skipped=skipped)
        if end:
            return
        start = end_time


def _next_link(body: dict[str, Any]) -> str | None:
    nxt = body.get("next_page")
    if type(nxt) is str and nxt:
        return nxt
    # Lists that switched to cursor pagination answer with links/meta instead.
    meta, links = body.get("meta"), body.get("links")
    if isinstance(meta, dict) and meta.get("has_more") is True and isinstance(links, dict):
        link = links.get("next")
        if type(link) is str and link:
            return link
    return None


def next_link_pages(
    get: GetJson,
    path: str,
    parse: PageParser[T],
    *,
    params: Mapping[str, str | int],
) -> Iterator[Page[T]]:
    """Plain lists (`next_page`, or `links.next` with `meta.has_more`) until there is no next.

    Only the next link's query string is used; `Page.resume` is that query string.
    """
    query: Params = dict(params)
    seen: set[tuple[tuple[str, str | int], ...]] = set()
    while True:
        seen.add(tuple(sorted(query.items())))
        body = get(path, query)
        records, skipped = _parse(path, body, parse)
        link = _next_link(body)
        if link is None:
            yield Page(records=records, resume="", end_of_stream=True, skipped=skipped)
            return
        next_query = urlsplit(link).query
        query = dict(parse_qsl(next_query, keep_blank_values=True))
        if tuple(sorted(query.items())) in seen:
            raise ZendeskError(
                f"GET {path} links back to a page already read ({next_query!r}); "
                "following it would loop forever",
                endpoint=path,
            )
        yield Page(records=records, resume=next_query, end_of_stream=False, skipped=skipped)
