"""End to end on a sandbox desk: sync over HTTP, tag, profiles. The people the profiles name
as an area's top three must be the ones the sandbox made strong there."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "measure_profile_precision.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("measure_profile_precision", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize("seed", [7, 3])
def test_top_three_per_area_are_strong_there(seed: int, tmp_path: Path) -> None:
    script = _script()
    outcome = script.measure(seed, 4000, script.ROOT / "rules", tmp_path)
    assert outcome.named >= 3 * outcome.areas - 1
    assert outcome.precision >= script.PRECISION_TARGET, outcome.misses
    assert outcome.generalists_called_specialists == []
