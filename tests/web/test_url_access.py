"""Every URL of the site, as its owner, another user and a stranger see it, with and without
a CSRF token; generated from the URL resolver, so a new URL cannot be forgotten."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from messaging.models import Message

pytestmark = pytest.mark.django_db

# Each URL name: the object whose pk it takes (None: no pk), and who may open it.
# PUBLIC pages are for signed-out visitors; every other page belongs to the signed-in user.
PUBLIC = "public"
PRIVATE = "private"
ENDPOINTS: dict[str, tuple[str | None, str]] = {
    "interviews:dashboard": (None, PRIVATE),
    "interviews:pipeline_chart": (None, PRIVATE),
    "interviews:search": (None, PRIVATE),
    "interviews:log": (None, PRIVATE),
    "interviews:invitation_import": (None, PRIVATE),
    "interviews:decision_date_preview": (None, PRIVATE),
    "interviews:note_preview": (None, PRIVATE),
    "interviews:interview_edit": ("interview", PRIVATE),
    "interviews:interview_delete": ("interview", PRIVATE),
    "interviews:application": ("application", PRIVATE),
    "interviews:application_edit": ("application", PRIVATE),
    "interviews:application_delete": ("application", PRIVATE),
    "interviews:contacts": (None, PRIVATE),
    "interviews:contacts_vcard": (None, PRIVATE),
    "interviews:contact_vcard": ("contact", PRIVATE),
    "interviews:contact_merge": ("contact", PRIVATE),
    "interviews:contact": ("contact", PRIVATE),
    "interviews:contact_edit": ("contact", PRIVATE),
    "interviews:contact_delete": ("contact", PRIVATE),
    "interviews:tasks": (None, PRIVATE),
    "interviews:task_add": (None, PRIVATE),
    "interviews:task_done": ("task", PRIVATE),
    "interviews:task_skip": ("task", PRIVATE),
    "interviews:task_reopen": ("task", PRIVATE),
    "interviews:companies": (None, PRIVATE),
    "interviews:company": ("company", PRIVATE),
    "interviews:company_rename": ("company", PRIVATE),
    "accounts:signup": (None, PUBLIC),
    "accounts:login": (None, PUBLIC),
    "accounts:logout": (None, PUBLIC),
    "accounts:profile": (None, PRIVATE),
    "accounts:password_change": (None, PRIVATE),
    "accounts:password_reset": (None, PUBLIC),
    "accounts:password_reset_done": (None, PUBLIC),
    "accounts:password_reset_confirm": ("reset_token", PUBLIC),
    "accounts:password_reset_complete": (None, PUBLIC),
    "accounts:export_json": (None, PRIVATE),
    "accounts:export_vcard": (None, PRIVATE),
    "accounts:delete": (None, PRIVATE),
    "accounts:mailbox": (None, PRIVATE),
    "accounts:mailbox_test": (None, PRIVATE),
    "accounts:mailbox_forget": (None, PRIVATE),
    "accounts:dictionary": (None, PRIVATE),
    "accounts:dictionary_remove": (None, PRIVATE),
    "accounts:verify_email": (None, PRIVATE),
    "accounts:verify_email_link": ("verify_token", PUBLIC),
    "messaging:outbox": (None, PRIVATE),
    "messaging:unmatched": (None, PRIVATE),
    "messaging:unmatched_assign": ("inbound", PRIVATE),
    "messaging:unmatched_discard": ("inbound", PRIVATE),
    "messaging:calendar": (None, PRIVATE),
    "messaging:calendar_regenerate": (None, PRIVATE),
    # Opened by calendar programs with its secret token, no log-in (tests/messaging).
    "messaging:calendar_feed": ("feed_token", PUBLIC),
    "messaging:outbox_detail": ("outbox", PRIVATE),
    "messaging:application_reply": ("application", PRIVATE),
    "messaging:application_outcome": ("application", PRIVATE),
    "messaging:application_undo": ("application", PRIVATE),
    "messaging:application_write": ("application", PRIVATE),
    "messaging:application_pause": ("application", PRIVATE),
    "messaging:application_resume": ("application", PRIVATE),
    "messaging:queue": (None, PRIVATE),
    "messaging:queue_scheduled": (None, PRIVATE),
    "messaging:queue_sent": (None, PRIVATE),
    "messaging:queue_failed": (None, PRIVATE),
    "messaging:queue_unconfirmed": (None, PRIVATE),
    "messaging:queue_approve_all": (None, PRIVATE),
    "messaging:queue_card": ("message", PRIVATE),
    "messaging:queue_edit": ("message", PRIVATE),
    "messaging:queue_check": ("message", PRIVATE),
    "messaging:queue_approve": ("message", PRIVATE),
    "messaging:queue_unapprove": ("message", PRIVATE),
    "messaging:queue_skip": ("message", PRIVATE),
    "messaging:queue_send_now": ("message", PRIVATE),
    "messaging:queue_snooze": ("message", PRIVATE),
    "messaging:queue_retry": ("message", PRIVATE),
    "messaging:queue_send_again": ("message", PRIVATE),
    "messaging:queue_add_word": ("message", PRIVATE),
}
# Not ours to test here: Django's admin (its own permission checks), the webhooks (basic
# auth, tests/messaging/webhooks) and the favicon redirect.
OUT_OF_SCOPE = ("admin:", "anymail:")


def _named_urls(resolver: URLResolver, namespace: str = "") -> Iterator[str]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            full = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from _named_urls(pattern, full)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def site_urls() -> list[str]:
    return sorted(
        name
        for name in _named_urls(get_resolver())
        if not name.startswith(OUT_OF_SCOPE) and name != "favicon"
    )


def test_every_url_of_the_site_is_in_this_table():
    assert set(site_urls()) == set(ENDPOINTS), "add the new URL to ENDPOINTS"


def url_of(name: str, owned: dict[str, object]) -> str:
    kind, _ = ENDPOINTS[name]
    if kind is None:
        return reverse(name)
    if kind in ("verify_token", "feed_token"):
        return reverse(name, args=["not-a-valid-token"])
    if kind == "reset_token":
        return reverse(name, kwargs={"uidb64": "MQ", "token": "set-password"})
    return reverse(name, args=[owned[kind].pk])


PRIVATE_URLS = [name for name, (_, who) in ENDPOINTS.items() if who == PRIVATE]
OBJECT_URLS = [name for name, (kind, who) in ENDPOINTS.items() if who == PRIVATE and kind]


@pytest.mark.parametrize("name", PRIVATE_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_stranger_is_sent_to_log_in(client, owned, name, method):
    response = getattr(client, method)(url_of(name, owned))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", OBJECT_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_user_gets_nothing_of_the_owners(outsider_client, owned, name, method):
    before = set(Message.objects.values_list("pk", "status", "due_at", "approved_at"))

    response = getattr(outsider_client, method)(url_of(name, owned))

    # 404 for their objects; 405 where the URL takes no such method (before any lookup).
    assert response.status_code in (404, 405)
    assert set(Message.objects.values_list("pk", "status", "due_at", "approved_at")) == before


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_the_owner_never_gets_a_server_error_even_with_an_empty_post(
    owner_client, owned, name, method
):
    response = getattr(owner_client, method)(url_of(name, owned))

    assert response.status_code < 500


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_every_post_needs_the_csrf_token(user, owned, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(url_of(name, owned), {})

    assert response.status_code == 403
