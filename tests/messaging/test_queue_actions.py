"""Queue actions: with htmx and without JavaScript, for the owner only, CSRF-guarded."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from followup.rules.calendar import SenderCalendar
from interviews.models import TimelineEvent
from messaging.dispatch.sending import INTERRUPTED_REASON
from messaging.models import Message
from messaging.services.approval import message_approve
from messaging.services.editing import message_retry, message_snooze
from messaging.services.refusals import ActionRefused
from tests.builders.clock import CALENDAR, NEW_YORK, business_days_after, local
from tests.builders.forms import HTMX, edit_data
from tests.builders.messages import CLEAN_BODY, draft, eager_celery, panel, pestering_draft
from tests.builders.queries import check_ins, mark_sent, messages
from tests.builders.scenario import THANK_YOU_DUE, planned

QUEUE = reverse("messaging:queue")
Status = Message.Status
Kind = TimelineEvent.Kind

# Every per-message action: (url name, method, POST data).
ACTIONS = [
    ("messaging:queue_card", "get", {}),
    ("messaging:queue_edit", "get", {}),
    (
        "messaging:queue_edit",
        "post",
        {"to_email": "x@example.com", "subject": "s", "body_text": "b"},
    ),
    ("messaging:queue_check", "post", {"body_text": "hi"}),
    ("messaging:queue_approve", "post", {}),
    ("messaging:queue_unapprove", "post", {}),
    ("messaging:queue_skip", "post", {"reason": "no"}),
    ("messaging:queue_send_now", "post", {}),
    ("messaging:queue_snooze", "post", {"preset": "tomorrow"}),
    ("messaging:queue_retry", "get", {}),
    (
        "messaging:queue_retry",
        "post",
        {"to_email": "x@example.com", "subject": "s", "body_text": "b"},
    ),
]
POST_URLS = [
    *sorted({name for name, method, _ in ACTIONS if method == "post"}),
    "messaging:queue_approve_all",
]


@pytest.fixture
def application(user):
    return panel(user)[0]


@pytest.fixture
def message(application):
    return draft(application)


@pytest.fixture
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    mail.outbox = []
    return mail.outbox


def message_events(message: Message, kind: str) -> list[TimelineEvent]:
    return list(TimelineEvent.objects.filter(message=message, kind=kind))


def trigger_count(response) -> int:
    return json.loads(response["HX-Trigger"])["queueChanged"]["count"]


def url(name: str, message: Message) -> str:
    return reverse(name, args=[message.pk])


# -- ownership and CSRF ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "method", "data"), ACTIONS)
def test_another_users_message_is_a_404_for_every_action(
    outsider_client, message, name, method, data
):
    for status in (Status.DRAFT, Status.APPROVED, Status.FAILED):
        Message.objects.filter(pk=message.pk).update(status=status)
        response = getattr(outsider_client, method)(url(name, message), data)

        assert response.status_code == 404
    message.refresh_from_db()
    assert message.to_email != "x@example.com"
    assert not TimelineEvent.objects.filter(message=message).exists()


@pytest.mark.parametrize("name", POST_URLS)
def test_every_action_refuses_a_post_without_a_csrf_token(user, message, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    target = reverse(name) if name.endswith("approve_all") else url(name, message)

    response = client.post(target, {"ids": [message.pk], "confirmed": "on", "preset": "tomorrow"})

    assert response.status_code == 403
    message.refresh_from_db()
    assert message.status == Status.DRAFT
    assert message.approved_at is None


def test_an_action_with_the_csrf_token_goes_through(user, message):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    token = client.get(QUEUE).cookies["csrftoken"].value

    response = client.post(url("messaging:queue_approve", message), HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == Status.APPROVED


def test_actions_need_a_signed_in_user(client, message):
    response = client.post(url("messaging:queue_approve", message))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    message.refresh_from_db()
    assert message.status == Status.DRAFT


# -- approve --------------------------------------------------------------------------------------


def test_approving_without_javascript_redirects_back_to_the_queue(owner_client, message):
    response = owner_client.post(
        url("messaging:queue_approve", message), {"next": QUEUE + "?page=1"}
    )

    assert response.status_code == 302
    assert response["Location"] == QUEUE + "?page=1"
    message.refresh_from_db()
    assert message.status == Status.APPROVED
    assert message.approved_at is not None
    flash = [str(m) for m in owner_client.get(QUEUE).context["messages"]]
    assert any("Approved" in text for text in flash)


def test_a_foreign_next_url_is_ignored(owner_client, message):
    response = owner_client.post(
        url("messaging:queue_approve", message), {"next": "https://evil.example/"}
    )

    assert response["Location"] == QUEUE


def test_approving_with_htmx_swaps_the_card_and_updates_the_badge(
    owner_client, application, message
):
    draft(application, contact=application.main_contact, stage=Message.Stage.CHECK_IN)

    response = owner_client.post(url("messaging:queue_approve", message), **HTMX)

    assert response.status_code == 200
    assert f'id="draft-{message.pk}"' in response.text
    assert "data-done" in response.text
    assert "Undo" in response.text
    assert "<html" not in response.text
    assert trigger_count(response) == 1
    message.refresh_from_db()
    assert message.status == Status.APPROVED


def test_approval_is_blocked_by_an_error(owner_client, application):
    message = draft(application, body_text=CLEAN_BODY.replace("Hi Dana", "Hi [Name]"))

    htmx = owner_client.post(url("messaging:queue_approve", message), **HTMX)
    plain = owner_client.post(url("messaging:queue_approve", message))

    assert htmx.status_code == 200
    assert "Not approved yet" in htmx.text
    assert 'class="alert alert-danger' in htmx.text
    assert "data-done" not in htmx.text
    assert plain.status_code == 302
    message.refresh_from_db()
    assert message.status == Status.DRAFT
    assert message.approved_at is None
    assert not message_events(message, Kind.APPROVED)


def test_pestering_blocks_approval_unless_overridden_and_the_override_is_recorded(
    user, owner_client
):
    message = pestering_draft(user)

    refused = owner_client.post(url("messaging:queue_approve", message), **HTMX)
    message.refresh_from_db()
    assert message.status == Status.DRAFT
    assert "override" in refused.text.lower()

    owner_client.post(url("messaging:queue_approve", message), {"override_pestering": "on"}, **HTMX)

    message.refresh_from_db()
    assert message.status == Status.APPROVED
    assert message.pestering_override_at is not None
    notes = message_events(message, Kind.NOTE)
    assert len(notes) == 1
    assert "despite the pestering check" in notes[0].summary


def test_undo_puts_an_approved_card_back_in_the_queue(owner_client, message):
    owner_client.post(url("messaging:queue_approve", message), **HTMX)

    response = owner_client.post(
        url("messaging:queue_unapprove", message), {"back": "card"}, **HTMX
    )

    assert response.status_code == 200
    assert 'data-action="approve"' in response.text
    assert trigger_count(response) == 1
    message.refresh_from_db()
    assert message.status == Status.DRAFT
    assert message.approved_at is None


def test_unapproving_on_the_scheduled_tab_removes_the_row(owner_client, message):
    owner_client.post(url("messaging:queue_approve", message))

    response = owner_client.post(url("messaging:queue_unapprove", message), **HTMX)

    assert response.status_code == 200
    assert response.text == ""
    assert trigger_count(response) == 1
    message.refresh_from_db()
    assert message.status == Status.DRAFT


# -- skip -----------------------------------------------------------------------------------------


def test_skipping_keeps_the_reason_on_the_timeline(owner_client, message):
    response = owner_client.post(
        url("messaging:queue_skip", message), {"reason": "Already thanked her in person"}
    )

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == Status.SKIPPED
    skipped = message_events(message, Kind.SKIPPED)
    assert [e.detail for e in skipped] == ["Already thanked her in person"]


def test_skipping_with_htmx_leaves_a_note_in_place(owner_client, message):
    response = owner_client.post(
        url("messaging:queue_skip", message), {"reason": "Not needed"}, **HTMX
    )

    assert "Skipped: Not needed" in response.text
    assert trigger_count(response) == 0


def test_acting_on_a_message_sent_meanwhile_says_so_without_offering_actions(owner_client, message):
    Message.objects.filter(pk=message.pk).update(status=Status.SENT, sent_at=timezone.now())

    response = owner_client.post(url("messaging:queue_skip", message), {"reason": "late"}, **HTMX)

    assert response.status_code == 200
    assert "data-done" in response.text
    assert "can no longer be skipped" in response.text
    assert 'data-action="approve"' not in response.text
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_a_too_long_skip_reason_is_an_error_not_a_crash(owner_client, message):
    response = owner_client.post(
        url("messaging:queue_skip", message), {"reason": "x" * 400}, **HTMX
    )

    assert response.status_code == 200
    assert "alert-danger" in response.text
    message.refresh_from_db()
    assert message.status == Status.DRAFT


# -- snooze ---------------------------------------------------------------------------------------

# Wednesday 5 March 2025, 15:00 in New York.
WEDNESDAY = dt.datetime(2025, 3, 5, 15, 0, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("tomorrow", dt.datetime(2025, 3, 6, 8, 0, tzinfo=NEW_YORK)),
        ("next_monday", dt.datetime(2025, 3, 10, 8, 0, tzinfo=NEW_YORK)),
    ],
)
def test_snoozing_to_a_preset_moves_the_due_time(owner_client, application, preset, expected):
    with time_machine.travel(WEDNESDAY, tick=False):
        message = draft(application)
        response = owner_client.post(url("messaging:queue_snooze", message), {"preset": preset})

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.due_at == expected
    assert message.status == Status.DRAFT
    assert message.time_set_by_user is True
    assert message.edited_by_user is False  # only its time was chosen: the text still follows
    assert "snoozed" in message_events(message, Kind.NOTE)[0].summary


def test_snoozing_to_a_chosen_time_reads_it_on_the_users_clock(owner_client, application):
    with time_machine.travel(WEDNESDAY, tick=False):
        message = draft(application)
        response = owner_client.post(
            url("messaging:queue_snooze", message), {"until": "2025-03-12T09:30"}, **HTMX
        )

    assert "Snoozed until Wed 12 Mar 09:30" in response.text
    message.refresh_from_db()
    assert message.due_at == dt.datetime(2025, 3, 12, 9, 30, tzinfo=NEW_YORK)


def test_snoozing_into_the_past_is_refused(owner_client, application):
    with time_machine.travel(WEDNESDAY, tick=False):
        message = draft(application)
        before = message.due_at
        response = owner_client.post(
            url("messaging:queue_snooze", message), {"until": "2025-03-01T09:30"}, **HTMX
        )

    assert "Pick a time from now on" in response.text
    message.refresh_from_db()
    assert message.due_at == before


def test_snoozing_without_a_time_is_refused(owner_client, message):
    response = owner_client.post(url("messaging:queue_snooze", message), {"until": "not a date"})

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.edited_by_user is False


# -- send now -------------------------------------------------------------------------------------


def test_send_now_approves_enqueues_after_commit_and_sends(
    owner_client, message, locmem, django_capture_on_commit_callbacks
):
    due_later = message.due_at
    with eager_celery(), django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = owner_client.post(url("messaging:queue_send_now", message), **HTMX)

    assert response.status_code == 200
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.approved_at is not None
    assert message.due_at < due_later
    assert len(locmem) == 1
    assert locmem[0].to == [f"{message.to_name} <{message.to_email}>"]
    assert locmem[0].subject == message.subject


def test_send_now_does_not_send_before_the_transaction_commits(
    owner_client, message, locmem, django_capture_on_commit_callbacks
):
    with eager_celery(), django_capture_on_commit_callbacks(execute=False) as callbacks:
        owner_client.post(url("messaging:queue_send_now", message))

    message.refresh_from_db()
    assert message.status == Status.SENDING
    assert locmem == []
    assert len(callbacks) == 1


def test_send_now_refuses_a_draft_with_errors(
    owner_client, application, locmem, django_capture_on_commit_callbacks
):
    message = draft(application, subject="")
    with eager_celery(), django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = owner_client.post(url("messaging:queue_send_now", message))

    assert response.status_code == 302
    assert callbacks == []
    assert locmem == []
    message.refresh_from_db()
    assert message.status == Status.DRAFT


# -- edit and live check --------------------------------------------------------------------------


def test_edit_with_htmx_returns_the_inline_form(owner_client, message):
    response = owner_client.get(url("messaging:queue_edit", message), **HTMX)

    assert response.status_code == 200
    assert "data-editing" in response.text
    assert 'hx-trigger="keyup changed delay:500ms, change"' in response.text
    assert reverse("messaging:queue_check", args=[message.pk]) in response.text
    assert "<html" not in response.text


def test_edit_without_javascript_is_a_page_of_its_own(owner_client, message):
    response = owner_client.get(url("messaging:queue_edit", message), {"next": QUEUE})

    assert response.status_code == 200
    assert "<html" in response.text
    assert 'name="body_text"' in response.text


def test_saving_an_edit_with_htmx_returns_the_card_rechecked(owner_client, message):
    data = edit_data(message, subject="Thanks from Alex", to_email="dana@northwind.example")

    response = owner_client.post(url("messaging:queue_edit", message), data, **HTMX)

    assert response.status_code == 200
    assert "Saved." in response.text
    assert 'data-action="approve"' in response.text
    message.refresh_from_db()
    assert message.subject == "Thanks from Alex"
    assert message.to_email == "dana@northwind.example"
    assert message.edited_by_user is True
    assert message_events(message, Kind.EDITED)


def test_saving_an_edit_without_javascript_redirects_to_the_queue(owner_client, message):
    response = owner_client.post(
        url("messaging:queue_edit", message), edit_data(message, subject="New")
    )

    assert response.status_code == 302
    assert response["Location"] == QUEUE
    message.refresh_from_db()
    assert message.subject == "New"


def test_an_invalid_edit_shows_field_errors_and_saves_nothing(owner_client, message):
    data = edit_data(message, to_email="not an address", due_at="2020-01-01T08:00")

    response = owner_client.post(url("messaging:queue_edit", message), data, **HTMX)

    assert response.status_code == 200
    assert "data-editing" in response.text
    assert "Enter a valid email address" in response.text
    assert "Pick a time from now on" in response.text
    message.refresh_from_db()
    assert message.edited_by_user is False


def test_the_live_check_returns_findings_for_the_text_being_typed(owner_client, message):
    body = CLEAN_BODY.replace("I look forward", "This is my dream job. I look forward")

    response = owner_client.post(
        url("messaging:queue_check", message), edit_data(message, body_text=body), **HTMX
    )

    assert response.status_code == 200
    assert 'data-severity="warning"' in response.text
    assert '<mark class="check-warning">dream job</mark>' in response.text
    message.refresh_from_db()
    assert message.body_text == CLEAN_BODY


def test_the_live_check_flags_an_emptied_subject_as_an_error(owner_client, message):
    response = owner_client.post(
        url("messaging:queue_check", message), edit_data(message, subject="")
    )

    assert 'data-severity="error"' in response.text
    assert "subject" in response.text


# -- approve all ----------------------------------------------------------------------------------


def test_approve_all_first_asks_with_the_count_of_ready_drafts(owner_client, application):
    people = application.main_contact, application.interviews.first().participants.last().contact
    ready = [draft(application), draft(application, contact=people[1])]
    blocked = draft(application, contact=people[0], stage=Message.Stage.CHECK_IN, subject="")

    response = owner_client.post(
        reverse("messaging:queue_approve_all"), {"ids": [m.pk for m in [*ready, blocked]]}
    )

    assert response.status_code == 200
    assert "Approve 2 drafts?" in response.text
    assert "1 other shown draft stays" in response.text
    assert Message.objects.filter(status=Status.APPROVED).count() == 0


def test_approve_all_approves_only_the_users_own_ready_drafts(
    user, outsider, owner_client, application
):
    people = application.main_contact, application.interviews.first().participants.last().contact
    ready = [draft(application), draft(application, contact=people[1])]
    blocked = draft(application, contact=people[0], stage=Message.Stage.CHECK_IN, subject="")
    not_shown = draft(application, contact=people[0], stage=Message.Stage.WITHDRAWAL)
    theirs = draft(panel(outsider, company_name="Globex")[0])
    forged = [m.pk for m in [*ready, blocked]] + [theirs.pk, "999999", "junk", "9" * 40]

    response = owner_client.post(
        reverse("messaging:queue_approve_all"), {"ids": forged, "confirmed": "on", "next": QUEUE}
    )

    assert response.status_code == 302
    assert response["Location"] == QUEUE
    statuses = dict(Message.objects.values_list("pk", "status"))
    assert [statuses[m.pk] for m in ready] == [Status.APPROVED, Status.APPROVED]
    assert statuses[blocked.pk] == Status.DRAFT
    assert statuses[not_shown.pk] == Status.DRAFT
    assert statuses[theirs.pk] == Status.DRAFT
    assert not TimelineEvent.objects.filter(message=theirs).exists()
    flash = [str(m) for m in owner_client.get(QUEUE).context["messages"]]
    assert "Approved 2 messages." in flash
    assert any("1 left waiting" in text for text in flash)


def test_approve_all_with_only_forged_ids_approves_nothing(outsider, owner_client):
    theirs = draft(panel(outsider, company_name="Globex")[0])

    confirm = owner_client.post(reverse("messaging:queue_approve_all"), {"ids": [theirs.pk]})
    owner_client.post(
        reverse("messaging:queue_approve_all"), {"ids": [theirs.pk], "confirmed": "on"}
    )

    assert "Nothing to approve" in confirm.text
    theirs.refresh_from_db()
    assert theirs.status == Status.DRAFT


# -- failed: fix and retry ------------------------------------------------------------------------


def failed(message: Message) -> Message:
    Message.objects.filter(pk=message.pk).update(
        status=Status.FAILED, status_reason="Invalid 'To' address", approved_at=timezone.now()
    )
    message.refresh_from_db()
    return message


def test_fix_and_retry_puts_a_failed_message_back_to_approved_due_now(owner_client, message):
    failed(message)
    page = owner_client.get(url("messaging:queue_retry", message))
    assert "Invalid &#x27;To&#x27; address" in page.text

    response = owner_client.post(
        url("messaging:queue_retry", message),
        {"to_email": "dana@northwind.example", "subject": message.subject, "body_text": CLEAN_BODY},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("messaging:queue_scheduled")
    message.refresh_from_db()
    assert message.status == Status.APPROVED
    assert message.to_email == "dana@northwind.example"
    assert abs((message.due_at - timezone.now()).total_seconds()) < 60
    assert message.status_reason == ""
    assert message_events(message, Kind.APPROVED)


def test_a_retry_the_checks_refuse_stays_failed(owner_client, message):
    failed(message)

    response = owner_client.post(
        url("messaging:queue_retry", message),
        {"to_email": message.to_email, "subject": message.subject, "body_text": "Hi [Name]"},
    )

    assert response.status_code == 200
    assert "Not approved yet" in response.text
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.body_text == CLEAN_BODY
    assert message.status_reason == "Invalid 'To' address"


def test_an_interrupted_send_is_retried_only_after_the_user_confirms_it_did_not_arrive(
    owner_client, message
):
    Message.objects.filter(pk=message.pk).update(
        status=Status.FAILED,
        status_reason=INTERRUPTED_REASON,
        outcome_unknown=True,
        approved_at=timezone.now(),
        send_started_at=timezone.now(),
    )
    page = owner_client.get(url("messaging:queue_retry", message))
    assert "I checked: it did not arrive" in page.text
    fields = {"to_email": message.to_email, "subject": message.subject, "body_text": CLEAN_BODY}

    refused = owner_client.post(url("messaging:queue_retry", message), fields)

    assert refused.status_code == 200
    assert "so they do not get it twice" in refused.text
    message.refresh_from_db()
    assert message.status == Status.FAILED

    confirmed = owner_client.post(
        url("messaging:queue_retry", message), fields | {"confirmed_not_delivered": "on"}
    )

    assert confirmed.status_code == 302
    message.refresh_from_db()
    assert message.status == Status.APPROVED
    assert not message.outcome_unknown


def test_the_retry_service_refuses_an_interrupted_send_without_the_confirmation(message, user):
    Message.objects.filter(pk=message.pk).update(
        status=Status.FAILED, status_reason=INTERRUPTED_REASON, outcome_unknown=True
    )

    with pytest.raises(ActionRefused, match="may have arrived"):
        message_retry(
            message=message,
            user=user,
            to_email=message.to_email,
            subject=message.subject,
            body_text=CLEAN_BODY,
        )

    message.refresh_from_db()
    assert message.status == Status.FAILED


def test_retrying_a_failed_thank_you_moves_the_check_ins_after_the_retried_send(user):
    application, _people = planned(user)
    dana, richardson = sorted(
        messages(application, Message.Stage.THANK_YOU), key=lambda m: "Dana" not in m.to_name
    )
    mark_sent(richardson, THANK_YOU_DUE)
    failed(dana)
    retried_at = local(2025, 3, 17, 8)  # Monday: the check-in planned for Tue 18 must move

    with time_machine.travel(retried_at, tick=False):
        message_retry(
            message=dana,
            user=user,
            to_email=dana.to_email,
            subject=dana.subject,
            body_text=dana.body_text,
            now=retried_at,
        )

    dana.refresh_from_db()
    assert (dana.status, dana.due_at) == (Status.APPROVED, retried_at)
    first = check_ins(application)[0]
    assert first.due_at == local(2025, 3, 19, 8)
    assert business_days_after(CALENDAR.local_date(retried_at), first.due_at) == 2


def test_a_refused_send_needs_no_confirmation(owner_client, message):
    failed(message)
    page = owner_client.get(url("messaging:queue_retry", message))
    assert "I checked: it did not arrive" not in page.text


def test_only_a_failed_message_can_be_retried(owner_client, message):
    response = owner_client.get(url("messaging:queue_retry", message))

    assert response.status_code == 302
    assert response["Location"] == reverse("messaging:queue_failed")


# -- one wall-clock reading for every form --------------------------------------------------------


def test_both_time_fields_refuse_a_time_the_clocks_skip_with_the_same_error(message):
    from messaging import selectors
    from messaging.forms import MessageEditForm
    from messaging.queue_forms import SnoozeForm

    calendar, _ = selectors.cadence_inputs_for(user=message.user)
    gap = "2025-03-09T02:30"  # New York springs forward from 02:00 to 03:00 that night
    now = dt.datetime(2025, 3, 5, 15, 0, tzinfo=dt.UTC)
    # Parsed in UTC (not the user's zone), so only our own check can catch the gap.
    with time_machine.travel(now, tick=False), timezone.override(dt.UTC):
        edit = MessageEditForm(
            {"to_email": "a@b.example", "subject": "s", "body_text": "b", "due_at": gap},
            message=message,
            time_zone=str(calendar.zone),
        )
        snooze = SnoozeForm({"until": gap}, calendar=calendar)

        assert not edit.is_valid()
        assert not snooze.is_valid()
    assert [e.code for e in edit.errors.as_data()["due_at"]] == ["no_such_time"]
    assert [e.code for e in snooze.errors.as_data()["until"]] == ["no_such_time"]
    assert "does not exist in your time zone" in snooze.errors["until"][0]


def berlin_forms(message, value: str):
    """The edit and snooze forms of a Berlin user, typed `value`, with Berlin as active zone."""
    from messaging.forms import MessageEditForm
    from messaging.queue_forms import SnoozeForm

    data = {"to_email": "a@b.example", "subject": "s", "body_text": "b", "due_at": value}
    edit = MessageEditForm(data, message=message, time_zone="Europe/Berlin")
    snooze = SnoozeForm(
        {"until": value}, calendar=SenderCalendar(time_zone="Europe/Berlin", country="DE")
    )
    return edit, snooze


@time_machine.travel(dt.datetime(2030, 3, 1, 12, 0, tzinfo=dt.UTC), tick=False)
def test_a_time_berlin_skips_gets_our_error_not_djangos_ambiguity_message(message):
    # Berlin springs forward from 02:00 to 03:00 on 31 March 2030: 02:30 never happens there.
    with timezone.override(zoneinfo.ZoneInfo("Europe/Berlin")):
        edit, snooze = berlin_forms(message, "2030-03-31T02:30")
        assert not edit.is_valid() and not snooze.is_valid()
    assert [e.code for e in edit.errors.as_data()["due_at"]] == ["no_such_time"]
    assert [e.code for e in snooze.errors.as_data()["until"]] == ["no_such_time"]
    assert "does not exist in your time zone" in edit.errors["due_at"][0]
    assert "ambiguous" not in str(edit.errors) + str(snooze.errors)


@time_machine.travel(dt.datetime(2030, 3, 1, 12, 0, tzinfo=dt.UTC), tick=False)
def test_a_time_berlin_shows_twice_means_the_first_one(message):
    # Berlin falls back from 03:00 to 02:00 on 27 October 2030: 02:30 happens twice, first
    # at +02:00 (00:30 UTC), then at +01:00 (01:30 UTC).
    with timezone.override(zoneinfo.ZoneInfo("Europe/Berlin")):
        edit, snooze = berlin_forms(message, "2030-10-27T02:30")
        assert edit.is_valid(), edit.errors
        assert snooze.is_valid(), snooze.errors
    first = dt.datetime(2030, 10, 27, 0, 30, tzinfo=dt.UTC)
    assert edit.cleaned_data["due_at"] == first
    assert snooze.cleaned_data["due_at"] == first


def test_the_wall_clock_conversion_takes_only_naive_times():
    from messaging.forms import wall_time_to_utc

    with pytest.raises(ValueError):
        wall_time_to_utc(dt.datetime(2030, 5, 1, 9, tzinfo=dt.UTC), zoneinfo.ZoneInfo("UTC"))
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    assert wall_time_to_utc(dt.datetime(2030, 5, 1, 9), berlin) == dt.datetime(
        2030, 5, 1, 7, tzinfo=dt.UTC
    )


# -- snooze only moves later ----------------------------------------------------------------------


def test_a_preset_earlier_than_the_due_time_is_refused(owner_client, application):
    with time_machine.travel(WEDNESDAY, tick=False):
        message = draft(application, due_at=dt.datetime(2025, 3, 18, 8, 0, tzinfo=NEW_YORK))
        response = owner_client.post(
            url("messaging:queue_snooze", message), {"preset": "tomorrow"}, **HTMX
        )

    assert "Snooze only moves a message later" in response.text
    assert "Tue 18 Mar 08:00" in response.text
    message.refresh_from_db()
    assert message.due_at == dt.datetime(2025, 3, 18, 8, 0, tzinfo=NEW_YORK)
    assert message.edited_by_user is False
    assert not message_events(message, Kind.NOTE)


def test_a_chosen_time_earlier_than_the_due_time_is_refused(owner_client, application):
    due = dt.datetime(2025, 3, 18, 8, 0, tzinfo=NEW_YORK)
    with time_machine.travel(WEDNESDAY, tick=False):
        message = draft(application, due_at=due)
        response = owner_client.post(
            url("messaging:queue_snooze", message), {"until": "2025-03-12T09:30"}
        )

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.due_at == due


def test_the_snooze_service_refuses_the_same_or_an_earlier_time(user, application):
    due = dt.datetime(2025, 3, 18, 8, 0, tzinfo=NEW_YORK)
    with time_machine.travel(WEDNESDAY, tick=False):
        message = draft(application, due_at=due)
        for until in (due, due - dt.timedelta(minutes=1)):
            with pytest.raises(ActionRefused, match="only moves a message later"):
                message_snooze(message=message, user=user, until=until)
        later = message_snooze(message=message, user=user, until=due + dt.timedelta(days=1))

    assert later.due_at == due + dt.timedelta(days=1)


# -- ended applications ---------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["rejected", "withdrawn", "quiet", "closed", "accepted"])
def test_a_stale_draft_of_an_ended_application_cannot_be_approved(user, application, stage):
    message = draft(application)
    application.stage = stage
    application.save(update_fields=["stage"])

    with pytest.raises(ActionRefused, match="only its close-out notes"):
        message_approve(message=message, user=user)
    message.refresh_from_db()
    assert (message.status, message.approved_at) == (Status.DRAFT, None)


@pytest.mark.parametrize(
    ("stage", "ended_as"),
    [
        (Message.Stage.REJECTION_REPLY, "rejected"),
        (Message.Stage.WITHDRAWAL, "withdrawn"),
        (Message.Stage.STAY_IN_TOUCH, "rejected"),
    ],
)
def test_a_close_out_of_an_ended_application_can_be_approved(user, application, stage, ended_as):
    message = draft(application, stage=stage, interview=None)
    application.stage = ended_as
    application.save(update_fields=["stage"])

    approved = message_approve(message=message, user=user)

    assert approved.status == Status.APPROVED


def test_approve_all_leaves_the_stale_drafts_of_an_ended_application(owner_client, application):
    stale = draft(application)
    application.stage = "rejected"
    application.save(update_fields=["stage"])

    owner_client.post(
        reverse("messaging:queue_approve_all"), {"ids": [stale.pk], "confirmed": "on"}
    )

    stale.refresh_from_db()
    assert stale.status == Status.DRAFT
