"""Logging, editing and deleting interviews and applications: rows, timeline, nothing half-saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from interviews.models import Application, Company, Contact, Interview, TimelineEvent
from interviews.services.applications import application_delete
from interviews.services.contacts import ContactDetails
from interviews.services.interviews import InterviewDetails, ParticipantInput
from messaging.models import Message
from messaging.services import facts
from messaging.services.facts import (
    application_update,
    contact_delete,
    interview_delete,
    interview_log,
    interview_update,
)
from tests.builders.clock import NEW_YORK
from tests.builders.interviews import (
    make_application,
    make_company,
    make_contact,
    make_interview,
    row_counts,
)

pytestmark = pytest.mark.django_db

STARTS = dt.datetime(2025, 3, 4, 10, 0, tzinfo=NEW_YORK)


def details(**fields) -> InterviewDetails:
    return InterviewDetails(
        **{
            "starts_at": STARTS,
            "ends_at": STARTS + dt.timedelta(hours=1),
            "time_zone": "America/New_York",
        }
        | fields
    )


def person(name: str = "Dana Richardson", **fields) -> ParticipantInput:
    notes = {key: fields.pop(key) for key in ("discussed", "is_main", "promised") if key in fields}
    return ParticipantInput(new_contact=ContactDetails(name=name, **fields), **notes)


def log(user, *participants: ParticipantInput, **kwargs) -> Interview:
    kwargs.setdefault("company_name", "Acme Corp")
    kwargs.setdefault("role", "Data Engineer")
    kwargs.setdefault("details", details())
    return interview_log(
        user=user, participants=participants or [person(email="dana@acme.example")], **kwargs
    )


def test_logging_creates_the_company_application_interview_and_interviewers(user):
    interview = log(
        user,
        person("Dana Richardson", email="dana@acme.example", discussed="Kafka migration"),
        person("Sam Lee", title="Staff Engineer"),
        job_url="https://acme.example/jobs/42",
    )
    application = interview.application
    assert application.company.name == "Acme Corp"
    assert (application.role, application.stage) == ("Data Engineer", "interviewing")
    assert application.job_url == "https://acme.example/jobs/42"
    assert interview.round_number == 1
    assert interview.starts_at == dt.datetime(2025, 3, 4, 15, 0, tzinfo=dt.UTC)
    assert [(p.contact.name, p.position) for p in interview.participants.all()] == [
        ("Dana Richardson", 0),
        ("Sam Lee", 1),
    ]
    assert interview.participants.get(contact__name="Dana Richardson").discussed == (
        "Kafka migration"
    )
    assert set(Contact.objects.filter(user=user).values_list("company", flat=True)) == {
        application.company_id
    }


def test_logging_records_the_new_application_and_the_interview_on_the_timeline(user):
    interview = log(user, person("Dana Richardson"), person("Sam Lee"))
    events = list(interview.application.timeline.order_by("pk"))
    kinds = [event.kind for event in events]
    # Then the engine's drafts: a thank-you to each interviewer and two check-ins.
    assert kinds[:2] == ["application_created", "interview_logged"]
    assert kinds[2:] == ["drafted"] * (len(kinds) - 2) and len(kinds) - 2 >= 2
    assert events[1].interview == interview
    assert events[1].summary == (
        "Round 1 on Tue 4 Mar 2025, 10:00 with Dana Richardson and Sam Lee"
    )


def test_it_reuses_the_company_and_open_application_whatever_the_case(user):
    first = log(user)
    second = log(
        user,
        person("Riley Park"),
        company_name="  ACME corp ",
        role="data engineer",
        details=details(
            starts_at=STARTS + dt.timedelta(days=7), ends_at=STARTS + dt.timedelta(days=7, hours=1)
        ),
    )
    assert second.application == first.application
    assert Company.objects.filter(user=user).count() == 1
    assert second.round_number == 2
    assert (
        list(second.application.timeline.values_list("kind", flat=True)).count(
            "application_created"
        )
        == 1
    )


def test_an_ended_application_is_not_reused(user):
    ended = make_application(user, stage=Application.Stage.REJECTED)
    interview = log(user, company_name="acme corp")
    assert interview.application != ended
    assert interview.application.company == ended.company


def test_an_application_that_had_only_been_applied_to_moves_to_interviewing(user):
    application = make_application(user, stage=Application.Stage.APPLIED)
    interview = log(user)
    application.refresh_from_db()
    assert interview.application == application
    assert application.stage == "interviewing"
    assert application.timeline.filter(kind="stage_changed").count() == 1


def test_a_new_person_with_an_existing_contacts_email_reuses_that_contact(user):
    company = make_company(user)
    dana = make_contact(company, email="dana@acme.example", title="")
    interview = log(user, person("Dana R.", email="DANA@acme.example", title="Head of Data"))
    assert list(interview.contacts.all()) == [dana]
    assert Contact.objects.filter(user=user).count() == 1
    dana.refresh_from_db()
    assert dana.title == "Head of Data"  # a blank is filled in
    assert dana.name == "Dana Richardson"  # what was there is kept


def test_another_users_contact_with_the_same_email_is_never_reused(user, outsider):
    make_contact(make_company(outsider), email="dana@acme.example")
    interview = log(user, person("Dana Richardson", email="dana@acme.example"))
    assert interview.contacts.get().user == user


def test_it_refuses_the_same_person_twice_and_saves_nothing(user):
    before = row_counts()
    with pytest.raises(ValidationError, match="listed twice"):
        log(
            user,
            person("Dana Richardson", email="dana@acme.example"),
            person("Dana Richardson", email="dana@acme.example"),
        )
    assert row_counts() == before


def test_it_refuses_an_interview_without_interviewers_and_saves_nothing(user):
    before = row_counts()
    with pytest.raises(ValidationError):
        interview_log(
            user=user, company_name="Acme", role="Engineer", details=details(), participants=[]
        )
    assert row_counts() == before


def test_it_refuses_an_end_before_the_start_even_without_the_form(user):
    with pytest.raises(ValidationError) as excinfo:
        log(user, details=details(ends_at=STARTS))
    assert "end_time" in excinfo.value.error_dict
    assert not Interview.objects.exists()


def test_it_refuses_another_users_contact(user, outsider):
    theirs = make_contact(make_company(outsider))
    before = row_counts()
    with pytest.raises(ValidationError):
        log(user, ParticipantInput(contact=theirs))
    assert row_counts() == before


def test_a_failure_in_the_hook_after_saving_rolls_the_whole_log_back(user, monkeypatch):
    def refuse(interview):
        raise ValidationError("The engine could not plan drafts.")

    monkeypatch.setattr(facts, "plan_interview", refuse)
    before = row_counts()
    with pytest.raises(ValidationError):
        log(user, person("Dana Richardson"), person("Sam Lee"))
    assert row_counts() == before


def test_the_messaging_engine_gets_its_turn_after_logging_and_editing(user, monkeypatch):
    seen: list[int] = []
    monkeypatch.setattr(facts, "plan_interview", lambda interview: seen.append(interview.pk))
    interview = log(user)
    interview_update(
        interview=interview,
        user=user,
        details=details(notes="Went well"),
        participants=[ParticipantInput(contact=interview.contacts.get())],
    )
    assert seen == [interview.pk, interview.pk]


def test_a_row_marked_main_becomes_the_main_contact(user):
    interview = log(user, person("Dana Richardson"), person("Riley Park", is_main=True))
    assert interview.application.main_contact.name == "Riley Park"


def test_a_new_main_contact_who_was_not_in_the_interview_is_created(user):
    interview = log(
        user,
        new_main_contact=ContactDetails(
            name="Riley Park", email="riley@acme.example", kind="coordinator"
        ),
    )
    main = interview.application.main_contact
    assert (main.name, main.kind, main.company) == (
        "Riley Park",
        "coordinator",
        interview.application.company,
    )
    assert list(interview.contacts.values_list("name", flat=True)) == ["Dana Richardson"]


def test_the_first_recruiter_interviewer_is_the_main_contact_by_default(user):
    interview = log(user, person("Dana Richardson"), person("Riley Park", kind="recruiter"))
    assert interview.application.main_contact.name == "Riley Park"


def test_an_existing_main_contact_is_kept_when_none_is_chosen(user):
    application = make_application(user)
    coordinator = make_contact(application.company, name="Jo Mills", kind="coordinator")
    application.main_contact = coordinator
    application.save()
    interview = log(user, person("Riley Park", kind="recruiter"))
    interview.application.refresh_from_db()
    assert interview.application.main_contact == coordinator


def test_editing_updates_adds_and_removes_interviewers_and_records_it(user):
    application = make_application(user)
    dana = make_contact(application.company)
    sam = make_contact(application.company, name="Sam Lee")
    interview = make_interview(application, dana, sam)
    interview_update(
        interview=interview,
        user=user,
        details=details(round_name="Final", decision_date=dt.date(2025, 3, 14)),
        participants=[
            ParticipantInput(contact=dana, discussed="Hiring plans"),
            person("Riley Park", email="riley@acme.example"),
        ],
    )
    interview.refresh_from_db()
    assert interview.round_name == "Final"
    assert interview.decision_date == dt.date(2025, 3, 14)
    assert [(p.contact.name, p.discussed) for p in interview.participants.all()] == [
        ("Dana Richardson", "Hiring plans"),
        ("Riley Park", ""),
    ]
    assert Contact.objects.filter(pk=sam.pk).exists()  # removed from the interview only
    event = application.timeline.get(kind="interview_updated")
    assert event.interview == interview
    # The engine follows the edit: Riley gets a thank-you; Sam had none (no address).
    thank_yous = application.messages.filter(stage="thank_you").exclude(status="cancelled")
    assert set(thank_yous.values_list("contact__name", flat=True)) >= {"Riley Park"}


def test_deleting_an_interview_records_it_on_the_timeline(user):
    application = make_application(user)
    interview = make_interview(application, make_contact(application.company))
    interview_delete(interview=interview, user=user)
    assert not Interview.objects.exists()
    event = application.timeline.get()
    assert event.kind == "interview_deleted"
    assert event.summary.startswith("Deleted: Round 1 on Tue 4 Mar 2025")


def test_changing_the_stage_records_it_and_closes_the_application(user):
    application = make_application(user)
    application_update(
        application=application,
        user=user,
        company_name="Acme Corp",
        role="Senior Data Engineer",
        stage="rejected",
    )
    application.refresh_from_db()
    assert (application.role, application.stage) == ("Senior Data Engineer", "rejected")
    assert application.closed_at is not None
    event = application.timeline.get(kind="stage_changed")
    assert event.summary == "Stage changed from Interviewing to Rejected"
    # The same path as the "Rejected" action: the close-out is drafted for approval.
    assert set(application.messages.values_list("stage", "status")) == {
        ("rejection_reply", "draft"),
        ("stay_in_touch", "draft"),
    }


def test_saving_an_application_without_a_new_stage_records_only_the_rename(user):
    application = make_application(user)
    application_update(
        application=application,
        user=user,
        company_name="Globex",
        role="Data Engineer",
        stage="interviewing",
        notes="Referred by Kim",
    )
    application.refresh_from_db()
    assert application.company.name == "Globex"
    assert application.notes == "Referred by Kim"
    # Renamed in place (the company was this application's alone), not a new company.
    assert Company.objects.filter(user=user).count() == 1
    assert [e.summary for e in application.timeline.all()] == [
        "Company renamed from Acme Corp to Globex"
    ]


def test_deleting_an_application_deletes_its_interviews_messages_and_timeline(user):
    application = make_application(user)
    contact = make_contact(application.company)
    make_interview(application, contact)
    Message.objects.create(user=user, application=application, stage="thank_you")
    TimelineEvent.objects.create(
        user=user, application=application, kind="note", summary="x", happened_at=STARTS
    )
    application_delete(application=application, user=user)
    assert not Application.objects.exists()
    assert not Interview.objects.exists()
    assert not Message.objects.exists()
    assert not TimelineEvent.objects.exists()
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_deleting_a_contact_removes_them_from_interviews_and_as_main_contact(user):
    application = make_application(user)
    dana = make_contact(application.company)
    application.main_contact = dana
    application.save()
    interview = make_interview(application, dana)
    contact_delete(contact=dana, user=user)
    application.refresh_from_db()
    assert application.main_contact is None
    assert not interview.participants.exists()


def test_services_refuse_other_users_rows(user, outsider):
    application = make_application(outsider)
    contact = make_contact(application.company)
    interview = make_interview(application, contact)
    with pytest.raises(ValidationError):
        interview_delete(interview=interview, user=user)
    with pytest.raises(ValidationError):
        application_delete(application=application, user=user)
    with pytest.raises(ValidationError):
        contact_delete(contact=contact, user=user)
    assert Interview.objects.exists() and Application.objects.exists() and Contact.objects.exists()


def edit(application, user, **changes):
    return application_update(
        **{
            "application": application,
            "user": user,
            "company_name": application.company.name,
            "role": application.role,
            "stage": application.stage,
            "stage_seen": application.stage,
        }
        | changes
    )


def test_an_edit_leaves_a_stage_changed_meanwhile_as_it_is(user):
    application = make_application(user)  # the form opens showing Interviewing
    Application.objects.filter(pk=application.pk).update(stage="offer")  # another tab

    edit(application, user, notes="Salary talk next")

    application.refresh_from_db()
    assert (application.stage, application.notes) == ("offer", "Salary talk next")
    assert not application.timeline.filter(kind="stage_changed").exists()


def test_an_edit_does_not_write_back_a_pause_set_meanwhile(user):
    application = make_application(user)
    until = dt.datetime(2025, 4, 1, 12, tzinfo=dt.UTC)
    Application.objects.filter(pk=application.pk).update(paused=True, paused_until=until)

    edit(application, user, role="Lead Data Engineer")

    application.refresh_from_db()
    assert application.role == "Lead Data Engineer"
    assert (application.paused, application.paused_until) == (True, until)


def test_a_stage_change_on_a_stale_form_is_refused_with_the_stage_it_has_now(user):
    application = make_application(user)
    Application.objects.filter(pk=application.pk).update(stage="offer")

    with pytest.raises(ValidationError) as caught:
        edit(application, user, stage="rejected", role="Renamed")

    assert "changed to Offer meanwhile" in " ".join(caught.value.message_dict["stage"])
    application.refresh_from_db()
    assert (application.stage, application.role) == ("offer", "Data Engineer")


def test_a_stage_the_user_changed_on_a_fresh_form_is_applied(user):
    application = make_application(user)
    edit(application, user, stage="rejected")
    application.refresh_from_db()
    assert application.stage == "rejected"


def test_it_refuses_a_line_break_in_the_scheduling_headers_even_without_the_form(user):
    with pytest.raises(ValidationError) as excinfo:
        log(
            user,
            details=details(
                scheduling_subject="Interview\nBcc: someone@else.example",
                scheduling_message_id="<a@b>\r\nBcc: someone@else.example",
            ),
        )
    assert set(excinfo.value.error_dict) == {"scheduling_subject", "scheduling_message_id"}
    assert not Interview.objects.exists()
