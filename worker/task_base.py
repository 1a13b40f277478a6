"""The one decorator every task uses: explicit name and queue, retries only on what is transient.

Transient: Zendesk failures that outlasted the client's own retries, lost database or broker
connections. Everything else (bad settings, rejected credentials, invalid rules) fails at
once with its message, because retrying cannot fix it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError

from integrations.zendesk.errors import ZendeskGaveUp
from worker.celery_app import app

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    ZendeskGaveUp,
    OperationalError,
    ConnectionError,
    TimeoutError,
)

F = TypeVar("F", bound=Callable[..., Any])


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, TRANSIENT_ERRORS)


def instrumented_task(
    name: str,
    *,
    queue: str = "default",
    max_retries: int = 5,
    time_limit: int | None = None,
) -> Callable[[F], Any]:
    """Register `fn` as task `name` (names are forever: beat schedules and queues refer to them)."""
    if not name.startswith("worker."):
        raise ValueError(f"task names start with 'worker.': {name!r}")

    def decorate(fn: F) -> Any:
        def run(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                if not _is_transient(exc) or self.request.retries >= max_retries:
                    raise
                # Exponential backoff, capped at 10 minutes, with jitter so that workers that
                # failed together do not come back together.
                countdown = random.uniform(0.5, 1.0) * min(600, 30 * 2**self.request.retries)
                raise self.retry(exc=exc, countdown=countdown) from exc

        run.__name__ = fn.__name__
        run.__doc__ = fn.__doc__
        return app.task(
            name=name,
            bind=True,
            queue=queue,
            max_retries=max_retries,
            time_limit=time_limit,
            acks_late=True,
        )(run)

    return decorate
