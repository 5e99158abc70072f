"""The local outbox page: the user's own kept emails, text and sanitised HTML."""

from __future__ import annotations

import html

from django.core.mail import EmailMessage
from django.urls import reverse

from messaging.models import OutboxEmail
from messaging.views import OUTBOX_PAGE_SIZE
from tests.builders.messages import draft, panel


def kept(user, subject: str = "Thank you - Data Engineer interview", **fields) -> OutboxEmail:
    values = {
        "from_email": "Alex Morgan <followup@localhost>",
        "to": "Dana Richardson <dana@acme.example>",
        "body_text": "Dear Ms. Richardson,\n\nThank you for your time today.",
        "body_html": "<p>Thank you for your time <b>today</b>.</p>",
        "headers": {"Message-ID": "<m1@followup.example>"},
        "message_id": "<m1@followup.example>",
    } | fields
    return OutboxEmail.objects.create(user=user, subject=subject, **values)


def test_the_outbox_lists_only_the_users_own_emails(owner_client, user, outsider):
    mine = kept(user)
    kept(outsider, subject="Someone else's note")

    response = owner_client.get(reverse("messaging:outbox"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Thank you - Data Engineer interview" in page
    assert "Someone else&#x27;s note" not in page and "Someone else's note" not in page
    assert reverse("messaging:outbox_detail", args=[mine.pk]) in page
    assert "dana@acme.example" in page


def test_an_empty_outbox_says_so(owner_client):
    response = owner_client.get(reverse("messaging:outbox"))

    assert response.status_code == 200
    assert "Nothing here yet" in response.content.decode()


def test_the_outbox_pages_long_lists(owner_client, user):
    for number in range(OUTBOX_PAGE_SIZE + 5):
        kept(user, subject=f"Email {number}")

    first = owner_client.get(reverse("messaging:outbox")).content.decode()
    second = owner_client.get(reverse("messaging:outbox") + "?page=2").content.decode()
    nonsense = owner_client.get(reverse("messaging:outbox") + "?page=abc")

    assert first.count("data-outbox=") == OUTBOX_PAGE_SIZE
    assert second.count("data-outbox=") == 5
    assert nonsense.status_code == 200


def test_the_detail_shows_the_text_and_the_html_in_a_sandboxed_frame(owner_client, user):
    row = kept(
        user,
        body_html='<p onclick="steal()">Thank you</p><script>alert(1)</script>'
        '<img src="x" onerror="steal()">',
    )

    response = owner_client.get(reverse("messaging:outbox_detail", args=[row.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Thank you for your time today." in page
    assert 'sandbox=""' in page
    srcdoc = html.unescape(page.split('srcdoc="', 1)[1].split('"', 1)[0])
    assert "<p>Thank you</p>" in srcdoc
    assert "script" not in srcdoc
    assert "onclick" not in srcdoc and "onerror" not in srcdoc
    assert "&lt;m1@followup.example&gt;" in page  # the headers, escaped


def test_another_users_email_is_not_found(outsider_client, user):
    row = kept(user)

    response = outsider_client.get(reverse("messaging:outbox_detail", args=[row.pk]))

    assert response.status_code == 404


def test_the_outbox_needs_a_login(client, user):
    row = kept(user)

    for url in (reverse("messaging:outbox"), reverse("messaging:outbox_detail", args=[row.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_the_detail_shows_reply_to_and_links_back_to_the_application(owner_client, user):
    application, _ = panel(user)
    message = draft(application)
    row = kept(
        user,
        headers={"Message-ID": message.message_id, "Reply-To": "Alex Morgan <alex@example.com>"},
        message_id=message.message_id,
    )

    page = owner_client.get(reverse("messaging:outbox_detail", args=[row.pk])).content.decode()

    assert "Reply-To" in page
    assert "Alex Morgan &lt;alex@example.com&gt;" in page
    assert f'href="{application.get_absolute_url()}#message-{message.pk}"' in page


def test_the_outbox_backend_keeps_the_reply_to_address(user, settings):
    settings.EMAIL_BACKEND = "messaging.outbox.OutboxEmailBackend"
    EmailMessage(
        "Hello",
        "Body",
        "Alex Morgan <followup@localhost>",
        ["dana@acme.example"],
        reply_to=["Alex Morgan <alex@example.com>"],
    ).send()

    row = OutboxEmail.objects.get()
    assert row.headers["Reply-To"] == "Alex Morgan <alex@example.com>"
    assert row.user == user


def test_an_email_without_a_message_shows_no_application_link(owner_client, user):
    row = kept(user)

    page = owner_client.get(reverse("messaging:outbox_detail", args=[row.pk])).content.decode()

    assert "data-application-link" not in page
