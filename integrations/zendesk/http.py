"""One GET to Zendesk, done properly: auth, pacing, retries, and errors that say what happened.

Everything that can go wrong on the wire is decided here, so the paginators above only ever
see a parsed JSON object or a `ZendeskError`.
"""

from __future__ import annotations

import base64
import json
import logging
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from pydantic import SecretStr

from integrations.zendesk.errors import ZendeskAuthError, ZendeskError, ZendeskGaveUp
from integrations.zendesk.ratelimit import (
    ACCOUNT_BUCKET,
    DEFAULT_LIMITS,
    EXPORT_BUCKET,
    Clock,
    RateGovernor,
    SystemClock,
    bucket_for,
)

log = logging.getLogger(__name__)

WaitCallback = Callable[[float, str], None]

BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 30.0
DEFAULT_RETRY_AFTER_S = 60.0

# Failures that say nothing about the request itself: the next attempt may well work.
_TRANSIENT_EXCEPTIONS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)

_NUMBER_SEGMENT = re.compile(r"/\d+(?=/|\.json|$)")


def endpoint_name(path: str) -> str:
    """`/api/v2/tickets/123.json` -> `/api/v2/tickets/{id}.json`, so stats stay a short list."""
    return _NUMBER_SEGMENT.sub("/{id}", path)


@dataclass
class ClientStats:
    """What the client did so far; `requests` counts every send, retries included."""

    requests: int = 0
    retries: int = 0
    http_429: int = 0
    rate_limit_wait_s: float = 0.0
    transient_errors: int = 0
    by_endpoint: dict[str, int] = field(default_factory=dict)


class TokenAuth(requests.auth.AuthBase):
    """HTTP Basic `{email}/token:{token}`; the header lives in a SecretStr so no repr shows it."""

    def __init__(self, email: str, token: SecretStr) -> None:
        if not isinstance(token, SecretStr):
            # A plain str would end up in reprs and tracebacks; refuse it early.
            raise TypeError("token must be a pydantic SecretStr")
        raw = f"{email}/token:{token.get_secret_value()}".encode()
        self._header = SecretStr("Basic " + base64.b64encode(raw).decode("ascii"))
        self._secrets = tuple(
            s for s in (token.get_secret_value(), self._header.get_secret_value()[6:]) if s
        )

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = self._header.get_secret_value()
        return r

    def __repr__(self) -> str:
        return "TokenAuth(**********)"

    def redact(self, text: str) -> str:
        """Belt and braces for anything we put in a message: the token never leaves."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, "**********")
        return text


class _Transient(Exception):
    """This attempt failed in a way worth retrying; carries a message for the give-up error.

    `retry_after` is the server's own word on when to come back (a 503 during maintenance).
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _retry_after(headers: Mapping[str, str]) -> float | None:
    raw = headers.get("Retry-After")
    if raw is None:
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        # Zendesk sends seconds; an HTTP-date from some proxy in between is not worth parsing.
        return None
    return value if 0 <= value < float("inf") else None


