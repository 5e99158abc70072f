"""The interviews models: the database refuses impossible rows; contacts greeted in their tone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from interviews.models import Company, Contact, Interview, InterviewParticipant
from tests.builders.clock import NEW_YORK
from tests.builders.interviews import make_application, make_company, make_contact

pytestmark = pytest.mark.django_db


def test_it_refuses_an_interview_that_ends_before_it_starts(user):
    application = make_application(user)
    starts = dt.datetime(2025, 3, 4, 10, tzinfo=NEW_YORK)
    with pytest.raises(IntegrityError), transaction.atomic():
        Interview.objects.create(
            application=application,
            starts_at=starts,
            ends_at=starts - dt.timedelta(minutes=1),
            time_zone="America/New_York",
        )
    assert not Interview.objects.exists()


def test_it_refuses_an_interview_that_ends_when_it_starts(user):
    application = make_application(user)
    starts = dt.datetime(2025, 3, 4, 10, tzinfo=NEW_YORK)
    with pytest.raises(IntegrityError), transaction.atomic():
        Interview.objects.create(
            application=application, starts_at=starts, ends_at=starts, time_zone="UTC"
        )


def test_it_keeps_one_participant_row_per_person_and_interview(user):
    application = make_application(user)
    contact = make_contact(application.company)
    starts = dt.datetime(2025, 3, 4, 10, tzinfo=NEW_YORK)
    interview = Interview.objects.create(
        application=application,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        time_zone="America/New_York",
    )
    InterviewParticipant.objects.create(interview=interview, contact=contact)
    with pytest.raises(IntegrityError), transaction.atomic():
        InterviewParticipant.objects.create(interview=interview, contact=contact)
    assert interview.participants.count() == 1


def test_it_refuses_two_companies_of_one_user_whose_names_differ_only_in_case(user):
    Company.objects.create(user=user, name="Acme Corp")
    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.create(user=user, name="ACME corp")
    assert Company.objects.filter(user=user).count() == 1


def test_two_users_may_each_have_a_company_of_the_same_name(user, outsider):
    Company.objects.create(user=user, name="Acme Corp")
    Company.objects.create(user=outsider, name="Acme Corp")
    assert Company.objects.filter(name="Acme Corp").count() == 2


@pytest.mark.parametrize(
    ("tone", "honorific", "expected"),
    [
        (Contact.Tone.FORMAL, "Ms.", "Ms. Richardson"),
        (Contact.Tone.FORMAL, "", "Dana Richardson"),
        (Contact.Tone.FIRST_NAME, "Ms.", "Dana"),
    ],
)
def test_a_contact_is_greeted_in_the_tone_chosen(user, tone, honorific, expected):
    contact = make_contact(make_company(user), tone=tone, honorific=honorific)
    assert contact.greeting_name == expected


def test_an_interview_reads_as_its_round_and_name(user):
    interview = Interview(round_number=2, round_name="Technical")
    assert interview.label == "Round 2 · Technical"
    assert Interview(round_number=3).label == "Round 3"


def test_pages_of_applications_contacts_and_companies_have_their_own_address(user):
    application = make_application(user)
    contact = make_contact(application.company)
    assert application.get_absolute_url() == f"/applications/{application.pk}/"
    assert contact.get_absolute_url() == f"/contacts/{contact.pk}/"
    assert application.company.get_absolute_url() == f"/companies/{application.company.pk}/"
