"""Raw mail is kept for the retention setting, then its payload is emptied (issue 11, §6)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from interviews.models import TimelineEvent
from messaging.models import EmailEvent, Reply
from messaging.tasks import prune_raw_mail
from messaging.webhooks.retention import PRUNED_KEY, raw_mail_prune
from tests.builders.webhooks import delivery, in_reply_to, inbound


def _age(event: EmailEvent, days: int) -> EmailEvent:
    EmailEvent.objects.filter(pk=event.pk).update(
        received_at=timezone.now() - dt.timedelta(days=days)
    )
    return event


@pytest.fixture
def old_and_new(post, sent):
    """An old reply and delivery report (200 days), a recent reply (10 days)."""
    post("inbound", inbound(headers=in_reply_to(sent.message_id), message_id="old-reply"))
    post("tracking", delivery(sent))
    post("inbound", inbound(headers=in_reply_to(sent.message_id), message_id="new-reply"))
    assert EmailEvent.objects.filter(processed_at__isnull=False).count() == 3
    old_reply, old_delivery, new_reply = EmailEvent.objects.order_by("pk")
    assert old_delivery.event_type == "delivered"
    return _age(old_reply, 200), _age(old_delivery, 181), _age(new_reply, 10)


def test_payloads_past_the_retention_are_emptied_and_the_rest_kept(old_and_new):
    old_reply, old_delivery, new_reply = old_and_new
    replies_before = list(Reply.objects.values_list("pk", "detail"))
    timeline_before = TimelineEvent.objects.count()

    assert raw_mail_prune(now=timezone.now(), keep_days=180) == 2

    old_reply.refresh_from_db()
    old_delivery.refresh_from_db()
    new_reply.refresh_from_db()
    assert set(old_reply.payload) == {PRUNED_KEY}
    assert set(old_delivery.payload) == {PRUNED_KEY}
    assert "raw_base64" in new_reply.payload
    # What the user keeps of a reply is untouched: its text and the timeline.
    assert list(Reply.objects.values_list("pk", "detail")) == replies_before
    assert TimelineEvent.objects.count() == timeline_before
    # The rows stay, so the ESP re-sending the same event id is still recognised.
    assert EmailEvent.objects.count() == 3


def test_pruning_twice_prunes_nothing_more(old_and_new):
    assert raw_mail_prune(now=timezone.now(), keep_days=180) == 2
    assert raw_mail_prune(now=timezone.now(), keep_days=180) == 0


def test_an_unprocessed_event_keeps_its_payload_whatever_its_age(old_and_new):
    waiting = _age(old_and_new[2], 400)
    EmailEvent.objects.filter(pk=waiting.pk).update(processed_at=None, failed_at=None)

    raw_mail_prune(now=timezone.now(), keep_days=180)

    waiting.refresh_from_db()
    assert "raw_base64" in waiting.payload


def test_a_failed_event_past_the_retention_is_emptied_too(old_and_new):
    old_reply, _, _ = old_and_new
    EmailEvent.objects.filter(pk=old_reply.pk).update(
        processed_at=None, failed_at=timezone.now(), failure="boom"
    )

    raw_mail_prune(now=timezone.now(), keep_days=180)

    old_reply.refresh_from_db()
    assert set(old_reply.payload) == {PRUNED_KEY}


def test_batches_cover_every_stale_event(old_and_new):
    assert raw_mail_prune(now=timezone.now(), keep_days=180, batch=1) == 2


def test_the_beat_task_reads_the_retention_setting(settings, old_and_new):
    new_reply = old_and_new[2]
    settings.FOLLOWUP_RAW_MAIL_RETENTION_DAYS = 5

    assert prune_raw_mail() == 3

    new_reply.refresh_from_db()
    assert set(new_reply.payload) == {PRUNED_KEY}


def test_the_task_is_on_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "messaging.tasks.prune_raw_mail" in tasks
