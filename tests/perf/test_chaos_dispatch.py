"""The chaos report counts interrupted sends by their flag, not by the wording of the reason."""

from __future__ import annotations


def test_the_chaos_report_counts_interrupted_sends_by_their_flag_not_their_wording():
    from perf.chaos_dispatch import check

    row = {"pk": 7, "status": "failed", "status_reason": "Any wording at all.", "attempts": 1}
    row |= {"esp_message_id": "", "message_id": "<7@followup.example>"}

    problems, notable = check([row], [], interrupted=frozenset({7}))

    assert problems == []
    assert notable == {"failed as interrupted": 1}
