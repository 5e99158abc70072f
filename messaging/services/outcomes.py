"""What was decided: offers, rejections, withdrawals, another offer, and reopening (spec §6-§7)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from followup.accounts.models import User
from followup.rules import actions, cadence, limits
from followup.rules.calendar import SenderCalendar
from interviews.locks import lock_application
from interviews.models import Application, TimelineEvent
from interviews.selectors import current_round
from interviews.services.applications import application_stage_set
from interviews.services.tasks import tasks_close_for_ended
from interviews.timeline import timeline_record
from messaging import selectors
from messaging.drafting.planning import draft_message, plan_interview, replan_application
from messaging.models import Message
from messaging.services.locking import pending_messages, require_owner
from messaging.services.refusals import ActionRefused
from messaging.status import messages_cancel

Kind = TimelineEvent.Kind
Stage = Message.Stage
Status = Message.Status


def _long_day(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


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
    require_owner(application, user)
    now = timezone.now()
    with transaction.atomic():
        application = lock_application(application.pk)
        if not application.has_ended:
            return application
        application_stage_set(application=application, stage=stage, why=reason, at=now)
        messages_cancel(
            pending_messages(application, *Message.CLOSE_OUT_STAGES),
            reason=f"{reason} A close-out no longer fits.",
            at=now,
        )
        if replan:
            replan_application(application=application, now=now, reason=reason)
    return application


def _plan_again(
    application: Application, *, now: dt.datetime, reason: str, since: dt.datetime | None
) -> None:
    """What a taken-back outcome stopped, planned again.

    The check-ins always; the latest round's thank-yous it cancelled only while the interview
    is recent (limits.THANK_YOU_RESTORE_WITHIN); the user's own emails it cancelled (at or
    after `since`, when the outcome was recorded) back in the queue as drafts.
    """
    interview = current_round(application=application)
    if interview is not None and now - interview.ends_at <= limits.THANK_YOU_RESTORE_WITHIN:
        plan_interview(interview=interview, now=now)
    else:
        replan_application(application=application, now=now, reason=reason)
    if since is None:
        return
    own = list(
        Message.objects.filter(
            application=application,
            stage=Stage.OWN_EMAIL,
            status=Status.CANCELLED,
            updated_at__gte=since,
        ).select_for_update()
    )
    for message in own:
        message.status, message.approved_at, message.status_reason = Status.DRAFT, None, ""
        message.save(update_fields=["status", "approved_at", "status_reason", "updated_at"])
        timeline_record(
            application=application,
            kind=Kind.DRAFTED,
            summary=f"Your email to {message.to_name or message.to_email} is back in the queue",
            detail=reason,
            message=message,
            at=now,
        )


def outcome_undo(
    *,
    application: Application,
    user: User,
    stage: str = Application.Stage.INTERVIEWING,
    then: str | None = None,
) -> Application:
    """Take an outcome back (a click on the wrong button, a decision reversed).

    The application returns to `stage` (an open one); what the outcome stopped comes back as
    the rules plan it (_plan_again): the check-ins, a recent round's cancelled thank-yous, the
    user's own emails; the close-outs the outcome drafted are cancelled. With
    `then`, the right outcome is recorded at once (a rejection that was really "accepted
    another offer"), in the same transaction. Returns the application re-read.
    """
    if stage not in actions.REOPEN_STAGES:
        raise ActionRefused("Choose the stage to go back to: interviewing or applied.")
    require_owner(application, user)
    now = timezone.now()
    with transaction.atomic():
        application = lock_application(application.pk)
        if not actions.undo_offered(application.stage):
            raise ActionRefused("This application has no outcome to take back.")
        if then is not None and then not in actions.changes_offered(application.stage):
            raise ActionRefused("That outcome cannot replace this one.")
        label = application.get_stage_display().lower()
        reason = f"You took back “{label}”."
        # When the outcome was recorded: what it cancelled from then on comes back.
        since = (
            application.timeline.filter(kind=Kind.STAGE_CHANGED)
            .order_by("-happened_at", "-pk")
            .values_list("happened_at", flat=True)
            .first()
        )
        if application.has_ended:
            application = application_reopen(
                application=application, user=user, reason=reason, stage=stage, replan=False
            )
        else:  # an offer: open, but the check-ins stopped
            application_stage_set(application=application, stage=stage, why=reason, at=now)
            application.refresh_from_db()
        _plan_again(application, now=now, reason=reason, since=since)
        if then is not None:
            application_outcome(application=application, outcome=then, user=user)
            application.refresh_from_db()
    return application


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
    Each outcome only where the application page offers it (rules.actions.action_refused).
    Returns the messages drafted for it (each waits for approval like any other).
    """
    if outcome not in actions.OUTCOMES:
        raise ValueError(f"Unknown outcome: {outcome!r}")
    if outcome == "other_offer" and deadline is None:
        raise ActionRefused("Give the date you must answer the other offer by.")
    require_owner(application, user)
    now = timezone.now()
    with transaction.atomic():
        application = lock_application(application.pk)
        # A quiet application can still hear back with a decision; the others are settled.
        refused = actions.action_refused(action=outcome, stage=application.stage)
        if refused:
            raise ActionRefused(refused)
        calendar, _ = selectors.cadence_inputs_for(user=user)
        if outcome == "other_offer" and deadline < calendar.local_date(now):
            raise ActionRefused("That deadline has passed: give the date you must answer by.")
        decision = _Decision(application=application, now=now, deadline=deadline, at_once=at_once)
        why, drafted = _OUTCOME_STEPS[outcome](decision)
        application.refresh_from_db(fields=["stage"])
        if application.has_ended:
            # A card or a word to the references no longer helps; LinkedIn still does.
            tasks_close_for_ended(application=application, at=now)
        replan_application(application=application, now=now, reason=why)
    return drafted


@dataclass(frozen=True)
class _Decision:
    """An outcome being recorded: the locked application, when, and the user's choices."""

    application: Application
    now: dt.datetime
    deadline: dt.date | None = None
    at_once: bool = False

    @property
    def calendar(self) -> SenderCalendar:
        return selectors.cadence_inputs_for(user=self.application.user)[0]

    def stage_set(self, stage: str, why: str) -> None:
        application_stage_set(application=self.application, stage=stage, why=why, at=self.now)

    def cancel(self, messages: list[Message], reason: str) -> None:
        messages_cancel(messages, reason=reason, at=self.now)


def _offer(decision: _Decision) -> tuple[str, list[Message]]:
    """Stage offer; pending check-ins, a stay-in-touch note and a no-news thanks are cancelled."""
    why = "An offer came in: the automatic check-ins stop."
    decision.stage_set(Application.Stage.OFFER, why)
    decision.cancel(pending_messages(decision.application, *Message.CHECK_IN_STAGES), why)
    # A quiet application's "let's stay in touch" note reads wrong after an offer, and so
    # does a thanks for their "no news yet": the news has come.
    decision.cancel(
        pending_messages(decision.application, Stage.STAY_IN_TOUCH),
        "An offer came in: the stay-in-touch note is not needed.",
    )
    decision.cancel(
        pending_messages(decision.application, Stage.NO_NEWS_REPLY),
        "An offer came in: the thanks for their update no longer fits.",
    )
    return why, []


def _accepted(decision: _Decision) -> tuple[str, list[Message]]:
    """Stage accepted; every pending message is cancelled."""
    why = "You accepted their offer: nothing more goes out automatically."
    decision.stage_set(Application.Stage.ACCEPTED, why)
    decision.cancel(pending_messages(decision.application), why)
    return why, []


def _rejected(decision: _Decision) -> tuple[str, list[Message]]:
    """Stage rejected; a close-out next business morning and a stay-in-touch note later."""
    application, now = decision.application, decision.now
    why = (
        "They turned the application down: the follow-ups stop; a short close-out "
        "thanking them is drafted, and a stay-in-touch note for later."
    )
    decision.stage_set(Application.Stage.REJECTED, why)
    # A thank-you after a no reads oddly: only the close-outs stay.
    decision.cancel(
        [m for m in pending_messages(application) if m.stage not in Message.CLOSE_OUT_STAGES],
        "The application was turned down: the follow-ups stop.",
    )
    close_out = draft_message(
        application=application,
        stage=Stage.REJECTION_REPLY,
        due_at=cadence.close_out_due(logged_at=now, calendar=decision.calendar),
    )
    _, settings = selectors.cadence_inputs_for(user=application.user)
    return why, [close_out, stay_in_touch_plan(application, closed_at=now, settings=settings)]


def _accepted_elsewhere(decision: _Decision) -> tuple[str, list[Message]]:
    """Stage withdrawn; every pending message cancelled; a withdrawal note (or at once)."""
    why = (
        "You accepted another offer: every pending message is cancelled and a "
        "withdrawal note is drafted, so they are not left waiting."
    )
    decision.stage_set(Application.Stage.WITHDRAWN, why)
    decision.cancel(
        pending_messages(decision.application),
        "You accepted another offer: nothing else goes out for this application.",
    )
    due = cadence.close_out_due(
        logged_at=decision.now, calendar=decision.calendar, at_once=decision.at_once
    )
    note = draft_message(application=decision.application, stage=Stage.WITHDRAWAL, due_at=due)
    return why, [note]


def _other_offer(decision: _Decision) -> tuple[str, list[Message]]:
    """Stage unchanged; a note with the user's deadline, never due after it (spec §7)."""
    application, now, deadline = decision.application, decision.now, decision.deadline
    calendar = decision.calendar
    why = (
        f"Another offer came in, with an answer due by {_long_day(deadline)}: a note telling "
        "them your timeline is drafted; it may go before their own decision date."
    )
    timeline_record(
        application=application,
        kind=Kind.NOTE,
        summary=f"Another offer: your answer is due by {_long_day(deadline)}",
        detail=why,
        at=now,
    )
    decision.cancel(
        pending_messages(application, Stage.OFFER_DEADLINE),
        "Replaced by a note with your new deadline.",
    )
    note = draft_message(
        application=application,
        stage=Stage.OFFER_DEADLINE,
        due_at=cadence.offer_deadline_due(
            logged_at=now, deadline=deadline, calendar=calendar, at_once=decision.at_once
        ),
        context={"deadline": deadline},
    )
    if note.due_at is not None and calendar.local_date(note.due_at) > deadline:
        # A pending thank-you to the same person pushed it past the deadline: the deadline
        # wins over the usual order (it must reach them in time).
        note.due_at = cadence.offer_deadline_due(
            logged_at=now, deadline=deadline, calendar=calendar, at_once=True
        )
        Message.objects.filter(pk=note.pk).update(due_at=note.due_at)
    return why, [note]


_OUTCOME_STEPS = {
    actions.OFFER: _offer,
    actions.ACCEPTED: _accepted,
    actions.REJECTED: _rejected,
    actions.ACCEPTED_ELSEWHERE: _accepted_elsewhere,
    actions.OTHER_OFFER: _other_offer,
}


def stay_in_touch_plan(
    application: Application, *, closed_at: dt.datetime, settings: cadence.CadenceSettings
) -> Message:
    """A stay-in-touch draft N weeks after the close; its hook slot blocks approval until filled."""
    calendar, _ = selectors.cadence_inputs_for(user=application.user)
    due = cadence.stay_in_touch_due(closed_at=closed_at, calendar=calendar, settings=settings)
    # One note at a time: a quiet application that is then turned down plans it anew.
    messages_cancel(
        pending_messages(application, Stage.STAY_IN_TOUCH),
        reason="Replaced by a new stay-in-touch note.",
        at=closed_at,
    )
    return draft_message(application=application, stage=Stage.STAY_IN_TOUCH, due_at=due)