class ZendeskHttp:
    """GETs JSON objects from one Zendesk account, within its rate limits, retrying blips."""

    def __init__(
        self,
        base_url: str,
        auth: TokenAuth,
        *,
        timeout_s: float,
        rate_share: float,
        give_up_after_s: float,
        on_wait: WaitCallback | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        session: requests.Session | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {base_url!r}")
        if give_up_after_s <= 0:
            raise ValueError(f"give_up_after_s must be positive, got {give_up_after_s!r}")
        if timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, got {timeout_s!r}")
        self.base_url = base_url.rstrip("/")
        self.stats = ClientStats()
        self._auth = auth
        self._timeout = timeout_s
        self._give_up_after = give_up_after_s
        self._on_wait = on_wait
        self._clock: Clock = clock or SystemClock()
        self._rng = rng or random.Random()
        self._session = session or requests.Session()
        self._session.auth = auth
        self._session.headers.update(
            {"Accept": "application/json", "User-Agent": "helpdesk-expertise/0.1"}
        )
        self.governors = {
            name: RateGovernor(
                name, share=rate_share, clock=self._clock, default_limit=DEFAULT_LIMITS[name]
            )
            for name in (EXPORT_BUCKET, ACCOUNT_BUCKET)
        }

    def close(self) -> None:
        self._session.close()

    def get_json(self, path: str, params: Mapping[str, str | int] | None = None) -> dict[str, Any]:
        """GET `path` on the account; retry what is transient, raise what is not."""
        endpoint = endpoint_name(path)
        governor = self.governors[bucket_for(path)]
        url = self.base_url + path
        return self._with_retries(
            "GET", path, governor, lambda: self._attempt(url, path, endpoint, params, governor)
        )

    def _with_retries(
        self,
        method: str,
        path: str,
        governor: RateGovernor,
        attempt_once: Callable[[], dict[str, Any]],
    ) -> dict[str, Any]:
        """Pace, then call `attempt_once` until it answers, retrying each `_Transient` with
        jittered exponential backoff (or the server's Retry-After) until give_up_after_s.
        Reads and writes share it; a write decides in its attempt what may be retried."""
        endpoint = endpoint_name(path)
        failing_since: float | None = None
        attempt = 0
        while True:
            self._pace(governor)
            started = self._clock.now()
            try:
                return attempt_once()
            except _Transient as e:
                failure = e
            if failing_since is None:
                failing_since = started
            failed_for = self._clock.now() - failing_since
            last_error = self._auth.redact(str(failure))
            if isinstance(failure, _RateLimited):
                wait = failure.retry_after
            else:
                self.stats.transient_errors += 1
                wait = self._rng.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt))
                if failure.retry_after is not None:
                    wait = max(wait, failure.retry_after)
            if failed_for + wait > self._give_up_after:
                raise ZendeskGaveUp(
                    f"gave up on {method} {path}: it kept failing for {failed_for:.1f}s over "
                    f"{attempt + 1} attempts and another retry would pass "
                    f"give_up_after_s={self._give_up_after:g}; last error: {last_error}",
                    endpoint=endpoint,
                )
            log.info("%s %s failed (%s); retrying in %.1fs", method, path, last_error, wait)
            if isinstance(failure, _RateLimited):
                self.stats.rate_limit_wait_s += wait
                self._notify(wait, f"Zendesk rate limit (429) on {endpoint}")
            else:
                self._notify(wait, f"retrying {endpoint} after: {last_error}")
            self._clock.sleep(wait)
            self.stats.retries += 1
            attempt += 1

    # --- internals ---------------------------------------------------------------------------

    def _pace(self, governor: RateGovernor) -> None:
        while True:
            wait, reason = governor.delay()
            if wait <= 0:
                return
            self.stats.rate_limit_wait_s += wait
            self._notify(wait, reason)
            self._clock.sleep(wait)

    def _notify(self, seconds: float, reason: str) -> None:
        if self._on_wait is not None and seconds > 0:
            self._on_wait(seconds, reason)

    def _snippet(self, content: bytes, limit: int = 200) -> str:
        """The start of a body for an error message; redacted before cutting, so no piece of
        a secret the server echoed survives at the cut."""
        text = content[: limit + 512].decode("utf-8", "replace")
        text = self._auth.redact(text).replace("\n", " ")
        return text[:limit] + ("..." if len(text) > limit or len(content) > limit + 512 else "")

    def _reason(self, response: requests.Response) -> str:
        """The status line's reason phrase, redacted: a proxy may put anything there, the
        credentials it was sent included."""
        return self._auth.redact(response.reason or "")

    def _attempt(
        self,
        url: str,
        path: str,
        endpoint: str,
        params: Mapping[str, str | int] | None,
        governor: RateGovernor,
    ) -> dict[str, Any]:
        self.stats.requests += 1
        self.stats.by_endpoint[endpoint] = self.stats.by_endpoint.get(endpoint, 0) + 1
        try:
            response = self._session.get(url, params=params, timeout=self._timeout)
            # Read the whole body inside the try: a connection cut mid-body surfaces here.
            content = response.content
        except _TRANSIENT_EXCEPTIONS as e:
            governor.record(None)
            raise _Transient(f"{type(e).__name__}: {e}") from None
        except requests.RequestException as e:
            governor.record(None)
            raise ZendeskError(
                self._auth.redact(f"GET {path} could not be sent: {type(e).__name__}: {e}"),
                endpoint=endpoint,
            ) from None
        status = response.status_code
        governor.record(response.headers, refused=status == 429)
        if status == 429:
            self.stats.http_429 += 1
            retry_after = _retry_after(response.headers)
            raise _RateLimited(DEFAULT_RETRY_AFTER_S if retry_after is None else retry_after)
        if status >= 500:
            raise _Transient(
                f"HTTP {status} {self._reason(response)}: {self._snippet(content)}",
                retry_after=_retry_after(response.headers),
            )
        if status in (401, 403):
            raise ZendeskAuthError(
                f"Zendesk refused the credentials (HTTP {status}) on GET {path}: "
                "check ZENDESK_EMAIL and ZENDESK_API_TOKEN (the token must be an API token "
                "and the user must be allowed to read this)",
                endpoint=endpoint,
                status=status,
            )
        if status >= 400 or status < 200:
            raise ZendeskError(
                f"GET {path} failed with HTTP {status} {self._reason(response)}: "
                f"{self._snippet(content)}",
                endpoint=endpoint,
                status=status,
            )
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            # Invalid UTF-8 inside a record's text is not worth losing the page (or, retried
            # forever, the sync) over: keep what is valid, mark the rest with U+FFFD.
            log.warning("GET %s: response has invalid UTF-8; undecodable bytes replaced", path)
            text = content.decode("utf-8", "replace")
        try:
            body = json.loads(text)
        except ValueError as e:
            # A 200 whose body is not JSON is a body cut short or mangled on the way.
            raise _Transient(f"response body is not JSON ({e}): {self._snippet(content)}") from None
        if not isinstance(body, dict):
            raise _Transient(f"response body is not a JSON object: {self._snippet(content)}")
        return body


class _RateLimited(_Transient):
    retry_after: float

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"HTTP 429 Too Many Requests (Retry-After {retry_after:g}s)", retry_after)
