"""Anymail's webhooks: URLs only with a secret, each event stored once, lost events swept up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from interviews.models import TimelineEvent
from messaging.models import EmailEvent
from messaging.webhooks.processing import email_events_requeue
from tests.builders.webhooks import delivery, webhook_urls

NOW = dt.datetime(2025, 3, 12, 15, 0, tzinfo=dt.UTC)  # a Wednesday


def test_without_a_webhook_secret_there_are_no_webhook_urls(client, db):
    with webhook_urls():
        with pytest.raises(NoReverseMatch):
            reverse("anymail:postmark_tracking_webhook")
        response = client.post(
            "/anymail/postmark/tracking/", data="{}", content_type="application/json"
        )
    assert response.status_code == 404
    assert not EmailEvent.objects.exists()


def test_with_a_webhook_secret_the_urls_exist_and_demand_it(client, db):
    url = reverse("anymail:postmark_tracking_webhook")
    assert url == "/anymail/postmark/tracking/"
    response = client.post(url, data="{}", content_type="application/json")
    assert response.status_code == 400
    assert not EmailEvent.objects.exists()


def test_a_delivery_is_stored_once_however_often_it_arrives(post, sent):
    for _ in range(2):
        assert post("tracking", delivery(sent)).status_code == 200

    event = EmailEvent.objects.get()
    sent.refresh_from_db()
    assert event.event_type == "delivered"
    assert event.message == sent
    assert event.processed_at is not None
    assert sent.delivery_status == "delivered"
    delivered = TimelineEvent.objects.filter(message=sent, kind=TimelineEvent.Kind.DELIVERED)
    assert delivered.count() == 1


def test_a_webhook_without_the_secret_is_refused(post, sent):
    response = post("tracking", delivery(sent), secret="hooks:wrong")

    assert response.status_code == 400
    assert not EmailEvent.objects.exists()


def test_the_sweep_re_enqueues_events_left_unprocessed_for_ten_minutes(sent):
    old = EmailEvent.objects.create(
        event_id="postmark:lost", event_type="delivered", payload=delivery(sent)
    )
    fresh = EmailEvent.objects.create(event_id="postmark:fresh", event_type="delivered")
    done = EmailEvent.objects.create(
        event_id="postmark:done", event_type="delivered", processed_at=NOW
    )
    ancient = EmailEvent.objects.create(event_id="postmark:ancient", event_type="delivered")
    EmailEvent.objects.filter(pk__in=[old.pk, done.pk]).update(
        received_at=NOW - dt.timedelta(minutes=11)
    )
    EmailEvent.objects.filter(pk=fresh.pk).update(received_at=NOW - dt.timedelta(minutes=5))
    EmailEvent.objects.filter(pk=ancient.pk).update(received_at=NOW - dt.timedelta(days=30))
    enqueued: list[int] = []

    assert email_events_requeue(now=NOW, enqueue=enqueued.append) == 1
    assert enqueued == [old.pk]


def test_the_beat_task_processes_a_lost_delivery_report(sent, django_capture_on_commit_callbacks):
    from messaging.tasks import requeue_email_events

    event = EmailEvent.objects.create(
        event_id="postmark:lost",
        event_type="delivered",
        esp_message_id=sent.esp_message_id,
        recipient=sent.to_email,
        payload={"timestamp": "", "metadata": {"message_id": str(sent.pk)}},
    )
    EmailEvent.objects.filter(pk=event.pk).update(
        received_at=timezone.now() - dt.timedelta(minutes=15)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_email_events.apply().get() == 1

    event.refresh_from_db()
    sent.refresh_from_db()
    assert event.processed_at is not None
    assert sent.delivery_status == "delivered"


def test_the_sweep_runs_on_the_beat_every_ten_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["requeue-email-events"]
    assert entry["task"] == "messaging.tasks.requeue_email_events"
    assert entry["schedule"] == 600
