"""Edits of contacts, companies and applications re-plan after they commit (review R2c 3 and 4)."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from interviews import services
from interviews.models import Application, Company, Contact
from messaging import drafting
from messaging.models import Message
from tests.interviews.test_contact_changes import LATER, details_of, pending_to
from tests.messaging.test_rules import planned

Status = Message.Status


class ReplanFailed(Exception):
    pass


@pytest.fixture
def failing_replan(monkeypatch):
    """replan_for raises, as a re-plan that hits an error would."""

    def fail(**kwargs):
        raise ReplanFailed

    monkeypatch.setattr(drafting, "replan_for", fail)


@pytest.fixture
def replan_calls(monkeypatch):
    """Each replan_for call, with whether a transaction was still open when it started."""
    calls = []
    real = drafting.replan_for

    def record(**kwargs):
        calls.append(connection.in_atomic_block)
        return real(**kwargs)

    monkeypatch.setattr(drafting, "replan_for", record)
    return calls


@pytest.mark.django_db
def test_a_failing_re_plan_does_not_roll_back_a_contact_s_new_details(user, failing_replan):
    _application, people = planned(user)
    dana = people["dana"]

    with time_machine.travel(LATER, tick=False), pytest.raises(ReplanFailed):
        services.contact_update(
            contact=dana, user=user, details=details_of(dana, email="dana.w@northwind.example")
        )

    assert Contact.objects.get(pk=dana.pk).email == "dana.w@northwind.example"


@pytest.mark.django_db
def test_a_failing_re_plan_does_not_undo_a_contact_delete_or_its_cancellations(
    user, failing_replan
):
    _application, people = planned(user)
    dana = people["dana"]
    thank_you = pending_to(dana)

    with time_machine.travel(LATER, tick=False), pytest.raises(ReplanFailed):
        services.contact_delete(contact=dana, user=user)

    assert not Contact.objects.filter(pk=dana.pk).exists()
    thank_you.refresh_from_db()
    assert thank_you.status == Status.CANCELLED


@pytest.mark.django_db
def test_a_failing_re_plan_does_not_roll_back_a_company_rename(user, failing_replan):
    application, _people = planned(user)

    with time_machine.travel(LATER, tick=False), pytest.raises(ReplanFailed):
        services.company_rename(company=application.company, user=user, name="Northwind AI")

    assert Company.objects.get(pk=application.company_id).name == "Northwind AI"


@pytest.mark.django_db
def test_a_failing_re_plan_does_not_roll_back_an_application_edit(user, failing_replan):
    application, _people = planned(user)

    with time_machine.travel(LATER, tick=False), pytest.raises(ReplanFailed):
        services.application_update(
            application=application,
            user=user,
            company_name=application.company.name,
            role="Staff Data Engineer",
            stage=application.stage,
            main_contact=application.main_contact,
        )

    assert Application.objects.get(pk=application.pk).role == "Staff Data Engineer"


# transaction=True: no test transaction around the services, so "no atomic block open" means
# the edit has really committed when the re-plan starts.
@pytest.mark.django_db(transaction=True)
def test_every_re_plan_starts_after_the_edit_has_committed(user, replan_calls):
    application, people = planned(user)
    with time_machine.travel(LATER, tick=False):
        services.contact_update(
            contact=people["dana"],
            user=user,
            details=details_of(people["dana"], email="dana.w@northwind.example"),
        )
        services.company_rename(company=application.company, user=user, name="Northwind AI")
        services.application_update(
            application=application,
            user=user,
            company_name="Northwind AI",
            role="Staff Data Engineer",
            stage=application.stage,
            main_contact=application.main_contact,
        )
        services.contact_delete(contact=people["richardson"], user=user)

    assert replan_calls == [False, False, False, False]
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
        services.contact_delete(contact=people["dana"], user=user)

    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    first_message_lock = next(i for i, sql in enumerate(locks) if '"messaging_message"' in sql)
    assert any('FROM "interviews_application"' in sql for sql in locks[:first_message_lock])
    assert Message.objects.filter(application=application, contact__isnull=True).exists()
