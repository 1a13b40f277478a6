from __future__ import annotations

import pytest

from worker.profiles.config import Scoring, Specialist
from worker.profiles.derived import EMERGING, GENERALIST, SPECIALIST, shape

SCORING = Scoring(specialist=Specialist(min_concentration=0.4, max_spread=0.2, min_depth=5))


@pytest.mark.parametrize(
    ("depths", "label"),
    [
        # most of it in one area, a little in two others
        ({"billing": 60, "api": 25, "mobile": 10, "search": 3, "sso": 2}, SPECIALIST),
        # a generalist who took much of the busiest queue: still spread over everything
        ({"billing": 42, "api": 15, "mobile": 14, "search": 15, "sso": 14}, GENERALIST),
        # evenly spread
        ({"billing": 20, "api": 20, "mobile": 20, "search": 20, "sso": 20}, GENERALIST),
        # deep in three areas, none of them dominant
        ({"billing": 35, "api": 33, "mobile": 32}, GENERALIST),
        # too little recent work to tell
        ({"billing": 3, "api": 0.5}, EMERGING),
    ],
)
def test_labels(depths: dict[str, float], label: str) -> None:
    assert shape(depths, SCORING).label == label


def test_the_fallback_area_counts_in_no_share() -> None:
    depths = {"billing": 50, "unclassified": 50, "api": 5}
    s = shape(depths, SCORING, fallback="unclassified")
    assert s.top_area == "billing"
    assert s.concentration == pytest.approx(50 / 55)
    assert s.label == SPECIALIST


def test_breadth_counts_areas_with_a_tenth_of_the_depth() -> None:
    s = shape({"billing": 70, "api": 20, "mobile": 9, "search": 1}, SCORING)
    assert s.breadth == 2
    assert s.spread == pytest.approx(0.01)
