"""Where the recorded real Zendesk responses are: `shared/` beside the repository, as on the
developers' machines and in CI; ZENDESK_RECORDED_DIR overrides it."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def recorded_dir() -> Path:
    configured = os.environ.get("ZENDESK_RECORDED_DIR")
    path = Path(configured) if configured else REPO.parent / "shared/fixtures/zendesk-recorded"
    if not path.is_dir():
        raise FileNotFoundError(
            f"recorded Zendesk responses not found at {path}: the contract tests need "
            "shared/fixtures/zendesk-recorded beside the repository (or ZENDESK_RECORDED_DIR)"
        )
    return path
