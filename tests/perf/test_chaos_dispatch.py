"""The chaos report's judge: what counts as sent once, a duplicate, lost, unconfirmed, stuck."""

from __future__ import annotations

from types import SimpleNamespace

from perf.chaos_dispatch import check


def _row(pk: int, status: str, **fields) -> dict:
    return {"pk": pk, "status": status, "status_reason": "", "esp_message_id": ""} | fields


def _taken(pk: int, esp_id: str) -> SimpleNamespace:
    """A request the fake ESP accepted for message `pk`, answering with `esp_id`."""
    return SimpleNamespace(
        taken=True, json={"Metadata": {"message_id": str(pk)}}, reply={"MessageID": esp_id}
    )


def test_each_ending_is_counted_by_its_status_and_the_esps_log():
    rows = [
        _row(1, "sent", esp_message_id="e1"),
        _row(2, "failed", status_reason="The mail service refused it: no such address."),
        _row(3, "unconfirmed", status_reason="Any wording at all."),
    ]

    problems, counts = check(rows, [_taken(1, "e1")])

    assert problems == []
    assert counts == {"sent_once": 1, "failed": 1, "unconfirmed": 1}


def test_two_copies_at_the_esp_are_a_duplicate_whatever_the_row_says():
    problems, counts = check(
        [_row(1, "sent", esp_message_id="e1")], [_taken(1, "e1"), _taken(1, "e2")]
    )

    assert counts["duplicates"] == 1
    assert any("taken by the ESP 2 times" in p for p in problems)


def test_a_failure_the_esp_took_is_lost_and_a_row_left_sending_is_stuck():
    problems, counts = check(
        [_row(1, "failed", status_reason="x"), _row(2, "sending")], [_taken(1, "e1")]
    )

    assert counts["lost"] == 1 and counts["stuck"] == 1
    assert len(problems) == 2
