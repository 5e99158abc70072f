"""The webhook URLs a stranger can reach: only the configured ESP's, and bad bodies get a 400."""

from __future__ import annotations

import json

import pytest
from django.db import DatabaseError
from django.urls import resolve

from messaging.models import EmailEvent
from tests.builders.webhooks import (
    SECRET,
    anymail_webhook_paths,
    basic_auth,
    delivery,
    inbound,
    webhook_urls,
)

# Generated from anymail.urls, so an ESP that a new Anymail adds is checked too.
OTHER_ESPS = sorted(
    (name, url) for name, url in anymail_webhook_paths().items() if not name.startswith("postmark_")
)


def test_anymail_knows_many_esps_and_postmark_among_them():
    names = anymail_webhook_paths()
    assert {"postmark_tracking_webhook", "postmark_inbound_webhook"} <= set(names)
    assert len(OTHER_ESPS) >= 20


@pytest.mark.parametrize(("name", "url"), OTHER_ESPS, ids=[name for name, _ in OTHER_ESPS])
def test_another_esps_webhook_url_does_not_exist(client, db, name, url):
    client.raise_request_exception = False
    response = client.post(url, data="{}", content_type="application/json", **basic_auth())

    assert response.status_code == 404
    assert not EmailEvent.objects.exists()


@pytest.mark.parametrize(
    ("backend", "esp"),
    [
        ("anymail.backends.postmark.EmailBackend", "postmark"),
        ("anymail.backends.sendgrid.EmailBackend", "sendgrid"),
        ("anymail.backends.amazon_ses.EmailBackend", "amazon_ses"),
        # The local outbox sends nothing: a secret set anyway gives the shipped ESP's URLs.
        ("messaging.outbox.OutboxEmailBackend", "postmark"),
    ],
)
def test_the_esp_is_the_email_backends(backend, esp):
    from messaging.webhook_views import esp_of

    assert esp_of(backend) == esp


def test_the_urls_are_those_of_the_configured_backends_esp(client, db):
    with webhook_urls(backend="anymail.backends.brevo.EmailBackend", WEBHOOK_SECRET=SECRET):
        assert resolve("/anymail/brevo/tracking/").url_name == "brevo_tracking_webhook"
        assert resolve("/anymail/brevo/inbound/").url_name == "brevo_inbound_webhook"
        response = client.post(
            "/anymail/postmark/tracking/", data="{}", content_type="application/json"
        )
        assert response.status_code == 404
        # The view is still Anymail's: wrongly signed, it answers as Anymail does.
        response = client.post(
            "/anymail/brevo/tracking/",
            data="[]",
            content_type="application/json",
            **basic_auth("x:y"),
        )
        assert response.status_code == 400


UNREADABLE = {
    "not JSON": ("tracking", "RecordType=Delivery"),
    "not UTF-8": ("tracking", b"\xff\xfe{}"),
    "truncated": ("tracking", '{"RecordType": "Delivery", "MessageID": '),
    "a list": ("tracking", "[]"),
    "a string": ("tracking", '"Delivery"'),
    "an empty object": ("tracking", "{}"),
    "no RecordType": ("tracking", '{"MessageID": "x", "Recipient": "dana@acme.example"}'),
    "inbound, a list": ("inbound", "[]"),
    "inbound, headers not a list": ("inbound", json.dumps({**inbound(), "Headers": "x"})),
    "inbound, sender not an object": ("inbound", json.dumps({**inbound(), "FromFull": "x"})),
}


@pytest.mark.parametrize(("kind", "body"), UNREADABLE.values(), ids=UNREADABLE.keys())
def test_a_body_that_is_not_a_postmark_event_is_refused_and_not_stored(post_raw, kind, body):
    response = post_raw(kind, body)

    assert response.status_code == 400
    assert not EmailEvent.objects.exists()


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_a_body_of_another_content_type_is_refused(post_raw, sent, content_type):
    response = post_raw("tracking", json.dumps(delivery(sent)), content_type=content_type)

    assert response.status_code == 400
    assert not EmailEvent.objects.exists()


def test_a_body_over_the_limit_is_refused_unread(post_raw, settings):
    settings.FOLLOWUP_WEBHOOK_MAX_BYTES = 100_000
    body = json.dumps(inbound(text="x" * 100_000))

    response = post_raw("inbound", body)

    assert response.status_code == 413
    assert not EmailEvent.objects.exists()


def test_an_inbound_email_larger_than_a_form_post_is_received(post_raw, settings):
    # Django refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB); an email with an
    # attachment is larger, and the webhook's own limit (10 MB by default) applies.
    assert settings.FOLLOWUP_WEBHOOK_MAX_BYTES == 10 * 1024 * 1024
    body = json.dumps(inbound(text="x" * (4 * 1024 * 1024)))

    response = post_raw("inbound", body)

    assert response.status_code == 200
    assert EmailEvent.objects.count() == 1


def test_a_wrongly_signed_body_keeps_anymails_answer(post_raw, sent):
    for body in (json.dumps(delivery(sent)), "not JSON"):
        assert post_raw("tracking", body, secret="hooks:wrong").status_code == 400
    assert not EmailEvent.objects.exists()


def test_a_good_event_that_cannot_be_stored_still_answers_500_for_the_esp_to_retry(
    client, post_raw, sent, monkeypatch
):
    # The body is fine and our database is not: the ESP must send it again later.
    def broken(*args, **kwargs):
        raise DatabaseError("the database is away")

    monkeypatch.setattr(EmailEvent.objects, "get_or_create", broken)
    client.raise_request_exception = False

    assert post_raw("tracking", json.dumps(delivery(sent))).status_code == 500
