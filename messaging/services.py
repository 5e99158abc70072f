"""Approval and events: what the user does to messages, and what happens to an application.

Every operation runs in one transaction and takes row locks in one order: the Application
first (status.lock_application), then the Message rows it changes, as re-planning and the
dispatcher do, so a double click, a webhook and the dispatcher queue instead of deadlocking.
Each says on the timeline what it did and why. Status changes are conditional UPDATEs on the
status they expect, so a message the dispatcher has just claimed (approved -> sending) is
never cancelled or edited under it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.html import linebreaks, urlize

from followup.accounts.models import User
from interviews.models import Application, Contact, TimelineEvent
from interviews.services import application_stage_set
from interviews.timeline import timeline_record
from messaging import cadence, checks, dispatch, drafting, queue_selectors, selectors
from messaging.models import Message, Reply
from messaging.status import (
    APPROVAL_COVERS,
    close_out_unfit,
    lock_application,
    message_release,
    message_rewrite,
    messages_cancel,
    messages_hold,
)
from messaging.status import local_time as _local
from messaging.status import message_label as _label
from messaging.status import set_status as _set_status

Kind = TimelineEvent.Kind
Stage = Message.Stage
Status = Message.Status

REPLY_KINDS = tuple(Reply.Kind.values)
OUTCOMES = ("offer", "rejected", "accepted_elsewhere", "other_offer", "accepted")

# How late an out-of-office release may run and still keep the hold's end as the due time.
RELEASE_GRACE = dt.timedelta(minutes=15)

PAUSED_REASON = "Paused by you: it waits until you resume the application."


class ActionRefused(Exception):
    """The action does not fit the message's or application's state; the text is for the user."""


class ApprovalBlocked(ActionRefused):
    """Checks found errors (or an un-overridden pestering block): approval must wait."""

    def __init__(self, findings: Iterable[checks.Finding]) -> None:
        self.findings = [f for f in findings if f.severity in (checks.ERROR, checks.BLOCK)]
        # Only pestering can be overridden: offer the checkbox when nothing else blocks.
        self.needs_pestering_override = bool(self.findings) and all(
            f.severity == checks.BLOCK for f in self.findings
        )
        lines = " ".join(f.message for f in self.findings)
        super().__init__(f"Not approved yet. {lines}")


# -- helpers -------------------------------------------------------------------------------------


def _require_owner(obj: Message | Application, user: User) -> None:
    """Services trust their callers less than views do: another user's row is refused."""
    if obj.user_id != user.pk:
        raise PermissionDenied("Not yours.")


def _message_for_update(pk: int) -> QuerySet[Message]:
    """One message row to lock by itself: of=("self",), so no join ever locks another table."""
    return Message.objects.select_for_update(of=("self",)).filter(pk=pk)


def _locked_message(message: Message) -> Message:
    """The message re-read under its row lock, its application locked first (copies go stale)."""
    # Application before Message, as re-planning takes them: the other order deadlocks.
    application = lock_application(message.application_id)
    locked = _message_for_update(message.pk).get()
    locked.application = application
    return locked


def _locked_application(application: Application) -> Application:
    """The application re-read under its row lock (status.lock_application)."""
    return lock_application(application.pk)


def _calendar(user: User) -> tuple[cadence.SenderCalendar, cadence.CadenceSettings]:
    return selectors.cadence_inputs_for(user=user)


