"""Edits of contacts, companies and applications re-plan in their own transaction: the new
facts and the drafts that follow from them are saved together, or neither is."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from interviews.models import Application, Company, Contact
from messaging.models import Message
from messaging.services import contact_changes, facts
from messaging.services.facts import (
    application_update,
    company_rename,
    contact_delete,
    contact_update,
)
from tests.builders.interviews import details_of
from tests.builders.queries import pending_to
from tests.builders.scenario import LATER, planned

Status = Message.Status


class ReplanFailed(Exception):
    pass


@pytest.fixture
def failing_replan(monkeypatch):
    """replan_for raises, as a re-plan that hits an error would."""

    def fail(**kwargs):
        raise ReplanFailed

    monkeypatch.setattr(facts, "replan_for", fail)
    monkeypatch.setattr(contact_changes, "replan_for", fail)


@pytest.fixture
def replan_calls(monkeypatch):
    """Each replan_for call, with whether the edit's transaction was open when it started."""
    calls = []
    real = facts.replan_for

    def record(**kwargs):
        calls.append(connection.in_atomic_block)
        return real(**kwargs)

    monkeypatch.setattr(facts, "replan_for", record)
    monkeypatch.setattr(contact_changes, "replan_for", record)
    return calls


@pytest.mark.django_db
def test_a_failing_re_plan_leaves_the_contact_and_its_drafts_as_they_were(user, failing_replan):
    _application, people = planned(user)
    dana = people["dana"]
    thank_you = pending_to(dana)
    old_email = dana.email

    with time_machine.travel(LATER, tick=False), pytest.raises(ReplanFailed):
        contact_update(
            contact=dana, user=user, details=details_of(dana, email="dana.w@northwind.example")
        )

    assert Contact.objects.get(pk=dana.pk).email == old_email != "dana.w@northwind.example"
    assert pending_to(dana).to_email == thank_you.to_email == old_email


@pytest.mark.django_db
def test_a_failing_re_plan_keeps_the_contact_and_what_was_pending_to_them(user, failing_replan):
    _application, people = planned(user)
    dana = people["dana"]
    thank_you = pending_to(dana)
    dana_pk = dana.pk

    with time_machine.travel(LATER, tick=False), pytest.raises(ReplanFailed):
        contact_delete(contact=dana, user=user)

    assert Contact.objects.filter(pk=dana_pk).exists()
    thank_you.refresh_from_db()
    assert thank_you.status == Status.DRAFT


@pytest.mark.django_db
def test_a_failing_re_plan_leaves_the_company_name_as_it_was(user, failing_replan):
    application, _people = planned(user)
    old_name = application.company.name

    with time_machine.travel(LATER, tick=False), pytest.raises(ReplanFailed):
        company_rename(company=application.company, user=user, name="Northwind AI")

    assert Company.objects.get(pk=application.company_id).name == old_name != "Northwind AI"


@pytest.mark.django_db
def test_a_failing_re_plan_leaves_the_application_as_it_was(user, failing_replan):
    application, _people = planned(user)

    with time_machine.travel(LATER, tick=False), pytest.raises(ReplanFailed):
        application_update(
            application=application,
            user=user,
            company_name=application.company.name,
            role="Staff Data Engineer",
            stage=application.stage,
            main_contact=application.main_contact,
        )

    assert Application.objects.get(pk=application.pk).role == application.role
    assert application.role != "Staff Data Engineer"


# transaction=True: no test transaction around the services, so "an atomic block open" means
# the edit's own transaction, which the re-plan runs inside.
@pytest.mark.django_db(transaction=True)
def test_every_re_plan_runs_inside_the_edit_s_transaction(user, replan_calls):
    application, people = planned(user)
    with time_machine.travel(LATER, tick=False):
        contact_update(
            contact=people["dana"],
            user=user,
            details=details_of(people["dana"], email="dana.w@northwind.example"),
        )
        company_rename(company=application.company, user=user, name="Northwind AI")
        application_update(
            application=application,
            user=user,
            company_name="Northwind AI",
            role="Staff Data Engineer",
            stage=application.stage,
            main_contact=application.main_contact,
        )
        contact_delete(contact=people["richardson"], user=user)

    assert replan_calls == [True, True, True, True]
    # And the re-plans did their work: the drafts carry the new details.
    thank_you = pending_to(people["dana"])
    assert thank_you.to_email == "dana.w@northwind.example"
    assert "Northwind AI" in thank_you.body_text


@pytest.mark.django_db
def test_a_contact_delete_locks_the_applications_before_the_messages(user):
    if not connection.features.has_select_for_update:
        pytest.skip("this database takes no row locks (SQLite)")
    application, people = planned(user)

    with (
        time_machine.travel(LATER, tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        contact_delete(contact=people["dana"], user=user)

    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    first_message_lock = next(i for i, sql in enumerate(locks) if '"messaging_message"' in sql)
    assert any('FROM "interviews_application"' in sql for sql in locks[:first_message_lock])
    assert Message.objects.filter(application=application, contact__isnull=True).exists()
