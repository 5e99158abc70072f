"""The profile page's own-mailbox form: servers, ports, username and a write-only app password."""

from __future__ import annotations

import re
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.exceptions import ValidationError

from followup.accounts.mailboxes import MAILBOX_FIELDS
from followup.accounts.models import Mailbox
from followup.accounts.secrets import NO_KEY, can_keep_secrets

# A host name (letters, digits, dots, dashes) or an IP address; nothing a URL or a header
# could smuggle in.
_HOST = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?)+$|^\[?[0-9A-Fa-f:.]+\]?$"
)
# App passwords are short; a longer one is a paste gone wrong, not a password.
PASSWORD_MAX_LENGTH = 256
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class MailboxForm(forms.ModelForm):
    """Where your mail server is and how to log in; the password is never shown back."""

    password = forms.CharField(
        label="App password",
        required=False,
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        # render_value=False: the stored password never goes back to the browser.
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
        help_text="An app password made for Followup in your mail account's security settings. "
        "Leave it empty to keep the one stored.",
    )

    class Meta:
        model = Mailbox
        fields = MAILBOX_FIELDS
        labels = {"enabled": "Use this mailbox"}
        help_texts = {
            "smtp_host": "For example smtp.gmail.com or smtp.mail.yahoo.com.",
            "smtp_port": "587 with STARTTLS, or 465 with SSL/TLS.",
            "imap_host": "For example imap.gmail.com: its inbox is read, never changed.",
            "imap_port": "993 with SSL/TLS.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: it shares the profile page with the profile's form.
        kwargs.setdefault("auto_id", "mailbox_%s")
        super().__init__(*args, **kwargs)
        for name in ("smtp_host", "imap_host"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        for name in ("smtp_port", "imap_port"):
            self.fields[name].widget.attrs.update({"min": "1", "max": "65535"})
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "enabled",
            Row(
                Column("smtp_host", css_class="col-md-6"),
                Column("smtp_port", css_class="col-5 col-md-2"),
                Column("smtp_security", css_class="col-7 col-md-4"),
            ),
            Row(
                Column("imap_host", css_class="col-md-6"),
                Column("imap_port", css_class="col-5 col-md-2"),
                Column("imap_security", css_class="col-7 col-md-4"),
            ),
            Row(
                Column("username", css_class="col-md-6"),
                Column("password", css_class="col-md-6"),
            ),
        )

    def _clean_host(self, name: str) -> str:
        host = self.cleaned_data.get(name, "").strip()
        if not _HOST.match(host):
            raise ValidationError("Enter a server name such as smtp.example.com, nothing else.")
        return host.lower()

    def clean_smtp_host(self) -> str:
        return self._clean_host("smtp_host")

    def clean_imap_host(self) -> str:
        return self._clean_host("imap_host")

    def clean_username(self) -> str:
        username = self.cleaned_data.get("username", "").strip()
        if _CONTROL.search(username):
            raise ValidationError("The username cannot hold line breaks or control characters.")
        return username

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password", "")
        if _CONTROL.search(password):
            raise ValidationError("The password cannot hold line breaks or control characters.")
        if password and not can_keep_secrets():
            raise ValidationError(NO_KEY)
        if not password and not self.instance.has_password:
            raise ValidationError("Enter the app password: none is stored yet.")
        return password

    def mailbox_changes(self) -> dict[str, Any]:
        """The cleaned settings without the password, for mailboxes.mailbox_save."""
        return {name: self.cleaned_data[name] for name in MAILBOX_FIELDS}
