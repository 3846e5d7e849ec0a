"""What eval counts: the parts of a report a gold file covers."""

from __future__ import annotations

from pipeline.evaluate import _covered_ranges, _DocView


def _view() -> _DocView:
    sections = [
        {"section_id": 0, "title": "", "start": 0, "end": 10},
        {"section_id": 1, "title": "一、2021年工作回顾", "start": 10, "end": 50},
        {"section_id": 2, "title": "二、2022年工作安排", "start": 50, "end": 90},
    ]
    return _DocView("x" * 90, [], sections, {})


def test_listed_sections_are_covered_and_the_untitled_opening_only_when_named():
    assert _covered_ranges(_view(), ["一、2021年工作回顾"]) == [(10, 50)]
    assert _covered_ranges(_view(), ["(preamble)", "二、2022年工作安排"]) == [(0, 10), (50, 90)]
    assert _covered_ranges(_view(), "all") == [(0, 90)]
