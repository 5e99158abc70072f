"""'Test connection' logs in to the real servers and says, in plain words, which step failed."""

from __future__ import annotations

import logging
import socket
import time

import pytest
from django.urls import reverse

from followup.accounts.models import Mailbox
from messaging import mailbox as mailbox_module
from messaging.mailbox import mailbox_check
from tests.builders.mailboxes import (
    APP_PASSWORD,
    closed_port,
    dovecot,
    make_mailbox,
    self_signed_context,
    smtp_server,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]


def press_test_connection(client, *, htmx: bool = True) -> str:
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(reverse("accounts:mailbox_test"), **headers, follow=not htmx)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def servers(user):
    with dovecot(user.email) as imap, smtp_server(user.email) as smtp:
        yield imap, smtp


def test_both_sides_work_with_the_right_settings(owner_client, user, servers):
    imap, smtp = servers
    make_mailbox(user, imap_port=imap.port, smtp_port=smtp.port)

    page = press_test_connection(owner_client)

    assert "Sending (SMTP):</strong> works. Logged in to 127.0.0.1" in page
    assert "Reading replies (IMAP):</strong> works." in page
    assert "opened your INBOX" in page
    assert smtp.received == []  # a test sends nothing


def test_a_wrong_password_is_named_as_such_on_both_sides(owner_client, user, servers, caplog):
    imap, smtp = servers
    make_mailbox(user, imap_port=imap.port, smtp_port=smtp.port, password="wrong-password-9")

    with caplog.at_level(logging.DEBUG):
        page = press_test_connection(owner_client)

    assert page.count("Failed while logging in.") == 2
    assert page.count("refused the username or the app password") == 2
    assert "wrong-password-9" not in page
    assert "wrong-password-9" not in caplog.text
    assert "Traceback" not in page


def test_a_closed_port_is_named_as_refused(owner_client, user):
    make_mailbox(user, imap_port=closed_port(), smtp_port=closed_port())

    page = press_test_connection(owner_client)

    assert page.count("Failed while connecting.") == 2
    assert "127.0.0.1 refused the connection on port" in page


def test_a_server_name_that_does_not_exist_is_named_as_dns(owner_client, user):
    make_mailbox(
        user,
        smtp_host="smtp.followup-test.invalid",
        imap_host="imap.followup-test.invalid",
        smtp_security=Mailbox.Security.STARTTLS,
        imap_security=Mailbox.Security.SSL,
    )

    page = press_test_connection(owner_client)

    assert "The server name smtp.followup-test.invalid could not be found (DNS)" in page
    assert "The server name imap.followup-test.invalid could not be found (DNS)" in page


def test_starttls_on_a_server_without_it_is_named(owner_client, user, servers):
    imap, smtp = servers
    make_mailbox(
        user,
        imap_port=imap.port,
        smtp_port=smtp.port,
        smtp_host="localhost",
        smtp_security=Mailbox.Security.STARTTLS,
    )

    page = press_test_connection(owner_client)

    assert "Failed while starting encryption (STARTTLS)" in page


def test_ssl_on_a_plain_port_is_a_tls_failure(owner_client, user, servers):
    imap, smtp = servers
    make_mailbox(user, imap_port=imap.port, smtp_port=smtp.port, imap_security=Mailbox.Security.SSL)

    page = press_test_connection(owner_client)

    assert "Reading replies (IMAP):</strong> does not work. Failed while connecting." in page
    assert "The secure connection (TLS) to 127.0.0.1 on port" in page


def test_without_javascript_the_results_come_as_messages_on_the_profile(owner_client, user):
    make_mailbox(user, imap_port=closed_port(), smtp_port=closed_port())

    page = press_test_connection(owner_client, htmx=False)

    assert "Your profile" in page
    assert "Sending (SMTP): Failed while connecting." in page


def test_nothing_to_test_before_a_password_is_saved(owner_client):
    assert "Save your mailbox with its app password first" in press_test_connection(owner_client)


def test_a_server_inside_this_network_is_not_probed_in_production(owner_client, user, settings):
    settings.FOLLOWUP_MAILBOX_PRIVATE_HOSTS = False
    make_mailbox(user, imap_port=closed_port(), smtp_port=closed_port())

    page = press_test_connection(owner_client)

    assert page.count("inside this server&#x27;s own network") == 2
    assert "refused" not in page


def test_tests_are_limited_per_user(owner_client, user):
    make_mailbox(user, imap_port=closed_port(), smtp_port=closed_port())

    pages = [press_test_connection(owner_client) for _ in range(11)]

    assert "Too many tests in a row" not in pages[9]
    assert "Too many tests in a row" in pages[10]


def test_the_password_stays_out_of_the_page(owner_client, user):
    make_mailbox(user, imap_port=closed_port(), smtp_port=closed_port())

    assert APP_PASSWORD not in press_test_connection(owner_client)


@pytest.fixture
def silent_port():
    """A port that takes the connection and then never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_a_server_that_never_answers_is_named_as_slow(user, silent_port):
    mailbox = make_mailbox(user, imap_port=silent_port, smtp_port=silent_port)

    results = mailbox_check(mailbox, timeout=0.5)

    assert [r.ok for r in results] == [False, False]
    assert all(f"did not answer on port {silent_port} in time" in r.detail for r in results)


def test_the_whole_test_ends_within_its_deadline(user, silent_port, monkeypatch):
    monkeypatch.setattr(mailbox_module, "CHECK_DEADLINE", 1)
    mailbox = make_mailbox(user, imap_port=silent_port, smtp_port=silent_port)
    started = time.monotonic()

    results = mailbox_check(mailbox, timeout=5)

    assert time.monotonic() - started < 3
    assert all("did not finish answering" in r.detail for r in results)


def test_a_certificate_no_one_vouches_for_is_named(owner_client, user, tmp_path):
    with smtp_server(user.email, tls=self_signed_context(tmp_path)) as smtp:
        make_mailbox(
            user,
            smtp_port=smtp.port,
            smtp_security=Mailbox.Security.SSL,
            imap_port=closed_port(),
        )

        page = press_test_connection(owner_client)

    assert "Sending (SMTP):</strong> does not work. Failed while connecting." in page
    assert "its certificate could not be verified (self-signed certificate)" in page
    assert smtp.received == []
