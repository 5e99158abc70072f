"""The log-interview form: times in the zone given, interviewer rows checked, clean headers."""

from __future__ import annotations

import datetime as dt

import pytest

from interviews.forms.interview import InterviewForms
from tests.builders.forms import log_data
from tests.builders.interviews import make_application, make_company, make_contact, make_interview

pytestmark = pytest.mark.django_db


def bound(user, *people, **fields) -> InterviewForms:
    forms = InterviewForms(log_data(*people, **fields), user=user)
    forms.is_valid()
    return forms


def row_errors(forms: InterviewForms, index: int) -> dict[str, list[str]]:
    return forms.formset.forms[index].errors


def test_a_complete_interview_is_valid_and_its_times_are_in_the_zone_given(user):
    forms = bound(user)
    assert forms.is_valid(), (forms.form.errors, forms.formset.errors)
    details = forms.form.interview_details()
    assert details.starts_at == dt.datetime(2025, 3, 4, 15, 0, tzinfo=dt.UTC)
    assert details.ends_at == dt.datetime(2025, 3, 4, 16, 0, tzinfo=dt.UTC)


def test_it_refuses_an_end_before_the_start(user):
    forms = bound(user, start_time="11:00", end_time="10:30")
    assert not forms.is_valid()
    assert forms.form.errors["end_time"] == ["The interview must end after it starts (11:00)."]


def test_it_refuses_an_end_equal_to_the_start(user):
    forms = bound(user, start_time="11:00", end_time="11:00")
    assert "end_time" in forms.form.errors


def test_it_refuses_an_invalid_interviewer_email(user):
    forms = bound(user, {"name": "Dana Richardson", "email": "dana@"})
    assert not forms.is_valid()
    assert row_errors(forms, 0)["email"] == ["Enter a valid email address."]


def test_it_refuses_an_invalid_main_contact_email(user):
    forms = bound(user, main_name="Riley Park", main_email="riley at acme")
    assert forms.form.errors["main_email"] == ["Enter a valid email address."]


def test_it_refuses_a_decision_date_before_the_interview(user):
    forms = bound(user, date="2025-03-04", decision_date="2025-03-03")
    assert forms.form.errors["decision_date"] == [
        "The decision date cannot be before the interview (4 Mar 2025)."
    ]


def test_a_decision_on_the_interview_day_is_fine(user):
    assert bound(user, date="2025-03-04", decision_date="2025-03-04").is_valid()


def test_it_refuses_an_unknown_time_zone(user):
    forms = bound(user, time_zone="Mars/Olympus_Mons")
    assert not forms.is_valid()
    assert forms.form.errors["time_zone"] == [
        "“Mars/Olympus_Mons” is not a time zone we know. Use a name like Europe/Berlin."
    ]


def test_it_refuses_a_wall_time_that_the_spring_dst_change_skips(user):
    # 9 March 2025: New York clocks jump from 02:00 to 03:00.
    forms = bound(user, date="2025-03-09", start_time="02:30", end_time="03:30")
    assert not forms.is_valid()
    [error] = forms.form.errors["start_time"]
    assert "does not exist in America/New_York" in error
    assert "end_time" not in forms.form.errors


def test_it_refuses_a_wall_time_that_the_autumn_dst_change_repeats(user):
    # 2 November 2025: New York clocks go back from 02:00 to 01:00.
    forms = bound(user, date="2025-11-02", start_time="00:30", end_time="01:30")
    assert not forms.is_valid()
    [error] = forms.form.errors["end_time"]
    assert "happens twice in America/New_York" in error


def test_it_asks_for_at_least_one_interviewer(user):
    forms = bound(user, {})
    assert not forms.is_valid()
    assert forms.formset.non_form_errors() == ["Add at least one interviewer."]


def test_a_removed_row_does_not_count_as_an_interviewer(user):
    forms = bound(user, {"name": "Dana Richardson", "DELETE": True})
    assert not forms.is_valid()
    assert forms.formset.non_form_errors() == ["Add at least one interviewer."]


def test_a_removed_row_is_not_validated(user):
    forms = bound(
        user,
        {"name": "Dana Richardson"},
        {"name": "Broken Row", "email": "not-an-email", "DELETE": True},
    )
    assert forms.is_valid()
    assert len(forms.formset.live_forms()) == 1


def test_it_refuses_the_same_existing_contact_twice(user):
    contact = make_contact(make_company(user))
    forms = bound(user, {"contact": contact.pk}, {"contact": contact.pk})
    assert not forms.is_valid()
    assert row_errors(forms, 1)["contact"] == [
        "Dana Richardson is already in this interview (interviewer 1)."
    ]
    assert not row_errors(forms, 0)


def test_it_refuses_the_same_new_person_twice_whatever_the_case(user):
    forms = bound(
        user,
        {"name": "Dana Richardson", "email": "dana@acme.example"},
        {"name": "dana  richardson", "email": "DANA@acme.example"},
    )
    assert not forms.is_valid()
    assert "is already in this interview" in row_errors(forms, 1)["name"][0]


def test_two_new_people_with_the_same_name_but_different_emails_are_two_people(user):
    forms = bound(
        user,
        {"name": "Sam Lee", "email": "sam.lee@acme.example"},
        {"name": "Sam Lee", "email": "slee@acme.example"},
    )
    assert forms.is_valid()


