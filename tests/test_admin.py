"""Every model has an admin whose pages open for a superuser, with rows in them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from followup.accounts.models import Profile, User
from interviews.models import (
    Application,
    Company,
    Contact,
    Interview,
    InterviewParticipant,
    TimelineEvent,
)
from messaging.models import BouncedAddress, EmailEvent, Message, OutboxEmail

pytestmark = pytest.mark.django_db

EXPECTED_MODELS = {
    User,
    Profile,
    Company,
    Contact,
    Application,
    Interview,
    TimelineEvent,
    Message,
    BouncedAddress,
    EmailEvent,
    OutboxEmail,
}


@pytest.fixture
def admin_client(client, user):
    superuser = User.objects.create_superuser(email="root@example.com", password="pw")
    client.force_login(superuser)
    return client


@pytest.fixture
def one_of_each(user):
    """A row in every table, so each changelist renders its columns for real."""
    now = timezone.now()
    company = Company.objects.create(user=user, name="Acme")
    contact = Contact.objects.create(user=user, company=company, name="Dana Richardson")
    application = Application.objects.create(user=user, company=company, role="Engineer")
    interview = Interview.objects.create(
        application=application,
        starts_at=now,
        ends_at=now + dt.timedelta(hours=1),
        time_zone="America/New_York",
    )
    InterviewParticipant.objects.create(interview=interview, contact=contact)
    TimelineEvent.objects.create(
        user=user, application=application, kind="note", summary="Hello", happened_at=now
    )
    message = Message.objects.create(
        user=user, application=application, contact=contact, stage="thank_you"
    )
    BouncedAddress.objects.create(user=user, email="gone@example.com", bounced_at=now)
    EmailEvent.objects.create(event_id="ev-1", event_type="delivered", message=message)
    OutboxEmail.objects.create(user=user, from_email="a@example.com", to="b@example.com")
    return {
        Company: company,
        Contact: contact,
        Application: application,
        Interview: interview,
        Message: message,
    }


def test_every_model_of_the_project_is_registered():
    assert set(admin.site._registry) >= EXPECTED_MODELS


@pytest.mark.parametrize("model", sorted(EXPECTED_MODELS, key=lambda m: m._meta.label))
def test_the_changelist_add_and_change_pages_open(admin_client, one_of_each, model):
    opts = model._meta
    base = f"admin:{opts.app_label}_{opts.model_name}"
    changelist = admin_client.get(reverse(f"{base}_changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count >= 1

    assert admin_client.get(reverse(f"{base}_add")).status_code == 200

    obj = model._default_manager.first()
    assert admin_client.get(reverse(f"{base}_change", args=[obj.pk])).status_code == 200


def test_the_changelist_search_works_for_every_model(admin_client, one_of_each):
    for model in EXPECTED_MODELS:
        opts = model._meta
        response = admin_client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), {"q": "example"}
        )
        assert response.status_code == 200, model


def test_an_admin_creates_a_user_by_email(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@example.com",
            "usable_password": "true",
            "password1": "another-long-passphrase-7",
            "password2": "another-long-passphrase-7",
            "profile-TOTAL_FORMS": "0",
            "profile-INITIAL_FORMS": "0",
            "profile-MIN_NUM_FORMS": "0",
            "profile-MAX_NUM_FORMS": "1",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.get(email="new@example.com").check_password("another-long-passphrase-7")


def test_the_interview_page_lists_its_participants_inline(admin_client, one_of_each):
    interview = one_of_each[Interview]
    response = admin_client.get(reverse("admin:interviews_interview_change", args=[interview.pk]))
    assert b"Dana Richardson" in response.content
