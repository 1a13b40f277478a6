"""The one decorator every task uses: explicit name and queue, retries only on what is transient.

Transient: Zendesk failures that outlasted the client's own retries, lost database or broker
connections. Everything else (bad settings, rejected credentials, invalid rules) fails at
once with its message, because retrying cannot fix it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, TypeVar

from celery import Task
from celery.exceptions import Ignore
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, OperationalError

from integrations.zendesk.errors import ZendeskGaveUp
from worker.celery_app import app

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    ZendeskGaveUp,
    OperationalError,
    ConnectionError,
    TimeoutError,
    RedisConnectionError,
    RedisTimeoutError,
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
    bind: bool = False,
    base: type[Task] | None = None,
    expires: int | None = None,
) -> Callable[[F], Any]:
    """Register `fn` as task `name` (names are forever: beat schedules and queues refer to them).

    `bind` passes the task itself first (for `replace`); `base` is a Task subclass, e.g. one
    whose `on_failure` reports a failed pipeline run; `expires` drops a task not started in
    time.
    """
    if not name.startswith("worker."):
        raise ValueError(f"task names start with 'worker.': {name!r}")

    def decorate(fn: F) -> Any:
        def run(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return fn(self, *args, **kwargs) if bind else fn(*args, **kwargs)
            except Ignore:  # `replace` and friends: Celery's control flow, not a failure
                raise
            except Exception as exc:
                if not _is_transient(exc) or self.request.retries >= max_retries:
                    raise
                # Exponential backoff, capped at 10 minutes, with jitter so that workers that
                # failed together do not come back together.
                countdown = random.uniform(0.5, 1.0) * min(600, 30 * 2**self.request.retries)
                raise self.retry(exc=exc, countdown=countdown) from exc

        run.__name__ = fn.__name__
        run.__doc__ = fn.__doc__
        options: dict[str, Any] = {}
        if base is not None:
            options["base"] = base
        if expires is not None:
            options["expires"] = expires
        return app.task(
            name=name,
            bind=True,
            queue=queue,
            max_retries=max_retries,
            time_limit=time_limit,
            acks_late=True,
            **options,
        )(run)

    return decorate