def test_it_refuses_a_new_row_that_is_an_existing_contact_picked_in_another_row(user):
    contact = make_contact(make_company(user, "Acme Corp"), email="dana@acme.example")
    forms = bound(
        user,
        {"contact": contact.pk},
        {"name": "Dana R.", "email": "Dana@Acme.example"},
    )
    assert not forms.is_valid()
    assert row_errors(forms, 1)["email"] == [
        "Dana Richardson is already in this interview (interviewer 1)."
    ]


def test_a_new_row_matching_an_existing_contact_alone_is_fine(user):
    make_contact(make_company(user, "Acme Corp"), email="dana@acme.example")
    assert bound(user, {"name": "Dana Richardson", "email": "dana@acme.example"}).is_valid()


def test_it_refuses_a_row_with_both_a_picked_contact_and_a_new_person(user):
    contact = make_contact(make_company(user))
    forms = bound(user, {"contact": contact.pk, "name": "Someone Else"})
    assert not forms.is_valid()
    assert "not both" in row_errors(forms, 0)["contact"][0]


def test_it_asks_for_a_name_when_a_row_has_only_notes(user):
    forms = bound(user, {"discussed": "Their migration to Kafka"})
    assert row_errors(forms, 0)["name"] == [
        "Enter the interviewer's name, or pick an existing contact."
    ]


def test_it_refuses_another_users_contact(user, outsider):
    theirs = make_contact(make_company(outsider))
    forms = bound(user, {"contact": theirs.pk})
    assert not forms.is_valid()
    assert "Select a valid choice" in row_errors(forms, 0)["contact"][0]


def test_it_refuses_two_rows_marked_as_main_contact(user):
    forms = bound(
        user,
        {"name": "Dana Richardson", "is_main": True},
        {"name": "Riley Park", "is_main": True},
    )
    assert forms.formset.non_form_errors() == ["Mark only one person as the main contact."]


def test_it_refuses_a_main_contact_row_and_a_picked_main_contact_together(user):
    recruiter = make_contact(make_company(user), name="Riley Park", kind="recruiter")
    forms = InterviewForms(
        log_data({"name": "Dana Richardson", "is_main": True}, main_contact=recruiter.pk),
        user=user,
    )
    assert not forms.is_valid()
    assert "keep one" in forms.form.errors["main_contact"][0]


def test_it_asks_for_the_name_of_a_new_main_contact(user):
    forms = bound(user, main_email="riley@acme.example")
    assert forms.form.errors["main_name"] == ["Enter this person's name too."]


def test_it_defaults_to_the_users_time_zone_and_today(user):
    forms = InterviewForms(user=user)
    assert forms.form.initial["time_zone"] == "America/New_York"
    assert forms.form["date"].value() is not None


def test_the_next_round_of_an_application_is_prefilled(user):
    application = make_application(user)
    make_interview(application, make_contact(application.company))
    forms = InterviewForms(user=user, application=application)
    assert forms.form.initial["company"] == "Acme Corp"
    assert forms.form.initial["role"] == "Data Engineer"
    assert forms.form.initial["round_number"] == 2


def test_editing_prefills_the_interview_in_its_own_time_zone(user):
    application = make_application(user)
    dana = make_contact(application.company)
    riley = make_contact(application.company, name="Riley Park", kind="recruiter")
    application.main_contact = riley
    application.save()
    interview = make_interview(application, dana)
    forms = InterviewForms(user=user, interview=interview)
    assert "company" not in forms.form.fields
    assert forms.form.initial["start_time"] == dt.time(10, 0)
    assert forms.form.initial["date"] == dt.date(2025, 3, 4)
    assert forms.form.initial["main_contact"] == riley.pk
    assert forms.formset.initial == [
        {
            "discussed": "their data platform",
            "questions": "",
            "promised": "",
            "added_point": "",
            "contact": dana.pk,
            "is_main": False,
        }
    ]


def test_it_refuses_a_line_break_in_the_scheduling_subject(user):
    forms = bound(user, scheduling_subject="Interview on Tuesday\r\nBcc: someone@else.example")
    assert not forms.is_valid()
    assert forms.form.errors["scheduling_subject"] == [
        "Keep the subject on one line: paste it again without line breaks or tabs."
    ]


@pytest.mark.parametrize(
    "value",
    [
        "not a message id",
        "CAF123",
        "<CAF123@mail.example.com>\r\nBcc: someone@else.example",
        "<CAF 123@mail.example.com>",
        "<CAF123@mail.example.com",
    ],
)
def test_it_refuses_a_scheduling_message_id_that_is_not_one(user, value):
    forms = bound(user, scheduling_message_id=value)
    assert not forms.is_valid()
    (error,) = forms.form.errors["scheduling_message_id"]
    assert error.startswith("A Message-ID looks like <CAF1x2y3@mail.example.com>")


@pytest.mark.parametrize(
    "value",
    [
        "<CAF=123@mail.example.com>",
        "CAF=123@mail.example.com",
        "Message-ID: <CAF=123@mail.example.com>",
    ],
)
def test_a_scheduling_message_id_is_kept_in_angle_brackets(user, value):
    forms = bound(user, scheduling_subject="Interview on Tuesday", scheduling_message_id=value)
    assert forms.is_valid(), forms.form.errors
    assert forms.form.interview_details().scheduling_message_id == "<CAF=123@mail.example.com>"