def _day(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _pending(application: Application, *stages: str) -> list[Message]:
    """The application's messages that may still go out, optionally of some stages only."""
    # of=("self",): only these rows; the caller holds the application's lock already.
    messages = Message.objects.select_for_update(of=("self",)).filter(
        application=application, status__in=Message.PENDING_STATUSES
    )
    if stages:
        messages = messages.filter(stage__in=stages)
    return list(messages.select_related("application").order_by("due_at", "pk"))


# -- quality checks on real rows -----------------------------------------------------------------


def draft_facts_for(*, message: Message) -> checks.DraftFacts:
    """The plain facts the quality checks need about one message, read from the database."""
    return queue_selectors.draft_facts_many(user=message.user, messages=[message])[message.pk]


def message_findings(*, message: Message) -> list[checks.Finding]:
    """What the quality checks say about a message as it stands."""
    return checks.check_draft(draft_facts_for(message=message))


# -- messages ------------------------------------------------------------------------------------


def message_approve(*, message: Message, user: User, override_pestering: bool = False) -> Message:
    """Approve a message for sending at its due time, if the checks allow it.

    1. Only a draft (or a held message not yet approved) can be approved; approving twice is
       a no-op.
    2. An ended application approves only its close-out notes (rejection reply, withdrawal,
       stay in touch), and a close-out only while it fits the stage (status.close_out_unfit):
       anything else is stale.
    3. Errors block; a pestering block passes only with override_pestering, which is recorded.
    4. approved_at is the gate the dispatcher reads: nothing without it is ever sent.
    """
    _require_owner(message, user)
    with transaction.atomic():
        message = _locked_message(message)
        if message.status == Status.APPROVED or (
            message.status == Status.HELD and message.approved_at
        ):
            return message
        if message.status not in (Status.DRAFT, Status.HELD):
            raise ActionRefused(
                f"This message is {message.get_status_display().lower()}: "
                "only a message that has not gone out can be approved."
            )
        application = message.application
        if application.has_ended and message.stage not in Message.CLOSE_OUT_STAGES:
            # A stale draft of an ended application would only be cancelled by the dispatcher.
            raise ActionRefused(
                f"This application is {application.get_stage_display().lower()}: only its "
                "close-out notes can still go out. Skip this message, or reopen the "
                "application first if that was a mistake."
            )
        unfit = close_out_unfit(stage=message.stage, application=application)
        if unfit:
            # The dispatcher would cancel it anyway (the same rule): say so now instead.
            raise ActionRefused(
                f"{unfit} Skip this message, or change the application's stage first if "
                "that was a mistake."
            )
        if message.due_at is None:
            raise ActionRefused("Set a send time before approving.")
        findings = message_findings(message=message)
        if checks.has_blocking(findings, pestering_overridden=override_pestering):
            raise ApprovalBlocked(findings)
        now = timezone.now()
        pestering = [f for f in findings if f.code == "pestering"]
        fields: dict[str, object] = {"approved_at": now}
        if pestering:
            fields["pestering_override_at"] = now
        calendar, _ = _calendar(user)
        if message.due_at < now - dispatch.PAST_DUE_GRACE:
            # A time already past goes out at the next moment inside the sender's window,
            # not at once at night (dispatch re-checks the window before sending too). The
            # grace leaves "due now" alone: message_send_now claims right after approving.
            fields["due_at"] = dispatch.send_window_start(calendar=calendar, at=now)
        elif message.due_at > now:
            # A later time outside the window would only wait for it at the dispatcher:
            # approve it for the moment it will really go out, and say so.
            opens = dispatch.send_window_start(calendar=calendar, at=message.due_at)
            if opens != message.due_at:
                fields["due_at"] = opens
        to = Status.HELD if message.status == Status.HELD else Status.APPROVED
        _set_status(
            message,
            to=to,
            expect=(message.status,),
            reason=message.status_reason if to == Status.HELD else "",
            **fields,
        )
        if pestering:
            timeline_record(
                application=message.application,
                kind=Kind.NOTE,
                summary=f"You approved {_label(message)} despite the pestering check",
                detail=" ".join(f.message for f in pestering),
                message=message,
                at=now,
            )
        timeline_record(
            application=message.application,
            kind=Kind.APPROVED,
            summary=f"{_label(message)} approved",
            detail=f"Goes out {_local(message.due_at, calendar)}."
            + (" It waits while the application is on hold." if to == Status.HELD else ""),
            message=message,
            at=now,
        )
    return message


def message_unapprove(*, message: Message, user: User) -> Message:
    """Take back an approval: the message waits as a draft (or stays held, unapproved)."""
    _require_owner(message, user)
    with transaction.atomic():
        message = _locked_message(message)
        if message.approved_at is None or message.status not in (Status.APPROVED, Status.HELD):
            raise ActionRefused("Only an approved message that has not gone out can be unapproved.")
        to = Status.HELD if message.status == Status.HELD else Status.DRAFT
        _set_status(
            message,
            to=to,
            expect=(message.status,),
            reason=message.status_reason if to == Status.HELD else "",
            approved_at=None,
            pestering_override_at=None,
        )
        timeline_record(
            application=message.application,
            kind=Kind.UNAPPROVED,
            summary=f"Approval of {_label(message)} withdrawn",
            detail="It will not go out until you approve it again.",
            message=message,
        )
    return message


def text_to_html(text: str) -> str:
    """The HTML part of a hand-written text: escaped, links clickable, paragraphs kept."""
    # urlize escapes everything but the links it makes; linebreaks must not escape again.
    return linebreaks(urlize(text, nofollow=True, autoescape=True), autoescape=False)


def message_edit(
    *,
    message: Message,
    user: User,
    to_email: str,
    subject: str,
    body_text: str,
    due_at: dt.datetime,
) -> Message:
    """Save the user's own version; re-planning leaves it alone from now on.

    A new subject, body or recipient makes it a hand edit (edited_by_user: never re-rendered);
    a new send time alone only marks the time as theirs (time_set_by_user: re-planning keeps
    the time but still re-renders the text).

    An approved message that changes goes back to needing approval: the user approved
    the old text and time, not the new ones.
    """
    _require_owner(message, user)
    with transaction.atomic():
        message = _locked_message(message)
        if message.status not in Message.PENDING_STATUSES:
            raise ActionRefused(
                f"This message is {message.get_status_display().lower()}: "
                "it can no longer be edited."
            )
        changed = (
            message.to_email != to_email
            or message.subject != subject
            or message.body_text != body_text
            or message.due_at != due_at
        )
        if not changed:
            return message
        old_due_at = message.due_at
        contact = message.contact
        text_changed = (
            message.to_email != to_email
            or message.subject != subject
            or message.body_text != body_text
        )
        fields: dict[str, object] = {"due_at": due_at}
        if text_changed:
            # Only the words and the recipient make it the user's own version.
            fields.update(
                to_email=to_email,
                subject=subject,
                body_text=body_text,
                body_html=text_to_html(body_text),
                edited_by_user=True,
            )
        if old_due_at != due_at:
            # A chosen time alone: re-planning keeps it, yet may still re-render the text.
            fields["time_set_by_user"] = True
        if text_changed and contact is not None and not _same_person(contact, to_email):
            # An address for someone else: the contact's name would mislabel it.
            fields["to_name"] = "" if message.to_name == contact.name else message.to_name
        # The user approved the old text, recipient AND time: a new time needs approval too.
        rewrite = message_rewrite(message, changes=fields, covers=(*APPROVAL_COVERS, "due_at"))
        if not rewrite.saved:
            raise ActionRefused("This message changed meanwhile; reload and try again.")
        if rewrite.unapproved:
            summary = f"{_label(message)} edited after approval: needs approval again"
        else:
            summary = f"{_label(message)} edited"
        calendar, _ = _calendar(user)
        timeline_record(
            application=message.application,
            kind=Kind.EDITED,
            summary=summary,
            detail=f"Due {_local(due_at, calendar)}.",
            message=message,
        )
        retimed_thank_you = message.stage == Stage.THANK_YOU and old_due_at != due_at
    if retimed_thank_you:
        _replan_after_thank_you_moved(message)
    return message


def _replan_after_thank_you_moved(message: Message) -> None:
    """The check-ins keep their distance from a thank-you the user moved (spec §8).

    Its own transaction, after the message's: re-planning locks the application before its
    messages, so it must not run while this message's row is still locked.
    """
    application = Application.objects.get(pk=message.application_id)
    if application.has_ended:
        return
    drafting.replan_application(
        application=application, reason="The thank-you was moved: the check-ins follow it."
    )


def _same_person(contact: Contact, to_email: str) -> bool:
    """Whether an address is (likely) the contact's own: theirs, or one with their name in it."""
    address = to_email.strip().lower()
    if address == contact.email.strip().lower():
        return True
    local_part = address.partition("@")[0]
    names = {contact.first_name.lower(), contact.last_name.lower()} - {""}
    return any(name in local_part for name in names if len(name) > 1)


def message_skip(*, message: Message, user: User, reason: str) -> Message:
    """Decide not to send a message; the reason stays on the timeline."""
    _require_owner(message, user)
    reason = reason.strip() or "Skipped by you."
    with transaction.atomic():
        message = _locked_message(message)
        if not _set_status(
            message, to=Status.SKIPPED, expect=Message.PENDING_STATUSES, reason=reason
        ):
            raise ActionRefused(
                f"This message is {message.get_status_display().lower()}: "
                "it can no longer be skipped."
            )
        timeline_record(
            application=message.application,
            kind=Kind.SKIPPED,
            summary=f"{_label(message)} skipped",
            detail=reason,
            message=message,
        )
    return message


# -- replies -------------------------------------------------------------------------------------


def application_reply(
    *,
    application: Application,
    user: User,
    kind: str,
    at: dt.datetime | None = None,
    detail: str = "",
    return_date: dt.date | None = None,
    contact: Contact | None = None,
) -> Reply:
    """Log what the company answered and change the cadence to fit (spec §7).

    - "reply": any real answer stops the automatic check-ins (pending ones cancelled);
    - "no_news": thank them for the update (drafted for the next business morning) and move
      the next check-in to at least N business days after their message;
    - "out_of_office": not a reply: hold the check-ins until the return date (or N business
      days), then they go out as planned from there (applications_end_holds releases them).
    """
    if kind not in REPLY_KINDS:
        raise ValueError(f"Unknown reply kind: {kind!r}")
    _require_owner(application, user)
    if contact is not None and contact.user_id != user.pk:
        raise PermissionDenied("Not yours.")
    now = timezone.now()
    at = at or now
    with transaction.atomic():
        application = _locked_application(application)
        calendar, settings = _calendar(application.user)
        reply = Reply.objects.create(
            user_id=application.user_id,
            application=application,
            contact=contact,
            kind=kind,
            received_at=at,
            return_date=return_date if kind == "out_of_office" else None,
            detail=detail,
        )
        who = f" from {contact.name}" if contact else ""
        if application.stage == Application.Stage.QUIET and kind in ("reply", "no_news"):
            application = application_reopen(
                application=application,
                user=user,
                reason="They wrote back after all: the application is no longer quiet.",
            )
        if application.has_ended:
            # Logged for the record only: nothing is planned for an application that ended.
            timeline_record(
                application=application,
                kind=Kind.OUT_OF_OFFICE if kind == "out_of_office" else Kind.REPLY,
                summary=f"{Reply.Kind(kind).label}{who}",
                detail=detail,
                at=at,
            )
            return reply
        if kind == "reply":
            why = f"They replied on {_local(at, calendar)}: the automatic check-ins stop."
            timeline_record(
                application=application,
                kind=Kind.REPLY,
                summary=f"Reply received{who}",
                detail=" ".join(p for p in (detail, why) if p),
                at=at,
            )
            messages_cancel(_pending(application, *Message.CHECK_IN_STAGES), reason=why, at=now)
            drafting.replan_application(application=application, now=now, reason=why)
        elif kind == "no_news":
            floor = cadence.after_no_news_reply_due(
                reply_at=at, calendar=calendar, settings=settings
            )
            why = (
                "They said there is no news yet: a short thank-you for the update is drafted, "
                f"and the next check-in waits until {_local(floor, calendar)} at the earliest."
            )
            timeline_record(
                application=application,
                kind=Kind.REPLY,
                summary=f"“No news yet”{who}",
                detail=" ".join(p for p in (detail, why) if p),
                at=at,
            )
            # Their latest word is what the thanks answers: an unsent earlier one is replaced.
            messages_cancel(
                _pending(application, Stage.NO_NEWS_REPLY),
                reason="Replaced: they wrote again with no news.",
                at=now,
            )
            drafting.draft_message(
                application=application,
                stage=Stage.NO_NEWS_REPLY,
                contact=contact,
                due_at=cadence.next_business_morning(after=max(at, now), calendar=calendar),
            )
            drafting.replan_application(
                application=application, now=now, reason="They said there is no news yet."
            )
            _not_before(application, first=floor, calendar=calendar, settings=settings, why=why)
        else:
            until = cadence.out_of_office_until(
                reply_at=at, return_date=return_date, calendar=calendar, settings=settings
            )
            why = (
                f"Out-of-office reply{who}: not an answer, so the check-ins wait until "
                f"{_local(until, calendar)}."
            )
            timeline_record(
                application=application,
                kind=Kind.OUT_OF_OFFICE,
                summary=f"Out-of-office reply{who}",
                detail=" ".join(p for p in (detail, why) if p),
                at=at,
            )
            if until > now:
                application.paused_until = until
                application.save(update_fields=["paused_until", "updated_at"])
                messages_hold(_pending(application, *Message.CHECK_IN_STAGES), reason=why, at=now)
            drafting.replan_application(application=application, now=now, reason=why)
            _not_before(application, first=until, calendar=calendar, settings=settings, why=why)
    return reply


def application_reopen(
    *,
    application: Application,
    user: User,
    reason: str,
    stage: str = Application.Stage.INTERVIEWING,
    replan: bool = True,
) -> Application:
    """Open an ended application again; returns it re-read (the caller's copy is stale).

    The one way back from an ended stage: the edit form's stage change, a new round logged,
    a reply to a quiet application.
    1. The stage becomes `stage` (interviewing unless the user chose another open one) and
       the close date is cleared, on the timeline with `reason`.
    2. Every pending close-out (rejection reply, withdrawal, stay in touch), approved or not,
       is cancelled with the reason on the timeline; one already claimed is stopped by the
       dispatcher's last check (status.close_out_unfit).
    3. The cadence is re-planned for the live application, unless the caller re-plans it
       itself right after (replan=False: a new round being logged would otherwise draft the
       old round's check-ins only to cancel them at once).
    An application that has not ended is left as it is.
    """
    if stage in Application.ENDED_STAGES or stage not in Application.Stage.values:
        raise ValueError(f"Not an open stage: {stage!r}")
    _require_owner(application, user)
    now = timezone.now()
    with transaction.atomic():
        application = _locked_application(application)
        if not application.has_ended:
            return application
        application_stage_set(application=application, stage=stage, why=reason, at=now)
        messages_cancel(
            _pending(application, *Message.CLOSE_OUT_STAGES),
            reason=f"{reason} A close-out no longer fits.",
            at=now,
        )
        if replan:
            drafting.replan_application(application=application, now=now, reason=reason)
    return application


def _not_before(
    application: Application,
    *,
    first: dt.datetime,
    calendar: cadence.SenderCalendar,
    settings: cadence.CadenceSettings,
    why: str,
) -> None:
    """Push pending check-ins past `first`, hand-edited ones too (re-planning leaves those alone).

    The second check-in keeps the cadence's spacing from the first.
    """
    floor = first
    for message in _pending(application, *Message.CHECK_IN_STAGES):
        if message.due_at is None or message.due_at < floor:
            old = message.due_at
            Message.objects.filter(pk=message.pk).update(due_at=floor, updated_at=timezone.now())
            message.due_at = floor
            timeline_record(
                application=application,
                kind=Kind.NOTE,
                summary=f"{_label(message)} moved to {_local(floor, calendar)}",
                detail=why + (f" It was due {_local(old, calendar)}." if old else ""),
                message=message,
            )
        floor = cadence.second_check_in_due(
            first_check_in_at=message.due_at, calendar=calendar, settings=settings
        )


# -- outcomes ------------------------------------------------------------------------------------


def outcome_refused(*, outcome: str, stage: str) -> str:
    """Why `outcome` cannot be logged at this application stage ("" when it can).

    The same rules the application panel uses to offer its buttons, so a forged POST gets no
    further than a click would: "accepted" only after an offer, "offer" and "other_offer"
    not again once there is one.
    """
    if outcome == "accepted" and stage != Application.Stage.OFFER:
        return "Only an offer can be accepted: log the offer first."
    if outcome in ("offer", "other_offer") and stage == Application.Stage.OFFER:
        return "They have already made you an offer: accept it, or log what happened instead."
    return ""


def application_outcome(
    *,
    application: Application,
    outcome: str,
    user: User,
    deadline: dt.date | None = None,
    at_once: bool = False,
) -> list[Message]:
    """Record a decision, stop what no longer fits, and draft the matching message (spec §6-§7).

    - "offer": stage offer; pending check-ins and stay-in-touch note cancelled.
    - "accepted": stage accepted; every pending message cancelled.
    - "rejected": stage rejected; pending messages other than close-outs cancelled (a
      thank-you after a no reads oddly); a close-out for the next business morning and a
      stay-in-touch note N weeks later, whose hook slot must be filled before approval.
    - "accepted_elsewhere": stage withdrawn; EVERY pending message cancelled; a withdrawal
      note for the next business morning (or at once).
    - "other_offer": stage unchanged; a note with the user's deadline, which may go before
      their stated decision date: at once when the deadline is near, never after it
      (cadence.offer_deadline_due).
    Each outcome only from the stages the panel offers it at (outcome_refused).
    Returns the messages drafted for it (each waits for approval like any other).
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"Unknown outcome: {outcome!r}")
    if outcome == "other_offer" and deadline is None:
        raise ActionRefused("Give the date you must answer the other offer by.")
    _require_owner(application, user)
    now = timezone.now()
    with transaction.atomic():
        application = _locked_application(application)
        # A quiet application can still hear back with a decision; the others are settled.
        if application.has_ended and application.stage != Application.Stage.QUIET:
            raise ActionRefused(
                f"This application is already {application.get_stage_display().lower()}."
            )
        refused = outcome_refused(outcome=outcome, stage=application.stage)
        if refused:
            raise ActionRefused(refused)
        calendar, settings = _calendar(user)
        if outcome == "other_offer" and deadline < calendar.local_date(now):
            raise ActionRefused("That deadline has passed: give the date you must answer by.")
        drafted: list[Message] = []
        if outcome == "offer":
            why = "An offer came in: the automatic check-ins stop."
            application_stage_set(
                application=application, stage=Application.Stage.OFFER, why=why, at=now
            )
            messages_cancel(_pending(application, *Message.CHECK_IN_STAGES), reason=why, at=now)
            # A quiet application's "let's stay in touch" note reads wrong after an offer.
            messages_cancel(
                _pending(application, Stage.STAY_IN_TOUCH),
                reason="An offer came in: the stay-in-touch note is not needed.",
                at=now,
            )
        elif outcome == "accepted":
            why = "You accepted their offer: nothing more goes out automatically."
            application_stage_set(
                application=application, stage=Application.Stage.ACCEPTED, why=why, at=now
            )
            messages_cancel(_pending(application), reason=why, at=now)
        elif outcome == "rejected":
            why = (
                "They turned the application down: the follow-ups stop; a short close-out "
                "thanking them is drafted, and a stay-in-touch note for later."
            )
            application_stage_set(
                application=application, stage=Application.Stage.REJECTED, why=why, at=now
            )
            messages_cancel(
                [m for m in _pending(application) if m.stage not in Message.CLOSE_OUT_STAGES],
                reason="The application was turned down: the follow-ups stop.",
                at=now,
            )
            drafted.append(
                drafting.draft_message(
                    application=application,
                    stage=Stage.REJECTION_REPLY,
                    due_at=cadence.close_out_due(logged_at=now, calendar=calendar),
                )
            )
            drafted.append(_plan_stay_in_touch(application, closed_at=now, settings=settings))
        elif outcome == "accepted_elsewhere":
            why = (
                "You accepted another offer: every pending message is cancelled and a "
                "withdrawal note is drafted, so they are not left waiting."
            )
            application_stage_set(
                application=application, stage=Application.Stage.WITHDRAWN, why=why, at=now
            )
            messages_cancel(
                _pending(application),
                reason="You accepted another offer: nothing else goes out for this application.",
                at=now,
            )
            drafted.append(
                drafting.draft_message(
                    application=application,
                    stage=Stage.WITHDRAWAL,
                    due_at=cadence.close_out_due(logged_at=now, calendar=calendar, at_once=at_once),
                )
            )
        else:  # other_offer
            why = (
                f"Another offer came in, with an answer due by {_day(deadline)}: a note telling "
                "them your timeline is drafted; it may go before their own decision date."
            )
            timeline_record(
                application=application,
                kind=Kind.NOTE,
                summary=f"Another offer: your answer is due by {_day(deadline)}",
                detail=why,
                at=now,
            )
            messages_cancel(
                _pending(application, Stage.OFFER_DEADLINE),
                reason="Replaced by a note with your new deadline.",
                at=now,
            )
            drafted.append(
                drafting.draft_message(
                    application=application,
                    stage=Stage.OFFER_DEADLINE,
                    due_at=cadence.offer_deadline_due(
                        logged_at=now, deadline=deadline, calendar=calendar, at_once=at_once
                    ),
                    context={"deadline": deadline},
                )
            )
            note = drafted[-1]
            if note.due_at is not None and calendar.local_date(note.due_at) > deadline:
                # A pending thank-you to the same person pushed it past the deadline: the
                # deadline wins over the usual order (it must reach them in time).
                note.due_at = cadence.offer_deadline_due(
                    logged_at=now, deadline=deadline, calendar=calendar, at_once=True
                )
                Message.objects.filter(pk=note.pk).update(due_at=note.due_at)
        drafting.replan_application(application=application, now=now, reason=why)
    return drafted


def _plan_stay_in_touch(
    application: Application, *, closed_at: dt.datetime, settings: cadence.CadenceSettings
) -> Message:
    """A stay-in-touch draft N weeks after the close; its hook slot blocks approval until filled."""
    calendar, _ = _calendar(application.user)
    due = cadence.stay_in_touch_due(closed_at=closed_at, calendar=calendar, settings=settings)
    # One note at a time: a quiet application that is then turned down plans it anew.
    messages_cancel(
        _pending(application, Stage.STAY_IN_TOUCH),
        reason="Replaced by a new stay-in-touch note.",
        at=closed_at,
    )
    return drafting.draft_message(application=application, stage=Stage.STAY_IN_TOUCH, due_at=due)


# -- pause and resume ----------------------------------------------------------------------------


def application_pause(*, application: Application, user: User) -> None:
    """Hold everything pending for this application until the user resumes it."""
    _require_owner(application, user)
    now = timezone.now()
    with transaction.atomic():
        application = _locked_application(application)
        if application.paused:
            return
        if application.has_ended:
            raise ActionRefused("This application has ended: there is nothing to pause.")
        application.paused = True
        application.save(update_fields=["paused", "updated_at"])
        timeline_record(
            application=application,
            kind=Kind.PAUSED,
            summary="Application paused",
            detail="Nothing goes out for it until you resume it.",
            at=now,
        )
        messages_hold(_pending(application), reason=PAUSED_REASON, at=now)
        drafting.replan_application(
            application=application, now=now, reason="You paused the application."
        )


def application_resume(*, application: Application, user: User) -> None:
    """Resume a paused application: what fell due meanwhile goes at the next window start."""
    _require_owner(application, user)
    now = timezone.now()
    with transaction.atomic():
        application = _locked_application(application)
        if not application.paused:
            return
        application.paused = False
        application.save(update_fields=["paused", "updated_at"])
        # Recorded first: the cadence reads the last resume from the timeline.
        timeline_record(
            application=application,
            kind=Kind.RESUMED,
            summary="Application resumed",
            detail="Anything that fell due while it was paused goes out at the next "
            "send-window start.",
            at=now,
        )
        _release(application, now=now, why="You resumed the application.")


def _release(application: Application, *, now: dt.datetime, why: str) -> None:
    """Let held messages go again unless a pause or an out-of-office hold still applies.

    1. Re-planning releases the check-ins (and re-times those not edited by hand).
    2. Anything still held that no hold covers (e.g. a message of an application without an
       interview) goes back to where it was: approved if it had been approved, else a draft;
       one whose time passed meanwhile moves to the next send-window start.
    """
    drafting.replan_application(application=application, now=now, reason=why)
    if application.paused:
        return
    calendar, _ = _calendar(application.user)
    out_of_office = application.paused_until is not None and application.paused_until > now
    for message in _pending(application):
        if message.status != Status.HELD:
            continue
        if out_of_office and message.stage in Message.CHECK_IN_STAGES:
            continue
        message_release(message, now=now, calendar=calendar, reason=why)


def applications_end_holds(*, now: dt.datetime | None = None) -> int:
    """Release the check-ins of out-of-office holds whose time has come (for a beat task)."""
    now = now or timezone.now()
    count = 0
    ids = Application.objects.filter(paused_until__lte=now).values_list("pk", flat=True)
    for pk in list(ids):
        with transaction.atomic():
            application = lock_application(pk)
            if application.paused_until is None or application.paused_until > now:
                continue
            # Released within a few minutes of the hold's end, the check-in keeps the hold's
            # end as its time (it goes at once); released later (the beat was down), a missed
            # time moves to the next send-window start instead of going out at night.
            hold_end = application.paused_until
            as_of = hold_end if now - hold_end <= RELEASE_GRACE else now
            application.paused_until = None
            application.save(update_fields=["paused_until", "updated_at"])
            why = "They are back in the office: the check-ins go out as planned from now on."
            timeline_record(
                application=application,
                kind=Kind.NOTE,
                summary="Out-of-office hold over",
                detail=why,
                at=now,
            )
            _release(application, now=as_of, why=why)
            count += 1
    return count


# -- going quiet and side tasks ------------------------------------------------------------------


def applications_go_quiet(*, now: dt.datetime | None = None) -> int:
    """Mark applications quiet after thank-you + two unanswered follow-ups (spec §5, §6).

    No email: the stage becomes "quiet", a LinkedIn task is suggested and a stay-in-touch
    note is planned. Called by a beat task; returns how many went quiet.
    """
    now = now or timezone.now()
    candidates = (
        Application.objects.exclude(stage__in=selectors.OUTCOME_STAGES)
        .filter(
            paused=False, messages__stage__in=Message.CHECK_IN_STAGES, messages__status=Status.SENT
        )
        .distinct()
        .values_list("pk", flat=True)
    )
    count = 0
    for pk in list(candidates):
        with transaction.atomic():
            application = lock_application(pk)
            quiet_at = _goes_quiet_at(application, now=now)
            if quiet_at is None or quiet_at > now:
                continue
            _go_quiet(application, now=now)
            count += 1
    return count


def _goes_quiet_at(application: Application, *, now: dt.datetime) -> dt.datetime | None:
    """When the cadence says this application goes quiet; None until both check-ins went."""
    if application.has_ended or application.paused or application.stage == "offer":
        return None
    facts = selectors.cadence_facts_for(application=application, now=now)
    if facts is None:
        return None
    sent = [
        m
        for m in facts.sent
        if m.stage in Message.CHECK_IN_STAGES and m.sent_at >= facts.last_interview_end
    ]
    if len(sent) < cadence.MAX_CHECK_INS:
        return None
    return cadence.plan(facts).goes_quiet_at


def _go_quiet(application: Application, *, now: dt.datetime) -> None:
    why = (
        "The thank-you and two follow-ups went unanswered: no more emails. "
        "A friendly LinkedIn connection keeps the door open instead."
    )
    application_stage_set(application=application, stage=Application.Stage.QUIET, why=why, at=now)
    messages_cancel(_pending(application, *Message.CHECK_IN_STAGES), reason=why, at=now)
    people = [
        c.name
        for c in Contact.objects.filter(
            Q(participations__interview__application=application)
            | Q(pk=application.main_contact_id)
        )
        .distinct()
        .order_by("name")
    ]
    timeline_record(
        application=application,
        kind=Kind.TASK,
        summary="Connect on LinkedIn" + (f" with {', '.join(people)}" if people else ""),
        detail="A short, friendly connection request with no ask about the job: it keeps "
        "you in their network without another email.",
        at=now,
    )
    _, settings = _calendar(application.user)
    _plan_stay_in_touch(application, closed_at=now, settings=settings)


def message_sent_side_tasks(*, message: Message) -> None:
    """After a thank-you has gone: suggest connecting with that person on LinkedIn (spec §3)."""
    if message.stage != Stage.THANK_YOU or message.status != Status.SENT:
        return
    name = message.to_name or (message.contact.name if message.contact else message.to_email)
    timeline_record(
        application=message.application,
        kind=Kind.TASK,
        summary=f"Connect with {name} on LinkedIn",
        detail="Your thank-you has gone out, so a connection request now feels natural. "
        "LinkedIn only: not personal networks.",
        message=message,
        at=message.sent_at,
    )


# --- Queue actions: snooze, send now, approve many, retry ---------------------------------

TOMORROW_MORNING = "tomorrow"
NEXT_MONDAY = "next_monday"
SNOOZE_PRESETS = {TOMORROW_MORNING: "Tomorrow morning", NEXT_MONDAY: "Next Monday morning"}


def snooze_preset_time(
    *, preset: str, now: dt.datetime, calendar: cadence.SenderCalendar
) -> dt.datetime:
    """When a snooze preset ends: the send window's start tomorrow, or on the coming Monday."""
    today = calendar.local_date(now)
    if preset == TOMORROW_MORNING:
        day = today + dt.timedelta(days=1)
    elif preset == NEXT_MONDAY:
        # Strictly after today: on a Monday, "next Monday" is a week away.
        day = today + dt.timedelta(days=(7 - today.weekday()) or 7)
    else:
        raise ValueError(f"Unknown snooze preset: {preset!r}")
    return calendar.window_opens(day)


def message_snooze(*, message: Message, user: User, until: dt.datetime) -> Message:
    """Move a draft to a later time (never earlier); it stays a draft in the queue.

    Marked time_set_by_user so that re-planning (which re-times untouched drafts) does not
    pull it back to the cadence's time the user just chose to leave; its text still follows
    later changes (a company renamed), as it was not edited.
    """
    _require_owner(message, user)
    with transaction.atomic():
        message = _locked_message(message)
        if message.status != Status.DRAFT:
            raise ActionRefused(
                f"This message is {message.get_status_display().lower()}: "
                "only a draft waiting for approval can be snoozed."
            )
        old = message.due_at
        calendar, _ = selectors.cadence_inputs_for(user=user)
        if old is not None and until <= old:
            # Snoozing puts off; bringing a message forward is an edit (or "send now").
            raise ActionRefused(
                f"Snooze only moves a message later: it is already due {_local(old, calendar)}. "
                "Pick a later time, or edit the message to send it sooner."
            )
        _set_status(
            message, to=Status.DRAFT, expect=(Status.DRAFT,), due_at=until, time_set_by_user=True
        )
        timeline_record(
            application=message.application,
            kind=Kind.NOTE,
            summary=f"{_label(message)} snoozed to {_local(until, calendar)}",
            detail=f"It was due {_local(old, calendar)}." if old else "",
            message=message,
        )
    if message.stage == Stage.THANK_YOU:
        _replan_after_thank_you_moved(message)
    return message


def message_send_now(
    *,
    message: Message,
    user: User,
    override_pestering: bool = False,
    now: dt.datetime | None = None,
) -> Message:
    """Approve (if the checks allow) and send at once: due now, claimed, send task after commit.

    1. A draft is moved to now first, so the checks judge the time it really goes out;
       message_approve then refuses it on errors (the whole step rolls back).
    2. An approved message is moved to now and checked again for that time.
    3. The claim (approved -> sending) is the dispatcher's own, so the beat cannot send it
       twice; the task is enqueued only once the transaction has committed. "Now" skips the
       send window; the send task still re-checks the rest (§7), so a paused application
       holds it there.
    """
    _require_owner(message, user)
    now = now or timezone.now()
    with transaction.atomic():
        message = _locked_message(message)
        if message.status not in (Status.DRAFT, Status.APPROVED):
            raise ActionRefused(
                f"This message is {message.get_status_display().lower()}: it cannot be sent now."
            )
        was_approved = message.status == Status.APPROVED
        _set_status(message, to=message.status, expect=(message.status,), due_at=now)
        if was_approved:
            # It was approved for a later time: judge it again at the time it now goes
            # out (a check-in the day after the thank-you is pestering). An override
            # already recorded at approval still counts.
            findings = message_findings(message=message)
            overridden = override_pestering or message.pestering_override_at is not None
            if checks.has_blocking(findings, pestering_overridden=overridden):
                raise ApprovalBlocked(findings)
            timeline_record(
                application=message.application,
                kind=Kind.NOTE,
                summary=f"{_label(message)}: sending now at your request",
                message=message,
                at=now,
            )
        else:
            message = message_approve(
                message=message, user=user, override_pestering=override_pestering
            )
        if dispatch.message_claim(message_id=message.pk, now=now):
            # Tasks are the outer layer and import this module, hence the late import.
            from messaging.tasks import send_message

            send_message.delay_on_commit(message.pk)
    message.refresh_from_db()
    return message


@dataclass(frozen=True)
class ApproveManyResult:
    approved: list[Message]
    # Shown drafts left waiting: blocked by the checks (pestering is never overridden in bulk).
    left: int


def messages_approve_many(*, user: User, ids: Iterable[int]) -> ApproveManyResult:
    """Approve the user's own drafts among `ids` that nothing blocks; ignore every other id.

    Ids of other users' messages, or of messages no longer drafts, simply match nothing.
    Each approval is its own transaction, so one refusal does not undo the others.
    """
    drafts = Message.objects.filter(user=user, pk__in=list(ids), status=Status.DRAFT).order_by(
        "due_at", "pk"
    )
    approved, left = [], 0
    for message in drafts:
        try:
            approved.append(message_approve(message=message, user=user))
        except ActionRefused:
            left += 1
    return ApproveManyResult(approved=approved, left=left)


def message_retry(
    *,
    message: Message,
    user: User,
    to_email: str,
    subject: str,
    body_text: str,
    override_pestering: bool = False,
    confirmed_not_delivered: bool = False,
    now: dt.datetime | None = None,
) -> Message:
    """Fix a message the ESP refused and send it again: the user's version, approved, due now.

    An interrupted send may have arrived, so it is retried only once the user confirms
    it did not. All or nothing: if the checks refuse the new version, it stays failed.
    A retried thank-you moves the check-ins after it, as an edit to its time would.
    """
    _require_owner(message, user)
    now = now or timezone.now()
    with transaction.atomic():
        message = _locked_message(message)
        if message.status != Status.FAILED:
            raise ActionRefused("Only a message that failed to send can be retried.")
        if dispatch.is_interrupted(message) and not confirmed_not_delivered:
            raise ActionRefused(
                "This one may have arrived. Check with the recipient or its delivery status "
                "on the Sent tab, then confirm it did not arrive before retrying."
            )
        reason = message.status_reason
        _set_status(
            message,
            to=Status.DRAFT,
            expect=(Status.FAILED,),
            due_at=now,
            approved_at=None,
            claimed_at=None,
            send_started_at=None,
            outcome_unknown=False,
        )
        timeline_record(
            application=message.application,
            kind=Kind.NOTE,
            summary=f"Retrying {_label(message)} after it failed",
            detail=f"It failed with: {reason}" if reason else "",
            message=message,
            at=now,
        )
        message = message_edit(
            message=message,
            user=user,
            to_email=to_email,
            subject=subject,
            body_text=body_text,
            due_at=now,
        )
        message = message_approve(message=message, user=user, override_pestering=override_pestering)
    if message.stage == Stage.THANK_YOU:
        # It now goes out later than planned: the check-ins keep their distance from it.
        # message_edit cannot see the move (due_at was set above), so re-plan here, after the
        # commit (re-planning locks the application before its messages).
        _replan_after_thank_you_moved(message)
    return message
