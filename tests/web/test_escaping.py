"""Markup typed into any field, or arriving in an email, is shown as text on every page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from interviews.models import Application, Company, Contact, InterviewParticipant, TimelineEvent
from messaging.models import Message, OutboxEmail, Reply
from tests.builders.scenario import planned

pytestmark = pytest.mark.django_db

PAYLOADS = (
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
)


@pytest.fixture
def hostile(user):
    """Every text the user or a recruiter can set, holding a payload."""
    application, people = planned(user)
    script, attribute, svg = PAYLOADS
    Company.objects.filter(pk=application.company_id).update(name=svg, notes=script)
    Application.objects.filter(pk=application.pk).update(role=attribute, notes=script)
    Contact.objects.filter(pk=people["dana"].pk).update(name=script, title=attribute)
    InterviewParticipant.objects.filter(contact=people["richardson"]).update(
        discussed=attribute, questions=svg, promised=script
    )
    application.interviews.update(round_name=script, location=attribute, notes=svg)
    Message.objects.filter(application=application).update(
        subject=script, body_text=attribute, to_name=svg, status_reason=script
    )
    Reply.objects.create(
        user=user,
        application=application,
        kind="reply",
        received_at=application.created_at,
        detail=script,
    )
    TimelineEvent.objects.filter(application=application).update(summary=svg, detail=attribute)
    outbox = OutboxEmail.objects.create(
        user=user,
        from_email=attribute,
        to=script,
        subject=svg,
        body_text=script,
        body_html=f"<p>{script}{attribute}</p>",
    )
    return {"application": application, "contact": people["dana"], "outbox": outbox}


PAGES = [
    ("interviews:dashboard", None),
    ("interviews:application", "application"),
    ("interviews:application_edit", "application"),
    ("interviews:contact", "contact"),
    ("interviews:companies", None),
    ("messaging:queue", None),
    ("messaging:outbox", None),
    ("messaging:outbox_detail", "outbox"),
]


@pytest.mark.parametrize(("name", "kind"), PAGES)
def test_no_payload_reaches_a_page_as_markup(owner_client, hostile, name, kind):
    url = reverse(name, args=[hostile[kind].pk]) if kind else reverse(name)

    html = owner_client.get(url).content.decode()

    for payload in PAYLOADS:
        assert payload not in html, (name, payload)
    assert "<script>alert" not in html
