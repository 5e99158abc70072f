"""The own-mailbox settings: the app password is encrypted at rest and never shown back."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from followup.accounts.models import Mailbox
from followup.accounts.secrets import SecretUnreadable, secret_decrypt
from messaging.mailbox import MailboxUnavailable, connection_for
from tests.builders.mailboxes import APP_PASSWORD, make_mailbox

pytestmark = pytest.mark.django_db


def mailbox_data(**overrides: str) -> dict[str, str]:
    return {
        "enabled": "on",
        "smtp_host": "smtp.gmail.com",
        "smtp_port": "587",
        "smtp_security": "starttls",
        "imap_host": "imap.gmail.com",
        "imap_port": "993",
        "imap_security": "ssl",
        "username": "alex@example.com",
        "password": APP_PASSWORD,
    } | overrides


def stored_column(user) -> str:
    """What the database itself holds for the password, read past the model."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT password_token FROM accounts_mailbox WHERE user_id = %s", [user.pk])
        return cursor.fetchone()[0]


def test_the_app_password_is_stored_encrypted(owner_client, user):
    response = owner_client.post(reverse("accounts:mailbox"), mailbox_data())

    assert response.status_code == 302
    column = stored_column(user)
    assert column and APP_PASSWORD not in column
    assert "abcd" not in column
    assert secret_decrypt(column) == APP_PASSWORD


def test_another_key_cannot_read_it(user, settings):
    mailbox = make_mailbox(user)
    settings.FOLLOWUP_FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(SecretUnreadable) as raised:
        secret_decrypt(mailbox.password_token)
    assert APP_PASSWORD not in str(raised.value)
    with pytest.raises(MailboxUnavailable, match="enter your app password again"):
        connection_for(user)


def test_a_rotated_key_still_reads_what_the_old_one_wrote(user, settings):
    mailbox = make_mailbox(user)
    old = settings.FOLLOWUP_FIELD_ENCRYPTION_KEYS
    settings.FOLLOWUP_FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *old]

    assert secret_decrypt(mailbox.password_token) == APP_PASSWORD


def test_the_profile_page_never_shows_the_password(owner_client, user):
    owner_client.post(reverse("accounts:mailbox"), mailbox_data())

    page = owner_client.get(reverse("accounts:profile")).content.decode()

    assert "smtp.gmail.com" in page  # the settings are shown...
    assert APP_PASSWORD not in page  # ...the password is not,
    assert stored_column(user) not in page  # nor its ciphertext
    assert "An app password is stored" in page


def test_an_invalid_form_does_not_send_the_typed_password_back(owner_client):
    response = owner_client.post(reverse("accounts:mailbox"), mailbox_data(smtp_port="99999999"))

    assert response.status_code == 400
    assert APP_PASSWORD not in response.content.decode()
    assert not Mailbox.objects.exists()


def test_an_empty_password_keeps_the_stored_one(owner_client, user):
    owner_client.post(reverse("accounts:mailbox"), mailbox_data())

    owner_client.post(reverse("accounts:mailbox"), mailbox_data(password="", smtp_port="465"))

    mailbox = Mailbox.objects.get(user=user)
    assert mailbox.smtp_port == 465
    assert secret_decrypt(mailbox.password_token) == APP_PASSWORD


def test_a_first_save_needs_a_password(owner_client):
    response = owner_client.post(reverse("accounts:mailbox"), mailbox_data(password=""))

    assert response.status_code == 400
    assert "none is stored yet" in response.content.decode()
    assert not Mailbox.objects.exists()


def test_forget_my_password_deletes_it(owner_client, user):
    make_mailbox(user)

    response = owner_client.post(reverse("accounts:mailbox_forget"))

    assert response.status_code == 302
    assert stored_column(user) == ""
    assert connection_for(user) is None


def test_no_encryption_key_means_no_password_is_kept(owner_client, settings):
    settings.FOLLOWUP_FIELD_ENCRYPTION_KEYS = []

    response = owner_client.post(reverse("accounts:mailbox"), mailbox_data())

    assert response.status_code == 400
    assert "no encryption key" in response.content.decode()
    assert not Mailbox.objects.exists()


def test_no_encryption_over_a_network_is_refused(owner_client):
    response = owner_client.post(reverse("accounts:mailbox"), mailbox_data(imap_security="none"))

    assert response.status_code == 400
    assert "readable" in response.content.decode()
    assert not Mailbox.objects.exists()


def test_another_inbox_is_read_afresh(user):
    mailbox = make_mailbox(user, imap_port=1993)
    Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=7, last_seen_uid=40)

    make_mailbox(user, imap_port=1993, username="other@example.com")

    mailbox.refresh_from_db()
    assert (mailbox.uidvalidity, mailbox.last_seen_uid) == (None, 0)


def test_the_password_is_not_in_the_data_export(owner_client, user):
    make_mailbox(user)

    export = owner_client.get(reverse("accounts:export_json")).content.decode()

    assert APP_PASSWORD not in export
    assert "password_token" not in export
    # The settings themselves are the user's data and are there.
    [settings_row] = json.loads(export)["mailbox"]
    assert settings_row["imap_host"] == user.mailbox.imap_host


def test_rotating_the_key_encrypts_the_passwords_again(user, outsider, settings):
    make_mailbox(user)
    old = settings.FOLLOWUP_FIELD_ENCRYPTION_KEYS
    new = Fernet.generate_key().decode()
    settings.FOLLOWUP_FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    make_mailbox(outsider)  # under a key that is then lost
    settings.FOLLOWUP_FIELD_ENCRYPTION_KEYS = [new, *old]
    out = StringIO()

    call_command("rotate_mailbox_passwords", stdout=out)

    assert "1 mailbox passwords encrypted" in out.getvalue()
    assert "1 could not be read" in out.getvalue()
    settings.FOLLOWUP_FIELD_ENCRYPTION_KEYS = [new]  # the old key removed
    assert secret_decrypt(stored_column(user)) == APP_PASSWORD
