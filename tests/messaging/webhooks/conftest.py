"""Fixtures of the webhook tests: the webhook URLs with a secret, a sent thank-you, a poster."""

from __future__ import annotations

import base64
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging.models import Message
from tests.builders.messages import eager_celery, make_message, sending_setup
from tests.builders.webhooks import SECRET, webhook_urls


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
def post(client, django_capture_on_commit_callbacks):
    """POST a Postmark payload to Anymail's webhook URL, running what it enqueues."""

    def send(kind: str, payload: dict, secret: str = SECRET):
        token = base64.b64encode(secret.encode()).decode()
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse(f"anymail:postmark_{kind}_webhook"),
                data=json.dumps(payload),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Basic {token}",
            )

    return send
