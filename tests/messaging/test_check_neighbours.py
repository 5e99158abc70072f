"""The checks compare a draft with a bounded set of others, however long the history.

The near-duplicate check reads the pending messages at the same company due nearest the draft
(check_facts.NEAR_DUPLICATE_NEIGHBOURS on each side, found among the user's
check_facts.NEIGHBOURHOOD nearest), and the same-recipient check the emails to the same
address within its window: the same facts approval judges by, in one query for any number.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from messaging import check_facts, queue_selectors
from messaging.models import Message
from tests.builders.history import history_body
from tests.builders.messages import draft, panel
from tests.services import require_postgres

pytestmark = pytest.mark.django_db

COPY = "Hi,\n\nThank you for the interview about the data role today. It was great.\n\nAlex"


def drafts_at_one_company(user, count: int) -> list[Message]:
    """`count` drafts to the company's three people, an hour apart, texts all different."""
    application, _ = panel(user)
    contacts = list(application.company.contacts.order_by("pk"))
    now = timezone.now()
    rows = [
        draft(
            application,
            contact=contacts[i % 3],
            interview=None,
            stage=Message.Stage.NO_NEWS_REPLY,
            due_at=now + dt.timedelta(hours=i + 1),
            body_text=history_body(i).replace("Hi ", f"Hi {i} "),
            save=False,
        )
        for i in range(count)
    ]
    return Message.objects.bulk_create(rows)


def near_duplicate(user, message: Message) -> bool:
    item = queue_selectors.queue_item(user=user, message=message)
    return "near_duplicate" in [f.code for f in item.findings]


def test_a_copy_due_next_to_it_is_found_among_many_drafts_at_the_company(user):
    rows = drafts_at_one_company(user, 80)
    Message.objects.filter(pk__in=[rows[40].pk, rows[42].pk]).update(body_text=COPY)
    rows[40].refresh_from_db()

    assert near_duplicate(user, rows[40])


def test_a_copy_due_far_away_is_not_compared(user):
    """Weeks of other drafts between them: not what the company sees side by side."""
    rows = drafts_at_one_company(user, 80)
    Message.objects.filter(pk__in=[rows[0].pk, rows[79].pk]).update(body_text=COPY)
    rows[0].refresh_from_db()

    facts = check_facts.draft_facts_many(user=user, messages=[rows[0]])[rows[0].pk]

    assert not near_duplicate(user, rows[0])
    assert len(facts.sibling_bodies) == check_facts.NEAR_DUPLICATE_NEIGHBOURS


def test_each_draft_reads_at_most_its_neighbours_whatever_the_company_holds(user):
    rows = drafts_at_one_company(user, 120)

    facts = check_facts.draft_facts_many(user=user, messages=rows[50:65])

    sizes = {len(f.sibling_bodies) for f in facts.values()}
    assert sizes == {2 * check_facts.NEAR_DUPLICATE_NEIGHBOURS}
    # Never its own text, nor a text to its own address.
    for message in rows[50:65]:
        own_address = {m.body_text for m in rows if m.to_email == message.to_email}
        assert not own_address & set(facts[message.pk].sibling_bodies)


def test_the_same_recipient_warning_still_sees_a_busy_persons_next_email(user):
    rows = drafts_at_one_company(user, 60)
    # Three people in turn, an hour apart: the same person's next email is three hours on.

    facts = check_facts.draft_facts_many(user=user, messages=[rows[30]])[rows[30].pk]

    hours = sorted(
        round((at - rows[30].due_at).total_seconds() / 3600) for at in facts.same_recipient_due
    )
    # Within 12 hours, not at 12 exactly.
    assert hours == [-9, -6, -3, 3, 6, 9]


def test_the_embedded_databases_reading_finds_the_same_neighbours_as_postgresqls(user):
    """check_facts reads neighbours in one PostgreSQL statement, and on any other database
    (the embedded SQLite) from one read of the user's queue: both must agree."""
    require_postgres()
    rows = drafts_at_one_company(user, 90)
    application = rows[0].application
    other_company, _ = panel(user, company_name="Globex")
    for n in range(5):  # another company's drafts, and some to the same person within hours
        draft(
            other_company,
            interview=None,
            stage=Message.Stage.NO_NEWS_REPLY,
            due_at=rows[10].due_at + dt.timedelta(minutes=n),
        )
    draft(
        application,
        contact=rows[10].contact,
        interview=None,
        stage=Message.Stage.NO_NEWS_REPLY,
        due_at=rows[10].due_at + dt.timedelta(hours=2),
    )
    dated = list(
        Message.objects.filter(
            pk__in=[rows[0].pk, rows[10].pk, rows[45].pk, rows[89].pk]
        ).select_related("application")
    )

    sql = check_facts._neighbour_rows_sql(user=user, dated=dated)
    portable = check_facts._neighbour_rows_portable(user=user, dated=dated)

    assert sorted(sql, key=repr) == sorted(portable, key=repr)
    assert any(not sibling for _, _, _, sibling, _ in sql)  # the same-person case is covered
