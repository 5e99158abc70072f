"""Your data is yours: the export holds all of a user's rows, deletion leaves none behind."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Q
from django.utils import timezone

from followup.accounts.models import DictionaryWord, Profile, User
from interviews.models import (
    Application,
    Company,
    Contact,
    Interview,
    InterviewParticipant,
    Task,
    TimelineEvent,
)
from messaging import calendar_feed
from messaging.account_data import (
    account_delete,
    account_export,
    contacts_vcard,
    vcard_escape,
)
from messaging.models import (
    BouncedAddress,
    CalendarFeed,
    EmailEvent,
    InboundEmail,
    Message,
    OutboxEmail,
    Reply,
    ReplyAddress,
)
from tests.builders.accounts import make_user
from tests.builders.interviews import make_company, make_contact
from tests.builders.scenario import planned

pytestmark = pytest.mark.django_db

EVERYTHING = (
    Profile,
    DictionaryWord,
    Company,
    Contact,
    Application,
    Interview,
    InterviewParticipant,
    TimelineEvent,
    Message,
    Reply,
    BouncedAddress,
    EmailEvent,
    OutboxEmail,
    CalendarFeed,
    Task,
    InboundEmail,
    ReplyAddress,
)


def one_of_everything(user: User, tag: str) -> Application:
    application, people = planned(user)
    now = timezone.now()
    Reply.objects.create(
        user=user,
        application=application,
        contact=people["recruiter"],
        kind=Reply.Kind.REPLY,
        received_at=now,
        detail=f"Thanks {tag}",
    )
    BouncedAddress.objects.create(user=user, email=f"gone@{tag}.example", bounced_at=now)
    DictionaryWord.objects.create(user=user, word=tag)
    OutboxEmail.objects.create(user=user, from_email=user.email, to=f"c@{tag}.example")
    calendar_feed.feed_token(user=user)
    EmailEvent.objects.create(
        user=user,
        event_id=f"evt-{tag}",
        event_type="delivered",
        message=Message.objects.filter(user=user).first(),
        payload={"to": f"c@{tag}.example"},
    )
    inbound = EmailEvent.objects.create(
        user=user, event_id=f"in-{tag}", event_type="inbound", payload={"raw": tag}
    )
    InboundEmail.objects.create(
        event=inbound,
        user=user,
        state=InboundEmail.State.UNMATCHED,
        sender=f"someone@{tag}.example",
        subject=f"Hello {tag}",
        received_at=now,
    )
    Task.objects.create(user=user, application=application, title=f"Call {tag}", due_on=now.date())
    ReplyAddress.objects.create(application=application, token=f"token{tag}")
    return application


def _user_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is User
    ]


def owned_rows(user: User) -> dict[type[models.Model], set[int]]:
    """The pks of every row of every model that belongs to the user.

    A row belongs to them if a field of it points to the user, or if it cannot exist without
    a row that belongs to them (a non-null foreign key to it), found generically.
    """
    every_model = apps.get_models()
    owned: dict[type[models.Model], set[int]] = {User: {user.pk}}
    for model in every_model:
        fields = _user_fields(model)
        if fields:
            query = Q()
            for field in fields:
                query |= Q(**{field.attname: user.pk})
            owned.setdefault(model, set()).update(
                model._base_manager.filter(query).values_list("pk", flat=True)
            )
    changed = True
    while changed:
        changed = False
        for model in every_model:
            for field in model._meta.concrete_fields:
                if not field.is_relation or field.null or field.related_model not in owned:
                    continue
                pks = set(
                    model._base_manager.filter(
                        **{f"{field.attname}__in": owned[field.related_model]}
                    ).values_list("pk", flat=True)
                )
                if pks - owned.get(model, set()):
                    owned.setdefault(model, set()).update(pks)
                    changed = True
    return owned


def test_deleting_an_account_leaves_no_row_of_it_in_any_table():
    first = make_user("alex@example.com")
    second = make_user("sam@example.org", full_name="Sam Other")
    one_of_everything(first, "first")
    one_of_everything(second, "second")
    first_rows = owned_rows(first)
    second_rows = owned_rows(second)
    for model in EVERYTHING:  # the data set really has one of everything
        assert first_rows.get(model), model
        assert second_rows.get(model), model

    account_delete(user=first)

    for model in apps.get_models():
        for field in _user_fields(model):
            assert not model._base_manager.filter(**{field.attname: first.pk}).exists(), (
                f"{model.__name__}.{field.name} still holds rows of the deleted user"
            )
        for field in model._meta.concrete_fields:  # nothing points to a deleted row
            if field.is_relation and field.related_model in first_rows:
                dangling = model._base_manager.filter(
                    **{f"{field.attname}__in": first_rows[field.related_model]}
                )
                assert not dangling.exists(), f"{model.__name__}.{field.name}"
    for model, pks in first_rows.items():
        assert not model._base_manager.filter(pk__in=pks).exists(), model.__name__
    assert owned_rows(second) == second_rows


def test_deleting_an_account_without_applications_works_too():
    lonely = make_user("lonely@example.com")
    make_contact(make_company(lonely, "Acme Corp"), "Dana Richardson")

    account_delete(user=lonely)

    assert not User.objects.filter(pk=lonely.pk).exists()
    assert not Company.objects.exists()


def test_the_export_holds_the_users_data_and_survives_a_json_round_trip():
    user = make_user("alex@example.com")
    application = one_of_everything(user, "first")
    other = make_user("sam@example.org", full_name="Sam Other")
    one_of_everything(other, "zephyr")

    document = json.loads(json.dumps(account_export(user=user)))

    assert document["account"]["email"] == "alex@example.com"
    assert "password" not in json.dumps(document["account"])
    assert document["profile"]["full_name"] == "Alex Morgan"
    assert document["profile"]["send_window_start"] == "08:00:00"
    assert [c["name"] for c in document["companies"]] == ["Northwind Labs"]
    assert {c["name"] for c in document["contacts"]} == {
        "Jordan Lee",
        "Dana Whitfield",
        "Maria Richardson",
    }
    assert [a["role"] for a in document["applications"]] == [application.role]
    (interview,) = document["interviews"]
    stored = application.interviews.get()
    assert dt.datetime.fromisoformat(interview["starts_at"]) == stored.starts_at
    assert [p["discussed"] for p in interview["participants"]] == [
        "the migration of the billing pipeline to streaming",
        "how the analytics team measures data quality.",
    ]
    assert {(m["id"], m["status"], m["body_text"]) for m in document["messages"]} == set(
        Message.objects.filter(user=user).values_list("id", "status", "body_text")
    )
    assert all(m["body_text"] for m in document["messages"])
    assert [r["detail"] for r in document["replies"]] == ["Thanks first"]
    assert len(document["timeline"]) == TimelineEvent.objects.filter(user=user).count() > 0
    assert [b["email"] for b in document["bounced_addresses"]] == ["gone@first.example"]
    assert [o["to"] for o in document["outbox_emails"]] == ["c@first.example"]
    assert [w["word"] for w in document["dictionary_words"]] == ["first"]
    assert [t["title"] for t in document["tasks"]] == ["Call first"]
    assert document["mailbox"] == []  # no own mailbox set up; see tests/messaging/mailbox
    assert [i["subject"] for i in document["inbound_emails"]] == ["Hello first"]
    text = json.dumps(document)
    assert "sam@example.org" not in text
    assert "zephyr" not in text
    assert "Sam Other" not in text


def test_vcard_escaping_follows_rfc_2426():
    assert vcard_escape("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


def test_the_vcard_has_one_escaped_card_per_contact_of_the_user_only():
    user = make_user("alex@example.com")
    company = make_company(user, "Acme, Inc; East")
    make_contact(
        company,
        "Dana Richardson",
        honorific="Dr.",
        title="Head of Data; Platform, EMEA",
        phone="+1 555 0199",
        linkedin_url="https://www.linkedin.com/in/dana",
    )
    other = make_user("sam@example.org")
    make_contact(make_company(other, "Other Co"), "Someone Else")

    card = contacts_vcard(user=user)

    assert card.count("BEGIN:VCARD\r\n") == 1
    lines = card.split("\r\n")
    assert lines[:3] == ["BEGIN:VCARD", "VERSION:3.0", "FN:Dana Richardson"]
    assert "N:Richardson;Dana;;Dr.;" in lines
    assert "ORG:Acme\\, Inc\\; East" in lines
    assert "TITLE:Head of Data\\; Platform\\, EMEA" in lines
    assert "EMAIL;TYPE=INTERNET:dana@acme,.example".replace(",", "\\,") in lines
    assert "TEL;TYPE=WORK,VOICE:+1 555 0199" in lines
    assert card.endswith("END:VCARD\r\n")
    assert "Someone Else" not in card


def test_long_vcard_lines_are_folded_at_75_octets():
    user = make_user("alex@example.com")
    make_contact(make_company(user), "Dana Richardson", title="é" * 100)

    card = contacts_vcard(user=user)

    assert all(len(line.encode()) <= 75 for line in card.split("\r\n"))
    unfolded = card.replace("\r\n ", "")
    assert "TITLE:" + "é" * 100 in unfolded.split("\r\n")
