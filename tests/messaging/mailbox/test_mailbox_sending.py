"""Sending through the user's own SMTP server: logged in as them, From their address."""

from __future__ import annotations

import email
import email.policy

import pytest
from django.core.mail import EmailMultiAlternatives

from messaging.mailbox import PrivateHost, connection_for, sender_for
from tests.builders.mailboxes import make_mailbox, smtp_server

pytestmark = [
    pytest.mark.django_db,
    # The test server takes the login over plain TCP: it is loopback.
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]


def test_an_email_sent_through_the_connection_arrives_from_the_user(user):
    with smtp_server(user.email) as server:
        make_mailbox(user, smtp_port=server.port)
        backend = connection_for(user)
        mails = [
            EmailMultiAlternatives(
                subject=f"Thank you - Data Engineer interview {n}",
                body=f"Dear Ms. Richardson,\n\nThank you for your time today ({n}).",
                from_email=sender_for(user),
                to=["Dana Richardson <dana@acme.example>"],
                headers={"Message-ID": f"<thank-you-{n}@followup.example>"},
            )
            for n in (1, 2)
        ]
        for mail in mails:
            mail.attach_alternative(f"<p>Thank you ({mail.subject[-1]})</p>", "text/html")

        # One connection for the batch, as the dispatcher sends.
        with backend:
            sent = backend.send_messages(mails)

    assert sent == 2
    assert [e.mail_from for e in server.received] == ["alex@example.com"] * 2
    assert server.received[0].rcpt_tos == ["dana@acme.example"]
    arrived = email.message_from_bytes(server.received[0].content, policy=email.policy.default)
    assert arrived["From"] == "Alex Morgan <alex@example.com>"
    assert arrived["To"] == "Dana Richardson <dana@acme.example>"
    assert arrived["Message-ID"] == "<thank-you-1@followup.example>"
    assert arrived["Subject"] == "Thank you - Data Engineer interview 1"
    text = arrived.get_body(("plain",)).get_content()
    assert "Thank you for your time today (1)." in text
    assert "<p>Thank you (1)</p>" in arrived.get_body(("html",)).get_content()


def test_a_wrong_password_is_refused_by_the_server(user):
    with smtp_server(user.email) as server:
        make_mailbox(user, smtp_port=server.port, password="not-the-app-password")

        with pytest.raises(Exception, match="535"):
            connection_for(user).open()

    assert server.received == []


def test_no_mailbox_or_one_switched_off_sends_as_before(user, outsider):
    make_mailbox(outsider, enabled=False)

    assert connection_for(user) is None
    assert connection_for(outsider) is None


def test_a_server_inside_this_network_is_refused_in_production(user, settings):
    settings.FOLLOWUP_MAILBOX_PRIVATE_HOSTS = False
    make_mailbox(user)

    with pytest.raises(PrivateHost, match="own network"):
        connection_for(user).open()
