"""The interview pages, owners only: dashboard, logging, application, contact and company pages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from followup.web.interviews import DASHBOARD_PAGE_SIZE
from interviews.models import Application, Contact, Interview, TimelineEvent
from interviews.services.contacts import ContactDetails
from interviews.services.interviews import InterviewDetails, ParticipantInput
from messaging.models import Message
from messaging.services import facts
from messaging.services.facts import application_update, interview_log
from tests.builders.forms import log_data
from tests.builders.interviews import (
    make_application,
    make_company,
    make_contact,
    make_interview,
    row_counts,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(outsider):
    """Rows of another user: every URL with their ids must answer 404."""
    application = make_application(outsider)
    contact = make_contact(application.company)
    interview = make_interview(application, contact)
    return {
        "application": application,
        "contact": contact,
        "interview": interview,
        "company": application.company,
    }


def urls_for(rows) -> list[str]:
    return [
        reverse("interviews:application", args=[rows["application"].pk]),
        reverse("interviews:application_edit", args=[rows["application"].pk]),
        reverse("interviews:application_delete", args=[rows["application"].pk]),
        reverse("interviews:interview_edit", args=[rows["interview"].pk]),
        reverse("interviews:interview_delete", args=[rows["interview"].pk]),
        reverse("interviews:contact", args=[rows["contact"].pk]),
        reverse("interviews:contact_edit", args=[rows["contact"].pk]),
        reverse("interviews:contact_delete", args=[rows["contact"].pk]),
        reverse("interviews:company", args=[rows["company"].pk]),
        reverse("interviews:log") + f"?application={rows['application'].pk}",
    ]


# --- Access -------------------------------------------------------------------


def test_every_page_sends_anonymous_visitors_to_log_in(client, theirs):
    for url in [
        *urls_for(theirs),
        reverse("interviews:dashboard"),
        reverse("interviews:log"),
        reverse("interviews:companies"),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_another_users_ids_answer_404_to_get(owner_client, theirs):
    for url in urls_for(theirs):
        assert owner_client.get(url).status_code == 404, url


def test_another_users_ids_answer_404_to_post_and_nothing_changes(owner_client, theirs):
    before = row_counts()
    for url in urls_for(theirs):
        response = owner_client.post(url, log_data(stage="rejected", name="Hacked"))
        assert response.status_code in (404, 405), url
    assert row_counts() == before
    theirs["contact"].refresh_from_db()
    assert theirs["contact"].name == "Dana Richardson"
    assert Application.objects.get().stage == "interviewing"


def test_pages_that_only_show_refuse_post(owner_client, user):
    application = make_application(user)
    for url in [reverse("interviews:dashboard"), application.get_absolute_url()]:
        assert owner_client.post(url).status_code == 405


# --- Dashboard ------------------------------------------------------------------


def test_the_dashboard_invites_a_newcomer_to_log_a_first_interview(owner_client):
    response = owner_client.get(reverse("interviews:dashboard"))
    assert response.status_code == 200
    assert b"Log your first interview" in response.content


def test_the_dashboard_shows_each_application_with_its_next_action(owner_client, user, outsider):
    application = make_application(user, paused=True)
    make_application(user, make_company(user, "Globex"), role="Analyst")
    make_application(outsider, role="Not mine")
    Message.objects.create(
        user=user,
        application=application,
        stage="check_in",
        status="draft",
        due_at=dt.datetime(2025, 3, 18, 12, 0, tzinfo=dt.UTC),
    )
    Message.objects.create(
        user=user,
        application=application,
        stage="thank_you",
        status="approved",
        due_at=dt.datetime(2025, 3, 5, 13, 0, tzinfo=dt.UTC),
    )
    Message.objects.create(
        user=user,
        application=application,
        stage="withdrawal",
        status="sent",
        due_at=dt.datetime(2025, 3, 1, 13, 0, tzinfo=dt.UTC),
    )
    response = owner_client.get(reverse("interviews:dashboard"))
    html = response.content.decode()
    assert [a.pk for a in response.context["applications"]] == list(
        Application.objects.filter(user=user)
        .order_by("-last_activity_at", "-pk")
        .values_list("pk", flat=True)
    )
    assert "Not mine" not in html
    first = next(a for a in response.context["applications"] if a.pk == application.pk)
    assert first.next_message_stage == "thank_you"
    # 13:00 UTC is 08:00 in New York, the user's zone.
    assert "Thank-you\n            · Wed 5 Mar, 08:00" in html
    assert "Paused" in html
    assert html.count('<div class="next-action">—</div>') == 1


def test_the_dashboard_filters_active_and_ended_applications(owner_client, user):
    make_application(user, role="Open role")
    make_application(user, make_company(user, "Globex"), role="Closed role", stage="rejected")
    active = owner_client.get(reverse("interviews:dashboard")).content.decode()
    ended = owner_client.get(reverse("interviews:dashboard") + "?show=ended").content.decode()
    everything = owner_client.get(reverse("interviews:dashboard") + "?show=all").content.decode()
    assert "Open role" in active and "Closed role" not in active
    assert "Closed role" in ended and "Open role" not in ended
    assert "Open role" in everything and "Closed role" in everything
    assert owner_client.get(reverse("interviews:dashboard") + "?show=bogus").status_code == 200


def _fill(user, count: int) -> None:
    start = Application.objects.filter(user=user).count()
    for number in range(start, start + count):
        company = make_company(user, f"Company {number}")
        contact = make_contact(company)
        application = make_application(user, company, main_contact=contact)
        make_interview(application, contact)
        Message.objects.create(
            user=user,
            application=application,
            contact=contact,
            stage="thank_you",
            due_at=dt.datetime(2025, 3, 5, 13, tzinfo=dt.UTC),
        )


def _dashboard_queries(client, django_assert_max_num_queries, user, count) -> int:
    _fill(user, count)
    # The list (one page of it, and its count) and the filters' counts, the navigation's
    # badges, and the panels above and below the list (today's tasks, interviews and
    # approvals; the figures; the weekly chart's table): a fixed budget, whatever the number
    # of applications.
    with django_assert_max_num_queries(21) as captured:
        response = client.get(reverse("interviews:dashboard"))
    assert response.status_code == 200
    shown = min(Application.objects.filter(user=user).count(), DASHBOARD_PAGE_SIZE)
    assert len(response.context["applications"]) == shown
    return len(captured)


def test_a_long_list_of_applications_pages(owner_client, user):
    _fill(user, DASHBOARD_PAGE_SIZE + 3)

    first = owner_client.get(reverse("interviews:dashboard"))
    second = owner_client.get(reverse("interviews:dashboard") + "?page=2")

    assert len(first.context["applications"]) == DASHBOARD_PAGE_SIZE
    assert len(second.context["applications"]) == 3
    assert "page=2" in first.content.decode()
    seen = {a.pk for a in first.context["applications"]} | {
        a.pk for a in second.context["applications"]
    }
    assert seen == set(Application.objects.filter(user=user).values_list("pk", flat=True))


def test_the_dashboard_query_count_does_not_grow_with_applications(
    owner_client, user, django_assert_max_num_queries
):
    with_three = _dashboard_queries(owner_client, django_assert_max_num_queries, user, 3)
    with_thirty = _dashboard_queries(owner_client, django_assert_max_num_queries, user, 27)
    assert with_thirty == with_three


# --- Log interview -----------------------------------------------------------------


def test_the_log_form_starts_in_the_users_time_zone(owner_client):
    response = owner_client.get(reverse("interviews:log"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="America/New_York"' in html
    assert 'name="people-TOTAL_FORMS"' in html
    assert "people-__prefix__-name" in html  # the empty row the add button clones
    assert "js/formset.js" in html


def test_the_log_form_prefills_the_next_round_of_an_application(owner_client, user):
    application = make_application(user, company=make_company(user, "Initech"))
    make_interview(application, make_contact(application.company))
    response = owner_client.get(reverse("interviews:log") + f"?application={application.pk}")
    form = response.context["form"]
    assert form.initial["company"] == "Initech"
    assert form.initial["round_number"] == 2


def test_logging_an_interview_saves_it_and_shows_its_application(owner_client, user):
    recruiter = make_contact(make_company(user, "Acme Corp"), name="Riley Park", kind="recruiter")
    data = log_data(
        {
            "name": "Dana Richardson",
            "honorific": "Ms.",
            "email": "dana@acme.example",
            "discussed": "The Kafka migration",
            "promised": "A code sample",
        },
        {"name": "Sam Lee", "tone": "first_name", "questions": "Why data engineering?"},
        date="2025-03-04",
        start_time="09:30",
        end_time="10:45",
        decision_date="2025-03-14",
        decision_words="by the end of next week",
        another_round_expected=True,
        main_contact=recruiter.pk,
        scheduling_message_id="<abc@mail.acme.example>",
    )
    response = owner_client.post(reverse("interviews:log"), data)
    interview = Interview.objects.get()
    assert response.status_code == 302
    assert response["Location"] == interview.application.get_absolute_url()
    assert interview.starts_at == dt.datetime(2025, 3, 4, 14, 30, tzinfo=dt.UTC)
    assert interview.decision_date == dt.date(2025, 3, 14)
    assert interview.another_round_expected is True
    assert interview.scheduling_message_id == "<abc@mail.acme.example>"
    assert interview.application.main_contact == recruiter
    dana = interview.participants.get(contact__name="Dana Richardson")
    assert (dana.contact.honorific, dana.promised) == ("Ms.", "A code sample")
    assert interview.participants.get(contact__name="Sam Lee").contact.tone == "first_name"
    assert Contact.objects.filter(user=user).count() == 3


def test_a_refused_log_shows_field_errors_and_saves_nothing(owner_client, user):
    make_contact(make_company(user, "Acme Corp"))
    before = row_counts()
    response = owner_client.post(
        reverse("interviews:log"),
        log_data(
            {"name": "Sam Lee", "email": "sam@"},
            company="Brand New Co",
            end_time="09:00",
            time_zone="Nowhere/Special",
        ),
    )
    assert response.status_code == 200
    assert row_counts() == before
    form = response.context["form"]
    assert "time_zone" in form.errors
    assert response.context["formset"].forms[0].errors["email"]
    assert b"is-invalid" in response.content
    assert b"Some details need another look" in response.content


def test_a_failure_after_the_rows_were_written_rolls_them_all_back(owner_client, user, monkeypatch):
    from django.core.exceptions import ValidationError

    def refuse(interview):
        raise ValidationError("Could not plan the follow-ups.")

    monkeypatch.setattr(facts, "plan_interview", refuse)
    before = row_counts()
    response = owner_client.post(reverse("interviews:log"), log_data())
    assert response.status_code == 200
    assert row_counts() == before
    assert b"Could not plan the follow-ups." in response.content


def test_logging_asks_for_an_interviewer(owner_client):
    response = owner_client.post(reverse("interviews:log"), log_data({}))
    assert response.status_code == 200
    assert b"Add at least one interviewer." in response.content
    assert not Interview.objects.exists()


# --- Application page ----------------------------------------------------------------


@time_machine.travel(dt.datetime(2025, 3, 4, 17, 0, tzinfo=dt.UTC), tick=False)
def test_the_application_page_shows_interviews_contacts_and_the_timeline(owner_client, user):
    interview = interview_log(
        user=user,
        company_name="Acme Corp",
        role="Data Engineer",
        job_url="https://acme.example/jobs/42",
        details=InterviewDetails(
            starts_at=dt.datetime(2025, 3, 4, 15, tzinfo=dt.UTC),
            ends_at=dt.datetime(2025, 3, 4, 16, tzinfo=dt.UTC),
            time_zone="America/New_York",
        ),
        participants=[
            ParticipantInput(
                new_contact=ContactDetails(name="Dana Richardson"),
                discussed="The Kafka migration",
            )
        ],
    )
    application = interview.application
    with time_machine.travel(dt.datetime(2025, 3, 5, 14, 0, tzinfo=dt.UTC), tick=False):
        application_update(
            application=application,
            user=user,
            company_name="Acme Corp",
            role="Data Engineer",
            job_url=application.job_url,
            stage="offer",
        )
    response = owner_client.get(application.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Dana Richardson" in html and "The Kafka migration" in html
    assert "https://acme.example/jobs/42" in html
    assert "Tue 4 Mar 2025, 10:00\u201311:00" in html  # in the interview's zone
    assert 'id="messages"' in html  # the messaging panel is included
    kinds = [event.kind for event in response.context["timeline"]]
    engine = {"drafted", "cancelled"}  # the messaging engine's own entries
    assert [k for k in kinds if k not in engine] == [
        "stage_changed",
        "interview_logged",
        "application_created",
    ]
    assert kinds[0] == "cancelled"  # the offer stopped the planned check-ins
    assert html.index('data-kind="stage_changed"') < html.index('data-kind="interview_logged"')
    assert "bi-signpost-split" in html and "bi-people" in html and "bi-folder-plus" in html
    # 14:00 UTC shown in the user's zone (New York, UTC-5 in early March).
    assert "Wed 5 Mar 2025, 09:00" in html


# --- Edit and delete an interview -----------------------------------------------------


def test_the_edit_form_is_prefilled_with_the_interview(owner_client, user):
    application = make_application(user)
    interview = make_interview(application, make_contact(application.company))
    response = owner_client.get(reverse("interviews:interview_edit", args=[interview.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="10:00"' in html and 'value="2025-03-04"' in html
    assert 'name="people-INITIAL_FORMS" value="1"' in html
    assert "their data platform" in html


def test_editing_an_interview_changes_adds_and_removes_interviewers(owner_client, user):
    application = make_application(user)
    dana = make_contact(application.company)
    sam = make_contact(application.company, name="Sam Lee")
    interview = make_interview(application, dana, sam)
    data = log_data(
        {"contact": dana.pk, "discussed": "Hiring plans"},
        {"contact": sam.pk, "DELETE": True},
        {"name": "Riley Park", "email": "riley@acme.example"},
        initial_forms=2,
        company=None,
        role=None,
        round_name="Final",
        start_time="14:00",
        end_time="15:00",
    )
    response = owner_client.post(reverse("interviews:interview_edit", args=[interview.pk]), data)
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.round_name == "Final"
    assert interview.starts_at == dt.datetime(2025, 3, 4, 19, tzinfo=dt.UTC)
    assert [(p.contact.name, p.discussed) for p in interview.participants.all()] == [
        ("Dana Richardson", "Hiring plans"),
        ("Riley Park", ""),
    ]
    assert application.timeline.filter(kind="interview_updated").count() == 1


def test_a_refused_edit_changes_nothing(owner_client, user):
    application = make_application(user)
    dana = make_contact(application.company)
    interview = make_interview(application, dana)
    data = log_data(
        {"contact": dana.pk},
        {"contact": dana.pk},
        initial_forms=1,
        round_name="Changed",
    )
    before = row_counts()
    response = owner_client.post(reverse("interviews:interview_edit", args=[interview.pk]), data)
    assert response.status_code == 200
    assert b"is already in this interview" in response.content
    assert row_counts() == before
    interview.refresh_from_db()
    assert interview.round_name == ""


def test_deleting_an_interview_asks_first_and_deletes_only_on_post(owner_client, user):
    application = make_application(user)
    interview = make_interview(application, make_contact(application.company))
    url = reverse("interviews:interview_delete", args=[interview.pk])
    confirm = owner_client.get(url)
    assert confirm.status_code == 200 and b"Delete this interview?" in confirm.content
    assert Interview.objects.exists()
    response = owner_client.post(url)
    assert response["Location"] == application.get_absolute_url()
    assert not Interview.objects.exists()
    assert application.timeline.get().kind == "interview_deleted"


# --- Edit and delete an application -------------------------------------------------


def test_editing_an_application_records_a_stage_change(owner_client, user):
    application = make_application(user)
    contact = make_contact(application.company, name="Riley Park")
    url = reverse("interviews:application_edit", args=[application.pk])
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(
        url,
        {
            "company": "Acme Corp",
            "role": "Lead Data Engineer",
            "job_url": "acme.example/jobs/1",
            "stage": "offer",
            "main_contact": contact.pk,
            "notes": "Salary talk next",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.role, application.stage) == ("Lead Data Engineer", "offer")
    assert application.job_url == "https://acme.example/jobs/1"
    assert application.main_contact == contact
    assert application.timeline.get(kind="stage_changed").summary.endswith("to Offer")
    assert application.timeline.get(kind="note").summary == "Main contact is now Riley Park"


def edit_data(application, **changes) -> dict:
    return {
        "company": application.company.name,
        "role": application.role,
        "job_url": "",
        "stage": application.stage,
        "main_contact": "",
        "notes": "",
        **changes,
    }


def test_rejected_in_the_edit_form_drafts_the_close_out_like_the_rejected_action(
    owner_client, user
):
    application = make_application(user)
    make_interview(application, make_contact(application.company, email="dana@acme.example"))
    url = reverse("interviews:application_edit", args=[application.pk])
    response = owner_client.post(url, edit_data(application, stage="rejected"))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.stage == "rejected" and application.closed_at is not None
    pending = application.messages.exclude(status="cancelled")
    assert set(pending.values_list("stage", "status")) == {
        ("rejection_reply", "draft"),
        ("stay_in_touch", "draft"),
    }
    # The follow-ups stop, exactly as after the button.
    assert not application.messages.filter(stage__in=["check_in", "second_check_in"]).exclude(
        status="cancelled"
    )


def test_an_outcome_the_application_cannot_take_is_a_stage_error(owner_client, user):
    application = make_application(user, stage=Application.Stage.REJECTED)
    url = reverse("interviews:application_edit", args=[application.pk])
    response = owner_client.post(url, edit_data(application, stage="offer", role="Renamed"))
    assert response.status_code == 200
    assert "already rejected" in " ".join(response.context["form"].errors["stage"])
    application.refresh_from_db()
    assert (application.stage, application.role) == ("rejected", "Data Engineer")
    assert not application.messages.exists()


def test_an_application_edit_with_bad_input_shows_errors(owner_client, user):
    application = make_application(user)
    response = owner_client.post(
        reverse("interviews:application_edit", args=[application.pk]),
        {"company": "", "role": "x", "stage": "hired", "job_url": "not a url"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"company", "stage", "job_url"}


def test_deleting_an_application_asks_first_and_removes_everything_of_it(owner_client, user):
    application = make_application(user)
    make_interview(application, make_contact(application.company))
    TimelineEvent.objects.create(
        user=user,
        application=application,
        kind="note",
        summary="x",
        happened_at=dt.datetime(2025, 3, 4, tzinfo=dt.UTC),
    )
    url = reverse("interviews:application_delete", args=[application.pk])
    assert owner_client.get(url).status_code == 200
    assert Application.objects.exists()
    response = owner_client.post(url)
    assert response["Location"] == reverse("interviews:dashboard")
    assert not Application.objects.exists()
    assert not Interview.objects.exists()
    assert not TimelineEvent.objects.exists()


# --- Contacts and companies ----------------------------------------------------------


def test_a_contact_page_lists_the_interviews_they_were_in(owner_client, user):
    application = make_application(user)
    dana = make_contact(application.company)
    make_interview(application, dana, round_name="Technical")
    response = owner_client.get(dana.get_absolute_url())
    assert response.status_code == 200
    assert b"Round 1 \xc2\xb7 Technical" in response.content
    assert b"their data platform" in response.content


def test_editing_a_contact_saves_their_details(owner_client, user):
    dana = make_contact(make_company(user))
    url = reverse("interviews:contact_edit", args=[dana.pk])
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(
        url,
        {
            "name": "Dana Richardson-Lee",
            "honorific": "Dr.",
            "title": "CTO",
            "email": "dana@acme.example",
            "phone": "",
            "linkedin_url": "",
            "tone": "formal",
            "kind": "interviewer",
        },
    )
    assert response.status_code == 302
    dana.refresh_from_db()
    assert (dana.name, dana.honorific, dana.greeting_name) == (
        "Dana Richardson-Lee",
        "Dr.",
        "Dr. Richardson-Lee",
    )


def test_a_contact_edit_refuses_an_invalid_email(owner_client, user):
    dana = make_contact(make_company(user))
    response = owner_client.post(
        reverse("interviews:contact_edit", args=[dana.pk]),
        {"name": "Dana", "email": "dana@@acme", "tone": "formal", "kind": "interviewer"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Enter a valid email address."]
    dana.refresh_from_db()
    assert dana.email == "dana@acme.example"


def test_deleting_a_contact_asks_first(owner_client, user):
    dana = make_contact(make_company(user))
    url = reverse("interviews:contact_delete", args=[dana.pk])
    assert owner_client.get(url).status_code == 200
    assert Contact.objects.exists()
    response = owner_client.post(url)
    assert response["Location"] == dana.company.get_absolute_url()
    assert not Contact.objects.exists()


def test_the_company_pages_list_applications_and_contacts(owner_client, user, outsider):
    application = make_application(user, make_company(user, "Initech"), role="Analyst")
    make_contact(application.company, name="Bill Lumbergh")
    make_company(outsider, "Hidden Inc")
    listing = owner_client.get(reverse("interviews:companies")).content.decode()
    assert "Initech" in listing and "Hidden Inc" not in listing
    detail = owner_client.get(application.company.get_absolute_url()).content.decode()
    assert "Analyst" in detail and "Bill Lumbergh" in detail


def test_a_tampered_log_post_without_the_formset_is_an_error_not_a_crash(owner_client):
    response = owner_client.post(reverse("interviews:log"), {"company": "Acme"})
    assert response.status_code == 200
    assert not Interview.objects.exists()


def test_the_edit_form_carries_the_stage_it_showed(owner_client, user):
    application = make_application(user)
    url = reverse("interviews:application_edit", args=[application.pk])
    html = owner_client.get(url).content.decode()
    assert 'type="hidden" name="stage_seen" value="interviewing"' in html


def test_a_stale_edit_form_does_not_undo_a_stage_changed_meanwhile(owner_client, user):
    application = make_application(user)
    url = reverse("interviews:application_edit", args=[application.pk])
    data = edit_data(application, stage_seen=application.stage, notes="Kept")
    # Between opening the form and saving it, the offer came in (another tab, a reply).
    Application.objects.filter(pk=application.pk).update(stage="offer")

    response = owner_client.post(url, data)

    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.stage, application.notes) == ("offer", "Kept")


def test_a_stale_edit_form_that_changes_the_stage_gets_a_clear_error(owner_client, user):
    application = make_application(user)
    url = reverse("interviews:application_edit", args=[application.pk])
    data = edit_data(application, stage_seen=application.stage, stage="withdrawn")
    Application.objects.filter(pk=application.pk).update(stage="offer")

    response = owner_client.post(url, data)

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["stage"])
    assert "This application changed to Offer meanwhile" in errors
    application.refresh_from_db()
    assert application.stage == "offer"
