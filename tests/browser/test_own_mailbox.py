"""Own-mailbox mode in a real browser: the settings saved from the profile, "Test connection"
answered in place (htmx) against real SMTP and IMAP servers, without a CSP violation."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from followup.accounts.models import Mailbox
from tests.browser.conftest import screenshot
from tests.browser.test_csp import Console, signed_in_page
from tests.builders.accounts import make_user
from tests.builders.mailboxes import APP_PASSWORD, dovecot, smtp_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]


def test_the_mailbox_is_saved_and_tested_in_place(browser_context, live_server, settings):
    settings.FOLLOWUP_FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    settings.FOLLOWUP_MAILBOX_PRIVATE_HOSTS = True
    console = Console(browser_context)
    user = make_user("alex@example.com")
    with dovecot(user.email) as imap, smtp_server(user.email) as smtp:
        page = signed_in_page(browser_context, live_server, user, console)
        page.goto(f"{live_server.url}/accounts/profile/")
        page.wait_for_function("() => window.htmx !== undefined")
        section = page.locator("#own-mailbox")
        for label, value in (
            ("SMTP server", "127.0.0.1"),
            ("SMTP port", str(smtp.port)),
            ("IMAP server", "127.0.0.1"),
            ("IMAP port", str(imap.port)),
            ("Username", user.email),
            ("App password", APP_PASSWORD),
        ):
            section.get_by_label(label, exact=False).first.fill(value)
        section.get_by_label("SMTP security").select_option("none")
        section.get_by_label("IMAP security").select_option("none")
        section.get_by_role("button", name="Save mailbox").click()
        page.wait_for_url("**/accounts/profile/#own-mailbox")

        assert "Your mailbox is saved" in page.content()
        assert page.locator("#mailbox_password").input_value() == ""
        section.get_by_role("button", name="Test connection").click()
        result = page.locator("#mailbox-test-result")
        result.get_by_text("Reading replies (IMAP):").wait_for()
        screenshot(page, "profile-own-mailbox")

        text = result.inner_text()
        assert "Sending (SMTP): works." in text
        assert "Reading replies (IMAP): works." in text
        assert page.url.endswith("/accounts/profile/#own-mailbox")  # answered in place
    mailbox = Mailbox.objects.get(user=user)
    assert (mailbox.smtp_port, mailbox.imap_port) == (smtp.port, imap.port)
    assert console.violations() == []
