"""Tagging: each agent's work on each ticket, by product area and complexity tier.

`tag_work` is the stage (nightly after the sync, and `expertise retag`); `explain`,
`backtest` and `classify_new_ticket` serve the CLI and triage.
"""

from __future__ import annotations

from worker.tagging.backtest import BacktestResult, backtest
from worker.tagging.explain import Explanation, TicketNotFound, explain
from worker.tagging.run import TagResult, tag_work
from worker.tagging.triage import NewTicketTags, classify_new_ticket

__all__ = [
    "BacktestResult",
    "Explanation",
    "NewTicketTags",
    "TagResult",
    "TicketNotFound",
    "backtest",
    "classify_new_ticket",
    "explain",
    "tag_work",
]
