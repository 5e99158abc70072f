"""Property-based: whatever a client posts to any form of the site, it never gets a 500.

Each form starts from valid data (or its empty fields) and Hypothesis replaces some fields
with hostile values: huge, empty, control characters, header injection, markup, numbers
out of range, impossible dates.
"""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followup.accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    SignupForm,
)
from followup.accounts.mailbox_forms import MailboxForm
from interviews.forms.application import ApplicationForm, CompanyRenameForm
from interviews.forms.contact import ContactForm
from messaging.forms import ApproveForm, OutcomeForm, ReplyForm, SkipForm
from messaging.queue_forms import IdsForm, QueueEditForm, RetryForm, SendAgainForm, SnoozeForm
from tests.builders.forms import log_data

pytestmark = pytest.mark.django_db

HOSTILE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "99999999999999999999999",
            "1e309",
            "2025-02-30",
            "0000-00-00",
            "25:61",
            "9999-12-31T23:59",
            "Europe/Atlantis",
            "<script>alert(1)</script>",
            "a\r\nBcc: victim@example.com",
            "\x00",
            "\u202e\u200b",
            "x" * 70_000,
            "[]",
            "null",
        ]
    ),
    st.integers().map(str),
)

# URL name, the object it takes, and the form classes whose fields it reads.
FORMS = [
    ("interviews:application_edit", "application", [ApplicationForm]),
    ("interviews:contact_edit", "contact", [ContactForm]),
    ("interviews:company_rename", "company", [CompanyRenameForm]),
    ("accounts:profile", None, [ProfileForm]),
    ("accounts:mailbox", None, [MailboxForm]),
    ("accounts:signup", None, [SignupForm]),
    ("accounts:login", None, [LoginForm]),
    ("accounts:password_change", None, [PasswordChangeForm]),
    ("accounts:password_reset", None, [PasswordResetForm]),
    ("messaging:application_reply", "application", [ReplyForm]),
    ("messaging:application_outcome", "application", [OutcomeForm]),
    ("messaging:queue_edit", "message", [QueueEditForm]),
    ("messaging:queue_check", "message", [QueueEditForm]),
    ("messaging:queue_snooze", "message", [SnoozeForm]),
    ("messaging:queue_skip", "message", [SkipForm]),
    ("messaging:queue_approve", "message", [ApproveForm]),
    ("messaging:queue_send_now", "message", [ApproveForm]),
    ("messaging:queue_retry", "message", [RetryForm]),
    ("messaging:queue_send_again", "message", [SendAgainForm]),
    ("messaging:queue_approve_all", None, [IdsForm]),
]


def field_names(form_classes: list[type[forms.BaseForm]]) -> list[str]:
    return sorted({name for form in form_classes for name in form.base_fields})


def hostile_post(names: list[str], base: dict[str, str]):
    """The base data with some of `names` replaced by hostile values."""
    return st.dictionaries(st.sampled_from(names), HOSTILE, max_size=len(names)).map(
        lambda changes: base | changes
    )


FUZZ = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize(("name", "kind", "form_classes"), FORMS)
def test_no_form_answers_a_server_error(owner_client, owned, name, kind, form_classes):
    url = reverse(name, args=[owned[kind].pk]) if kind else reverse(name)
    names = field_names(form_classes)

    @FUZZ
    @given(data=hostile_post(names, dict.fromkeys(names, "")))
    def post(data):
        response = owner_client.post(url, data, HTTP_HX_REQUEST="true")
        assert response.status_code < 500, (name, data)

    post()


@pytest.mark.parametrize("name", ["interviews:log", "interviews:interview_edit"])
def test_the_log_interview_form_never_answers_a_server_error(owner_client, owned, name):
    url = reverse(name, args=[owned["interview"].pk]) if "edit" in name else reverse(name)
    base = log_data()
    person = ["people-0-name", "people-0-email", "people-0-discussed", "people-0-contact"]
    names = sorted({*base, *person, "people-TOTAL_FORMS", "people-INITIAL_FORMS"})

    @FUZZ
    @given(data=hostile_post(names, base))
    def post(data):
        response = owner_client.post(url, data)
        assert response.status_code < 500, (name, data)

    post()
