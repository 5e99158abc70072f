"""Logging the next round of one application, the interviewer picker and field limits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from interviews.models import Application, Interview, TimelineEvent
from messaging.models import Message
from tests.builders.forms import log_data
from tests.builders.interviews import (
    make_application,
    make_company,
    make_contact,
    make_interview,
    row_counts,
)

pytestmark = pytest.mark.django_db

LOG = reverse("interviews:log")


def next_round_data(application: Application, *people: dict, **fields) -> dict[str, str]:
    """The log form as "Log next round" posts it: no company or role, the application hidden."""
    data = log_data(*people, company=None, role=None, job_url=None, **fields)
    data["application"] = str(application.pk)
    return data


@pytest.fixture
def rejected(user) -> Application:
    company = make_company(user, "Initech")
    recruiter = make_contact(company, name="Riley Park", kind="recruiter")
    application = make_application(
        user,
        company=company,
        stage=Application.Stage.REJECTED,
        closed_at=dt.datetime(2025, 2, 20, tzinfo=dt.UTC),
        main_contact=recruiter,
    )
    # The first round, a week before the round the tests log (2025-03-04 10:00 New York).
    make_interview(
        application,
        make_contact(company),
        starts_at=dt.datetime(2025, 2, 25, 15, 0, tzinfo=dt.UTC),
    )
    Message.objects.create(
        user=user,
        application=application,
        contact=recruiter,
        stage=Message.Stage.STAY_IN_TOUCH,
        status=Message.Status.DRAFT,
        due_at=dt.datetime(2025, 4, 1, 12, tzinfo=dt.UTC),
    )
    return application


def test_a_new_round_of_a_rejected_application_reopens_it_instead_of_duplicating_it(
    owner_client, user, rejected
):
    data = next_round_data(rejected, {"name": "Sam Lee", "email": "sam@initech.example"})
    response = owner_client.post(LOG + f"?application={rejected.pk}", data)

    assert response.status_code == 302
    assert Application.objects.filter(user=user).count() == 1
    rejected.refresh_from_db()
    assert (rejected.stage, rejected.closed_at) == (Application.Stage.INTERVIEWING, None)
    assert rejected.main_contact.name == "Riley Park"
    assert list(rejected.interviews.order_by("round_number").values_list("round_number")) == [
        (1,),
        (2,),
    ]
    change = TimelineEvent.objects.get(application=rejected, kind="stage_changed")
    assert change.summary == "Stage changed from Rejected to Interviewing"
    assert change.detail == "Reopened: a new round was logged."
    stay_in_touch = Message.objects.get(stage=Message.Stage.STAY_IN_TOUCH)
    assert stay_in_touch.status == Message.Status.CANCELLED
    # The new round is planned like any other: a thank-you to the new interviewer.
    assert Message.objects.filter(
        application=rejected, stage="thank_you", to_email="sam@initech.example", status="draft"
    ).exists()
    # Planned once, for the new round: no check-in drafted for the old round and cancelled.
    check_ins = Message.objects.filter(application=rejected, stage__in=Message.CHECK_IN_STAGES)
    assert {(m.interview.round_number, m.status) for m in check_ins} == {(2, "draft")}


def test_the_next_round_goes_to_the_given_application_even_with_an_open_twin(owner_client, user):
    company = make_company(user, "Initech")
    first = make_application(user, company=company, stage=Application.Stage.QUIET)
    make_application(user, company=company)  # same company and role, still open
    data = next_round_data(first, {"name": "Sam Lee", "email": "sam@initech.example"})

    owner_client.post(LOG, data)

    assert Interview.objects.get().application_id == first.pk


def test_the_next_round_form_shows_the_application_instead_of_company_and_role(
    owner_client, rejected
):
    response = owner_client.get(LOG + f"?application={rejected.pk}")

    html = response.content.decode()
    assert f'name="application" value="{rejected.pk}"' in html
    assert 'name="company"' not in html
    assert 'id="reopen-note"' in html
    assert response.context["form"].initial["round_number"] == 2


def test_another_users_application_in_the_hidden_field_is_a_404(
    owner_client, user, outsider, rejected
):
    theirs = make_application(outsider, company=make_company(outsider, "Globex"))
    before = row_counts()
    data = next_round_data(theirs, {"name": "Sam Lee"})

    assert owner_client.post(LOG, data).status_code == 404
    assert row_counts() == before


@pytest.mark.parametrize(
    ("stage", "shown"),
    [
        ("interviewing", "Log next round"),
        ("offer", "Log next round"),
        ("rejected", "Invited back? Log a new round"),
        ("quiet", "Invited back? Log a new round"),
        ("accepted", None),
        ("withdrawn", None),
    ],
)
def test_the_application_page_offers_a_next_round_only_where_it_fits(
    owner_client, user, stage, shown
):
    application = make_application(user, stage=stage)
    make_interview(application, make_contact(application.company))

    html = owner_client.get(application.get_absolute_url()).content.decode()

    for label in ("Log next round", "Invited back? Log a new round"):
        assert (label in html) == (label == shown), label


def test_an_interviewer_from_another_company_is_a_field_error(owner_client, user):
    acme = make_company(user, "Acme Corp")
    globex_person = make_contact(make_company(user, "Globex"), name="Gil Bates")
    make_contact(acme, name="Dana Richardson")
    before = row_counts()

    response = owner_client.post(LOG, log_data({"contact": globex_person.pk}))

    assert response.status_code == 200
    errors = response.context["formset"].forms[0].errors
    assert errors["contact"] == ["That person is not at Acme Corp."]
    assert row_counts() == before


def test_an_interviewer_from_another_company_is_refused_for_a_new_company_too(owner_client, user):
    globex_person = make_contact(make_company(user, "Globex"), name="Gil Bates")

    response = owner_client.post(LOG, log_data({"contact": globex_person.pk}, company="Initech"))

    errors = response.context["formset"].forms[0].errors
    assert errors["contact"] == ["That person is not at Initech."]
    assert not Interview.objects.exists()


@pytest.mark.parametrize(
    ("field", "limit"),
    [("notes", 5000), ("people-0-discussed", 2000), ("people-0-questions", 2000)],
)
def test_long_notes_are_refused_with_a_field_error(owner_client, field, limit):
    data = log_data()
    data[field] = "x" * (limit + 1)

    response = owner_client.post(LOG, data)

    assert response.status_code == 200
    assert f"at most {limit} characters" in response.content.decode()
    assert not Interview.objects.exists()

    data[field] = "x" * limit
    assert owner_client.post(LOG, data).status_code == 302


def test_long_application_notes_are_refused(owner_client, user):
    application = make_application(user)
    data = {
        "company": application.company.name,
        "role": application.role,
        "job_url": "",
        "stage": application.stage,
        "main_contact": "",
        "notes": "x" * 5001,
    }
    response = owner_client.post(
        reverse("interviews:application_edit", args=[application.pk]), data
    )

    assert response.status_code == 200
    assert "at most 5000 characters" in response.content.decode()
    application.refresh_from_db()
    assert application.notes == ""


def test_a_new_round_cancels_an_approved_rejection_reply_so_it_never_goes(
    owner_client, user, rejected
):
    reply = Message.objects.create(
        user=user,
        application=rejected,
        contact=rejected.main_contact,
        to_email="riley@initech.example",
        stage=Message.Stage.REJECTION_REPLY,
        status=Message.Status.APPROVED,
        approved_at=dt.datetime(2025, 2, 20, tzinfo=dt.UTC),
        due_at=dt.datetime(2025, 2, 21, tzinfo=dt.UTC),
    )
    data = next_round_data(rejected, {"name": "Sam Lee", "email": "sam@initech.example"})

    assert owner_client.post(LOG + f"?application={rejected.pk}", data).status_code == 302

    reply.refresh_from_db()
    assert reply.status == Message.Status.CANCELLED
    assert "A close-out no longer fits" in reply.status_reason
    assert TimelineEvent.objects.filter(message=reply, kind="cancelled").exists()


def test_setting_the_stage_back_in_the_edit_form_reopens_and_cancels_close_outs(
    owner_client, user, rejected
):
    data = {
        "company": rejected.company.name,
        "role": rejected.role,
        "job_url": "",
        "stage": Application.Stage.INTERVIEWING,
        "stage_seen": Application.Stage.REJECTED,
        "main_contact": str(rejected.main_contact_id),
        "notes": "",
    }

    response = owner_client.post(reverse("interviews:application_edit", args=[rejected.pk]), data)

    assert response.status_code == 302
    rejected.refresh_from_db()
    assert (rejected.stage, rejected.closed_at) == (Application.Stage.INTERVIEWING, None)
    stay_in_touch = Message.objects.get(stage=Message.Stage.STAY_IN_TOUCH)
    assert stay_in_touch.status == Message.Status.CANCELLED
    assert TimelineEvent.objects.filter(message=stay_in_touch, kind="cancelled").exists()
