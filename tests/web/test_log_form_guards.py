"""The log form: a re-posted interview, interviewer rows without JavaScript, next-round pickers,
and what the delete pages say they cancel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from interviews.forms.interview import InterviewForms
from interviews.models import Application, Interview, InterviewParticipant
from interviews.services.contacts import ContactDetails
from interviews.services.interviews import (
    DUPLICATE_INTERVIEW_ERROR,
    InterviewDetails,
    ParticipantInput,
)
from messaging.models import Message
from messaging.services.facts import interview_log
from tests.builders.forms import log_data
from tests.builders.interviews import make_application, make_company, make_contact, make_interview

pytestmark = pytest.mark.django_db

LOG = reverse("interviews:log")


def test_posting_the_same_interview_twice_logs_it_once_with_one_thank_you_each(owner_client, user):
    data = log_data({"name": "Dana Richardson", "email": "dana@acme.example"})

    first = owner_client.post(LOG, data)
    second = owner_client.post(LOG, data)

    assert first.status_code == 302
    assert second.status_code == 200
    assert second.context["form"].errors["date"] == [DUPLICATE_INTERVIEW_ERROR]
    assert Interview.objects.count() == 1
    assert Application.objects.filter(user=user).count() == 1
    thank_yous = Message.objects.filter(stage=Message.Stage.THANK_YOU).exclude(
        status=Message.Status.CANCELLED
    )
    assert list(thank_yous.values_list("to_email", flat=True)) == ["dana@acme.example"]


def test_the_service_refuses_an_interview_of_the_same_application_at_the_same_start(user):
    application = make_application(user)
    existing = make_interview(application, make_contact(application.company))
    forms = InterviewForms(
        log_data({"name": "Sam Lee"}, application=str(application.pk)),
        user=user,
        application=application,
    )
    # The form alone refuses it too; the service must refuse it without the form.
    assert not forms.is_valid()
    assert forms.form.errors["date"] == [DUPLICATE_INTERVIEW_ERROR]
    details = InterviewDetails(
        starts_at=existing.starts_at,
        ends_at=existing.ends_at,
        time_zone="America/New_York",
        round_number=None,
        round_name="",
        format="video",
        location="",
        decision_date=None,
        decision_words="",
        another_round_expected=False,
        next_step="",
        notes="",
        scheduling_subject="",
        scheduling_message_id="",
    )

    with pytest.raises(ValidationError) as refused:
        interview_log(
            user=user,
            application=application,
            details=details,
            participants=[
                ParticipantInput(
                    contact=None,
                    new_contact=ContactDetails(name="Sam Lee"),
                    is_main=False,
                )
            ],
        )

    assert refused.value.message_dict == {"date": [DUPLICATE_INTERVIEW_ERROR]}
    assert Interview.objects.count() == 1


def test_another_start_time_of_the_same_application_is_a_new_round(owner_client, user):
    owner_client.post(LOG, log_data())
    response = owner_client.post(LOG, log_data(start_time="14:00", end_time="15:00"))

    assert response.status_code == 302
    assert Interview.objects.count() == 2


def test_without_javascript_the_log_page_offers_three_interviewer_rows(owner_client):
    response = owner_client.get(LOG)

    assert response.context["formset"].total_form_count() == 3
    html = response.content.decode()
    for index in range(3):
        assert f'name="people-{index}-name"' in html
    assert html.count("data-formset-blank") == 4  # three rows and the template row


def test_three_rows_posted_with_two_filled_log_two_interviewers(owner_client):
    data = log_data(
        {"name": "Dana Richardson", "email": "dana@acme.example"},
        {"name": "Sam Lee", "email": "sam@acme.example"},
        {},  # the third row left empty, as the page renders it
    )

    response = owner_client.post(LOG, data)

    assert response.status_code == 302
    interview = Interview.objects.get()
    names = InterviewParticipant.objects.filter(interview=interview).order_by("position")
    assert [p.contact.name for p in names] == ["Dana Richardson", "Sam Lee"]


def test_three_empty_rows_still_ask_for_an_interviewer(owner_client):
    response = owner_client.post(LOG, log_data({}, {}, {}))

    assert response.status_code == 200
    assert "Add at least one interviewer." in response.context["formset"].non_form_errors()
    assert not Interview.objects.exists()


def test_log_next_round_lists_only_that_companys_contacts(owner_client, user):
    globex = make_company(user, "Globex AG")
    application = make_application(user, company=globex)
    hans = make_contact(globex, "Hans Weber")
    other = make_contact(make_company(user, "Initech"), "Riley Park")

    response = owner_client.get(LOG + f"?application={application.pk}")

    pickers = [response.context["form"].fields["main_contact"]] + [
        row.fields["contact"] for row in response.context["formset"]
    ]
    pickers.append(response.context["formset"].empty_form.fields["contact"])
    for picker in pickers:
        assert list(picker.queryset) == [hans]
    html = response.content.decode()
    # As an option of any picker (the page's hidden "application" input may share the number).
    assert f'<option value="{other.pk}"' not in html
    assert other.name not in html


def test_log_next_round_refuses_a_tampered_contact_of_another_company(owner_client, user):
    application = make_application(user, company=make_company(user, "Globex AG"))
    other = make_contact(make_company(user, "Initech"), "Riley Park")
    data = log_data({"contact": other.pk}, company=None, role=None, job_url=None)
    data["application"] = str(application.pk)

    response = owner_client.post(LOG + f"?application={application.pk}", data)

    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["contact"]
    assert not Interview.objects.exists()


def test_the_blank_log_page_still_lists_every_contact(owner_client, user):
    dana = make_contact(make_company(user, "Acme Corp"))
    riley = make_contact(make_company(user, "Initech"), "Riley Park")

    response = owner_client.get(LOG)

    assert set(response.context["form"].fields["main_contact"].queryset) == {dana, riley}


def _pending(application, contact, interview=None, *, status=Message.Status.DRAFT, stage=None):
    return Message.objects.create(
        user=application.user,
        application=application,
        interview=interview,
        contact=contact,
        to_email=contact.email,
        stage=stage or Message.Stage.THANK_YOU,
        status=status,
        due_at=dt.datetime(2025, 3, 5, 14, tzinfo=dt.UTC),
    )


@pytest.fixture
def with_messages(user):
    """An interview with two pending thank-yous (one approved), a check-in and a sent one."""
    application = make_application(user)
    dana = make_contact(application.company)
    sam = make_contact(application.company, "Sam Lee")
    kim = make_contact(application.company, "Kim Roe")
    interview = make_interview(application, dana, sam, kim)
    _pending(application, dana, interview, status=Message.Status.APPROVED)
    _pending(application, sam, interview)
    _pending(application, dana, stage=Message.Stage.CHECK_IN)
    _pending(application, kim, interview, status=Message.Status.SENT)
    return application, interview, dana


def test_the_interview_delete_page_says_how_many_emails_it_cancels(owner_client, with_messages):
    _, interview, _ = with_messages

    response = owner_client.get(reverse("interviews:interview_delete", args=[interview.pk]))

    assert "This cancels 2 emails waiting to go out (1 of them approved)." in (
        response.content.decode()
    )


def test_the_contact_delete_page_says_how_many_emails_it_cancels(owner_client, with_messages):
    _, _, dana = with_messages

    response = owner_client.get(reverse("interviews:contact_delete", args=[dana.pk]))

    assert "This cancels 2 emails waiting to go out (1 of them approved)." in (
        response.content.decode()
    )


def test_the_application_delete_page_says_how_many_emails_it_cancels(owner_client, with_messages):
    application, _, _ = with_messages

    response = owner_client.get(reverse("interviews:application_delete", args=[application.pk]))

    assert "This cancels 3 emails waiting to go out (1 of them approved)." in (
        response.content.decode()
    )


def test_a_delete_page_with_nothing_pending_mentions_no_cancelled_emails(owner_client, user):
    application = make_application(user)

    response = owner_client.get(reverse("interviews:application_delete", args=[application.pk]))

    assert "This cancels" not in response.content.decode()
