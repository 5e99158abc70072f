"""Fixtures of the webhook tests: the webhook URLs with a secret, a sent thank-you, a poster."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging.models import Message
from tests.builders.messages import eager_celery, make_message, sending_setup
from tests.builders.webhooks import SECRET, basic_auth, webhook_urls


@pytest.fixture(autouse=True)
def _webhooks(settings):
    settings.FOLLOWUP_INBOUND_AUTHSERV_ID = "mx.postmarkapp.com"
    with webhook_urls(WEBHOOK_SECRET=SECRET), eager_celery():
        yield


@pytest.fixture
def sent(user) -> Message:
    """A thank-you that went out through Postmark."""
    application, contact = sending_setup(user)
    return make_message(
        application,
        contact=contact,
        status=Message.Status.SENT,
        sent_at=timezone.now(),
        message_id="<thank-you-1@followup.example>",
        esp_message_id="883953f4-6105-42a2-a16a-77a8eac79483",
    )


@pytest.fixture
def post_raw(client, db, django_capture_on_commit_callbacks):
    """POST a body as it is, however malformed, to a Postmark webhook URL (signed)."""

    def send(
        kind: str, body: str | bytes, content_type: str = "application/json", secret: str = SECRET
    ):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse(f"anymail:postmark_{kind}_webhook"),
                data=body,
                content_type=content_type,
                **basic_auth(secret),
            )

    return send


@pytest.fixture
def post(post_raw):
    """POST a Postmark payload to Anymail's webhook URL, running what it enqueues."""

    def send(kind: str, payload: dict, secret: str = SECRET):
        return post_raw(kind, json.dumps(payload), secret=secret)

    return send
