"""Who an email is from, who answers reach, who gets a copy: decided per chunk, once per user.

- the site's mail service: From our address under the user's name; Reply-To the
  application's reply address when replies are set up (FOLLOWUP_REPLY_DOMAIN), else the
  user's own; a BCC copy to the user unless they switched it off;
- the user's own mailbox (own-mailbox mode): through their SMTP server, From their address;
- an unconfirmed new login address: nothing goes until it is confirmed;
- header injection through any field that reaches a header: never a second recipient.
"""

from __future__ import annotations

import email
import email.policy

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from followup.accounts.models import Profile, User
from messaging.dispatch.chunks import claim_chunk, send_claimed
from messaging.models import Message, ReplyAddress
from tests.builders.accounts import make_user
from tests.builders.mailboxes import make_mailbox, smtp_server
from tests.builders.messages import IN_WINDOW, make_message, sending_setup

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]

Status = Message.Status
KEY = Fernet.generate_key().decode()


@pytest.fixture(autouse=True)
def _mailbox_key(settings):
    settings.FOLLOWUP_FIELD_ENCRYPTION_KEYS = [KEY]
    # The test SMTP server listens on 127.0.0.1, which production refuses.
    settings.FOLLOWUP_MAILBOX_PRIVATE_HOSTS = True


def _send_all() -> dict[int, str]:
    now = timezone.now()
    return send_claimed(ids=claim_chunk(now=now, size=100), token=now).statuses


@time_machine.travel(IN_WINDOW, tick=False)
def test_with_a_reply_domain_answers_come_to_the_applications_reply_address(
    setup, locmem, settings
):
    settings.FOLLOWUP_REPLY_DOMAIN = "reply.followup.example"
    application, contact = setup
    make_message(application, contact=contact)

    _send_all()

    [mail] = locmem
    token = ReplyAddress.objects.get(application=application).token
    assert mail.reply_to == [f"Alex Morgan <reply-{token}@reply.followup.example>"]
    assert mail.from_email == "Alex Morgan <send@followup.example>"
    assert mail.bcc == ["alex@example.com"]  # the user's copy, on by default


@time_machine.travel(IN_WINDOW, tick=False)
def test_without_one_answers_go_to_the_user_and_the_copy_follows_the_switch(
    setup, locmem, settings
):
    settings.FOLLOWUP_REPLY_DOMAIN = ""
    application, contact = setup
    Profile.objects.filter(user=application.user).update(bcc_copy=False)
    make_message(application, contact=contact)

    _send_all()

    [mail] = locmem
    assert mail.reply_to == ["Alex Morgan <alex@example.com>"]
    assert mail.bcc == []


@time_machine.travel(IN_WINDOW, tick=False)
def test_the_reply_addresses_cost_the_same_statements_for_5_messages_as_for_40(
    setup, locmem, settings
):
    settings.FOLLOWUP_REPLY_DOMAIN = "reply.followup.example"
    settings.FOLLOWUP_DAILY_SEND_CAP = 1000
    application, contact = setup

    def statements(count: int) -> int:
        for _ in range(count):
            make_message(application, contact=contact)
        with CaptureQueriesContext(connection) as queries:
            _send_all()
        return len(queries.captured_queries)

    statements(1)  # the application's reply address is made once, on first use
    assert statements(5) == statements(40)


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_user_with_their_own_mailbox_sends_through_it_and_the_rest_through_the_site(
    setup, locmem, settings
):
    application, contact = setup
    alex = application.user
    other_user = make_user("sam@example.org", full_name="Sam Other")
    other_application, other_contact = sending_setup(other_user)
    mine = make_message(application, contact=contact)
    theirs = make_message(other_application, contact=other_contact)

    with smtp_server(alex.email) as server:
        make_mailbox(alex, smtp_port=server.port)
        statuses = _send_all()

    assert statuses == {mine.pk: Status.SENT, theirs.pk: Status.SENT}
    [arrived] = [
        email.message_from_bytes(e.content, policy=email.policy.default) for e in server.received
    ]
    assert arrived["From"] == "Alex Morgan <alex@example.com>"
    assert arrived["Message-ID"] == mine.message_id
    assert arrived["Reply-To"] is None and arrived["Bcc"] is None
    # Sam has no mailbox of their own: the site's mail service sent theirs.
    assert [m.extra_headers["Message-ID"] for m in locmem] == [theirs.message_id]


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_mailbox_that_cannot_be_used_fails_the_email_instead_of_sending_it_otherwise(
    setup, locmem, settings
):
    application, contact = setup
    make_mailbox(application.user, smtp_port=2525)
    # The key changed since the password was stored: it cannot be read any more.
    settings.FOLLOWUP_FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    message = make_message(application, contact=contact)

    statuses = _send_all()

    assert statuses == {message.pk: Status.FAILED}
    message.refresh_from_db()
    assert message.status_reason.startswith("Your own mailbox could not be used")
    assert locmem == []


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_new_login_address_not_yet_confirmed_stops_what_was_approved(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact)
    User.objects.filter(pk=application.user_id).update(
        email="alex.new@example.com", email_verified_at=None
    )

    statuses = _send_all()

    assert statuses == {message.pk: Status.DRAFT}
    message.refresh_from_db()
    assert (message.status, message.approved_at) == (Status.DRAFT, None)
    assert "not confirmed" in message.status_reason
    assert locmem == []


@time_machine.travel(IN_WINDOW, tick=False)
@pytest.mark.parametrize(
    "field",
    ["to_name", "subject", "in_reply_to", "references"],
)
def test_a_line_break_in_any_header_field_never_adds_a_recipient(setup, locmem, field):
    """Approval's checks refuse these; the dispatcher must hold even if a row has one."""
    application, contact = setup
    message = make_message(application, contact=contact)
    value = getattr(message, field) or "<x@y.example>"
    Message.objects.filter(pk=message.pk).update(
        **{field: f"{value}\r\nBcc: victim@attacker.example"}
    )

    _send_all()

    for mail in locmem:
        raw = mail.message().as_bytes()
        assert b"\nBcc: victim" not in raw and b"\r\nBcc: victim" not in raw
        assert "victim@attacker.example" not in mail.recipients()
    message.refresh_from_db()
    assert message.status in (Status.SENT, Status.FAILED)


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_line_break_in_the_senders_name_never_adds_a_recipient(setup, locmem):
    application, contact = setup
    Profile.objects.filter(user=application.user).update(
        full_name="Alex\r\nBcc: victim@attacker.example"
    )
    make_message(application, contact=contact)

    _send_all()

    for mail in locmem:
        assert "victim@attacker.example" not in mail.recipients()
        assert b"\nBcc: victim" not in mail.message().as_bytes()
