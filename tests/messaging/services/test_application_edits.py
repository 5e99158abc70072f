"""An application edited (main contact, company name) or its main contact deleted: drafts follow."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from interviews.models import Company, TimelineEvent
from interviews.services.contacts import ContactDetails
from interviews.services.interviews import InterviewDetails, ParticipantInput
from messaging.models import Message
from messaging.services.facts import application_update, contact_delete, interview_log
from tests.builders.clock import local
from tests.builders.forms import log_data
from tests.builders.interviews import make_application, make_contact
from tests.builders.queries import check_ins
from tests.builders.scenario import LATER, planned

pytestmark = pytest.mark.django_db

Kind = TimelineEvent.Kind


def update(application, user, **changes):
    values = {
        "company_name": application.company.name,
        "role": application.role,
        "stage": application.stage,
        "main_contact": application.main_contact,
    } | changes
    with time_machine.travel(LATER, tick=False):
        return application_update(application=application, user=user, **values)


def test_a_new_main_contact_gets_the_check_ins_with_a_timeline_entry(user):
    application, people = planned(user)
    dana = people["dana"]

    update(application, user, main_contact=dana)

    assert {m.contact_id for m in check_ins(application)} == {dana.pk}
    assert {m.to_email for m in check_ins(application)} == {dana.email}
    note = application.timeline.get(kind=Kind.NOTE)
    assert note.summary.startswith("Main contact is now Dana Whitfield (was ")


def test_another_users_contact_cannot_become_the_main_contact(user, outsider):
    application, _people = planned(user)
    company = Company.objects.create(user=outsider, name="Elsewhere")
    stranger = make_contact(company, "Sam Stranger")
    with pytest.raises(ValidationError) as caught:
        update(application, user, main_contact=stranger)
    assert "main_contact" in caught.value.error_dict
    application.refresh_from_db()
    assert application.main_contact_id != stranger.pk


def test_renaming_the_only_application_s_company_renames_it_in_place_and_redrafts(user):
    application, people = planned(user)
    company = application.company
    thank_you = Message.objects.get(contact=people["dana"], stage=Message.Stage.THANK_YOU)
    assert "Northwind Labs" in thank_you.body_text

    update(application, user, company_name="Northwind Analytics")

    company.refresh_from_db()
    application.refresh_from_db()
    assert application.company_id == company.pk
    assert company.name == "Northwind Analytics"
    assert Company.objects.filter(user=user).count() == 1
    assert company.contacts.count() == 3  # the contacts stay with it
    thank_you.refresh_from_db()
    assert "Northwind Analytics" in thank_you.body_text
    assert "Northwind Labs" not in thank_you.body_text
    assert application.timeline.filter(summary__startswith="Company renamed from").exists()


def test_renaming_a_company_other_applications_use_is_refused_with_a_field_error(
    owner_client, user
):
    application, _people = planned(user)
    make_application(user, company=application.company, role="Platform Engineer")
    url = reverse("interviews:application_edit", args=[application.pk])

    response = owner_client.post(
        url,
        {
            "company": "Northwind Analytics",
            "role": application.role,
            "stage": application.stage,
            "stage_seen": application.stage,
            "main_contact": application.main_contact_id,
        },
    )

    assert response.status_code == 200
    assert "1 other application" in response.context["form"].errors["company"][0]
    assert reverse("interviews:company_rename", args=[application.company_id]) in (
        response.content.decode()
    )
    assert list(Company.objects.filter(user=user).values_list("name", flat=True)) == [
        "Northwind Labs"
    ]


def test_renaming_to_the_name_of_another_company_is_refused(user):
    application, _people = planned(user)
    Company.objects.create(user=user, name="Globex")
    with pytest.raises(ValidationError) as caught:
        update(application, user, company_name="globex")
    assert "another company called Globex" in caught.value.error_dict["company"][0].message


def test_the_company_page_renames_it_for_all_its_applications(owner_client, user, outsider):
    application, people = planned(user)
    other = make_application(user, company=application.company, role="Platform Engineer")
    url = reverse("interviews:company_rename", args=[application.company_id])
    assert owner_client.get(url).status_code == 200

    with time_machine.travel(LATER, tick=False):
        response = owner_client.post(url, {"name": "Northwind Analytics"})

    assert response.status_code == 302
    application.company.refresh_from_db()
    assert application.company.name == "Northwind Analytics"
    thank_you = Message.objects.get(contact=people["dana"], stage=Message.Stage.THANK_YOU)
    assert "Northwind Analytics" in thank_you.body_text
    assert other.timeline.filter(summary__startswith="Company renamed").exists()


def test_another_users_company_cannot_be_renamed(outsider_client, user):
    application, _people = planned(user)
    url = reverse("interviews:company_rename", args=[application.company_id])
    assert outsider_client.post(url, {"name": "Mine now"}).status_code == 404


def test_the_delete_page_of_the_main_contact_says_who_gets_the_check_ins(owner_client, user):
    _application, people = planned(user)
    recruiter = people["recruiter"]
    html = owner_client.get(reverse("interviews:contact_delete", args=[recruiter.pk])).content
    assert f"will go to Dana Whitfield ({people['dana'].email}) instead" in html.decode()


def test_the_delete_page_says_when_nobody_else_has_an_address(owner_client, user):
    _application, people = planned(user)
    for key in ("dana", "richardson"):
        type(people[key]).objects.filter(pk=people[key].pk).update(email="")
    html = owner_client.get(reverse("interviews:contact_delete", args=[people["recruiter"].pk]))
    assert "nobody else in the interview has an email address" in html.content.decode()


def test_deleting_the_main_contact_says_on_the_timeline_who_gets_the_check_ins(user):
    application, people = planned(user)
    recruiter = people["recruiter"]
    name = recruiter.name

    with time_machine.travel(LATER, tick=False):
        contact_delete(contact=recruiter, user=user)

    note = application.timeline.get(kind=Kind.NOTE)
    assert note.summary == f"Main contact {name} was deleted"
    assert f"Check-ins now go to Dana Whitfield ({people['dana'].email})" in note.detail


@pytest.mark.parametrize(
    ("day", "error"),
    [("1900-01-01", "more than 5 years ago"), ("2031-01-01", "more than 2 years ahead")],
)
def test_an_implausible_interview_date_is_a_date_error(owner_client, user, day, error):
    with time_machine.travel(local(2025, 3, 5, 9), tick=False):
        response = owner_client.post(reverse("interviews:log"), log_data(date=day))
    assert response.status_code == 200
    assert error in response.context["form"].errors["date"][0]


def test_the_service_refuses_an_implausible_interview_date_too(user):
    starts = dt.datetime(1900, 1, 1, 10, tzinfo=dt.UTC)
    details = InterviewDetails(
        starts_at=starts, ends_at=starts + dt.timedelta(hours=1), time_zone="UTC"
    )
    with pytest.raises(ValidationError) as caught:
        interview_log(
            user=user,
            company_name="Acme",
            role="Engineer",
            details=details,
            participants=[ParticipantInput(new_contact=ContactDetails(name="Kim"))],
        )
    assert "date" in caught.value.error_dict
