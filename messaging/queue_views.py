"""The approval queue: drafts to clear every morning, and the Scheduled, Sent and Failed tabs.

Every action works two ways: with htmx (request.htmx) it answers with the card to swap in
place, the page's counts swapped in out of band (_counts) and an HX-Trigger carrying the new
badge count; without JavaScript it is a plain form POST answered with a redirect and a flash
message. These are the only approve, unapprove, skip and edit views: the application page's
panel posts here too, with a `next` leading back to it.
"""

from __future__ import annotations

import copy
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from followup.accounts.dictionary import DictionaryRefused, dictionary_word_add
from followup.owned import get_owned_or_404
from followup.rules.calendar import SenderCalendar, local_time_label
from messaging import queue_selectors, selectors
from messaging.dispatch.sending import is_interrupted
from messaging.forms import ApproveForm, SkipForm
from messaging.models import Message
from messaging.queue_forms import IdsForm, QueueEditForm, RetryForm, SendAgainForm, SnoozeForm
from messaging.services import approval, editing
from messaging.services import send_again as send_again_service
from messaging.services.refusals import ActionRefused, ApprovalBlocked
from messaging.status import message_label
from messaging.tasks import send_message
from messaging.views import redirect_back

Status = Message.Status

# The htmx event an action that changed the queue fires, with the badge's new count.
QUEUE_CHANGED = "queueChanged"
# The tabs a queue page's htmx requests may name in `queue_tab` (queue/base.html).
TABS = ("drafts", "scheduled", "sent", "failed", "unconfirmed")


# -- helpers --------------------------------------------------------------------------------------


def _owned(request: HttpRequest, pk: int) -> Message:
    return get_owned_or_404(
        queue_selectors.with_card_rows(Message.objects.all()), user=request.user, pk=pk
    )


def _back(request: HttpRequest, default: str = "messaging:queue") -> HttpResponseRedirect:
    """Back to the page the action came from (a safe `next`), else the queue."""
    return redirect_back(request, default=reverse(default))


def _here(request: HttpRequest) -> str:
    """The page the user is on, for `next` fields (an htmx request comes from the queue page)."""
    if request.htmx and request.htmx.current_url_abs_path:
        return request.htmx.current_url_abs_path
    return request.get_full_path()


def _render(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    """Render with what every queue template needs: the user's zone and where to come back to."""
    context.setdefault("here", _here(request))
    context.setdefault("zone", _zone(request))
    return render(request, template, context)


def _calendar(request: HttpRequest) -> SenderCalendar:
    return selectors.cadence_inputs_for(user=request.user)[0]


def _zone(request: HttpRequest) -> dt.tzinfo:
    return _calendar(request).zone


def _counts(request: HttpRequest, message: Message | None, *, open_card: bool) -> bytes:
    """The counts the page shows, for swapping in out of band; nothing unless it names its tab.

    Rendered from the same partials and selectors as the full page. On the drafts tab,
    "Approve all" counts the cards still open there (the page sends their ids) that nothing
    blocks: this message's card is one if the answer is an open card, not if it is done.
    """
    data = request.POST if request.method == "POST" else request.GET
    tab = data.get("queue_tab")
    if tab not in TABS:
        return b""
    context: dict[str, object] = {
        "tab": tab,
        "counts": queue_selectors.queue_counts(user=request.user),
    }
    if tab == "drafts":
        ids = set(IdsForm(data).ids)
        if message is not None:
            if open_card:
                ids.add(message.pk)
            else:
                ids.discard(message.pk)
        context["ready"] = len(queue_selectors.ready_draft_ids(user=request.user, ids=ids))
    return render_to_string("messaging/queue/_counts.html", context, request=request).encode()


def _changed(
    request: HttpRequest,
    response: HttpResponse,
    message: Message | None = None,
    *,
    open_card: bool = False,
) -> HttpResponse:
    """Tell the page the queue changed: its new counts, and an event with the badge's count."""
    response.content += _counts(request, message, open_card=open_card)
    count = queue_selectors.drafts_awaiting_count(user=request.user)
    return trigger_client_event(response, QUEUE_CHANGED, {"count": count})


def _card(
    request: HttpRequest, message: Message, *, error: str = "", notice: str = ""
) -> HttpResponse:
    """One draft's card as the queue shows it (an htmx swap)."""
    item = queue_selectors.queue_item(user=request.user, message=message)
    return _render(
        request, "messaging/queue/_card.html", {"item": item, "error": error, "notice": notice}
    )


def _done(request: HttpRequest, message: Message, *, text: str, undo: bool = False) -> HttpResponse:
    """The compact row a card becomes once it is dealt with (an htmx swap)."""
    response = _render(
        request, "messaging/queue/_done.html", {"message": message, "text": text, "undo": undo}
    )
    return _changed(request, response, message)


def _refused(request: HttpRequest, message: Message, error: str) -> HttpResponse:
    """Say why an action did not happen: on the card (htmx) or as a flash message."""
    if not request.htmx:
        messages.error(request, error)
        return _back(request)
    message = _owned(request, message.pk)
    if message.status == Status.DRAFT:
        return _card(request, message, error=error)
    # No longer a draft (dealt with in another tab, or sent meanwhile): no actions to offer.
    return _done(request, message, text=error)


def _form_error_text(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _when(message: Message, request: HttpRequest) -> str:
    return local_time_label(message.due_at, _calendar(request))


# -- pages ----------------------------------------------------------------------------------------


def _tab(request: HttpRequest, template: str, tab: str, **context: object) -> HttpResponse:
    context |= {"tab": tab, "counts": queue_selectors.queue_counts(user=request.user)}
    return _render(request, template, context)


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Drafts awaiting approval, grouped Overdue / Today / Tomorrow / Later."""
    page = queue_selectors.queue_page(user=request.user, page_number=request.GET.get("page"))
    return _tab(request, "messaging/queue/drafts.html", "drafts", queue=page)


@login_required
@require_GET
def scheduled(request: HttpRequest) -> HttpResponse:
    page = queue_selectors.scheduled_page(user=request.user, page_number=request.GET.get("page"))
    return _tab(request, "messaging/queue/scheduled.html", "scheduled", page=page)


@login_required
@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    page = queue_selectors.sent_page(user=request.user, page_number=request.GET.get("page"))
    return _tab(request, "messaging/queue/sent.html", "sent", page=page)


@login_required
@require_GET
def failed(request: HttpRequest) -> HttpResponse:
    page = queue_selectors.failed_page(user=request.user, page_number=request.GET.get("page"))
    return _tab(request, "messaging/queue/failed.html", "failed", page=page)


@login_required
@require_GET
def unconfirmed(request: HttpRequest) -> HttpResponse:
    """Sends the mail service never confirmed: they may have arrived, so apart from failures."""
    page = queue_selectors.unconfirmed_page(user=request.user, page_number=request.GET.get("page"))
    return _tab(request, "messaging/queue/unconfirmed.html", "unconfirmed", page=page)


@login_required
@require_GET
def card(request: HttpRequest, pk: int) -> HttpResponse:
    """One card again (cancelling an inline edit)."""
    message = _owned(request, pk)
    if message.status != Status.DRAFT:
        return _done(request, message, text=f"{message.get_status_display()}.")
    return _card(request, message)


# -- editing --------------------------------------------------------------------------------------


def _edit_form(request: HttpRequest, message: Message, data=None) -> QueueEditForm:
    return QueueEditForm(
        data,
        message=message,
        time_zone=str(_zone(request)),
        check_url=reverse("messaging:queue_check", args=[message.pk]),
        findings_target=f"#edit-findings-{message.pk}",
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit recipient, subject, text and time: inline with htmx, as a page without it."""
    message = _owned(request, pk)
    if message.status not in Message.PENDING_STATUSES:
        return _refused(request, message, "This message can no longer be edited.")
    form = _edit_form(request, message, request.POST if request.method == "POST" else None)
    error = ""
    if request.method == "POST" and form.is_valid():
        was_approved = message.approved_at is not None
        try:
            message = editing.message_edit(message=message, user=request.user, **form.cleaned_data)
        except ActionRefused as exc:
            error = str(exc)
        else:
            saved = "Saved."
            if was_approved and message.approved_at is None:
                saved = "Saved. It was approved before: approve it again to send it."
            if request.htmx:
                card = _card(request, message, notice=saved)
                return _changed(request, card, message, open_card=True)
            if saved != "Saved.":
                messages.warning(request, f"{message_label(message)}: {saved}")
            else:
                messages.success(request, f"Saved your changes: {message_label(message)}.")
            return _back(request)
    item = queue_selectors.queue_item(user=request.user, message=message)
    context: dict[str, object] = {"item": item, "form": form, "error": error}
    if request.htmx:
        return _render(request, "messaging/queue/_edit.html", context)
    # The page of its own (no JavaScript): "next", Save and Cancel lead back where it came from.
    context["here"] = _back(request).url
    return _render(request, "messaging/queue/edit.html", context)


@login_required
@require_POST
def check(request: HttpRequest, pk: int) -> HttpResponse:
    """Re-run the checks on the version being typed; answers with the findings partial."""
    message = _owned(request, pk)
    form = _edit_form(request, message, request.POST)
    form.is_valid()
    cleaned = form.cleaned_data
    draft = copy.copy(message)
    draft.to_email = cleaned.get("to_email", request.POST.get("to_email", "")).strip()
    draft.subject = cleaned.get("subject", request.POST.get("subject", ""))
    draft.body_text = cleaned.get("body_text", request.POST.get("body_text", "")).replace(
        "\r\n", "\n"
    )
    draft.due_at = cleaned.get("due_at") or message.due_at
    # The same entry point as approval: what is checked here is what approving will judge.
    findings = approval.message_findings(
        message=message,
        to_email=draft.to_email,
        subject=draft.subject,
        body_text=draft.body_text,
        due_at=draft.due_at,
    )
    item = queue_selectors.QueueItem(message=draft, findings=findings)
    return _render(request, "messaging/queue/_check.html", {"item": item})


# -- actions --------------------------------------------------------------------------------------


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    message = _owned(request, pk)
    form = ApproveForm(request.POST)
    override = form.is_valid() and form.cleaned_data["override_pestering"]
    try:
        message = approval.message_approve(
            message=message, user=request.user, override_pestering=override
        )
    except ActionRefused as exc:
        return _refused(request, message, str(exc))
    text = f"Approved: goes out {_when(message, request)}."
    if message.status == Status.HELD:
        text = "Approved: it waits while the application is on hold."
    if request.htmx:
        return _done(request, message, text=text, undo=True)
    messages.success(request, f"{message_label(message)}: {text}")
    return _back(request)


@login_required
@require_POST
def unapprove(request: HttpRequest, pk: int) -> HttpResponse:
    message = _owned(request, pk)
    try:
        message = approval.message_unapprove(message=message, user=request.user)
    except ActionRefused as exc:
        return _refused(request, message, str(exc))
    if request.htmx:
        if request.POST.get("back") == "card" and message.status == Status.DRAFT:
            card = _card(request, message, notice="Back in the queue.")
            return _changed(request, card, message, open_card=True)
        # On the Scheduled tab the row leaves: it is a draft again, in the queue.
        return _changed(request, HttpResponse(""))
    messages.info(
        request,
        f"Approval withdrawn: {message_label(message)} is a draft again; it will not go out "
        "until you approve it again.",
    )
    return _back(request)


@login_required
@require_POST
def skip(request: HttpRequest, pk: int) -> HttpResponse:
    message = _owned(request, pk)
    form = SkipForm(request.POST)
    if not form.is_valid():
        return _refused(request, message, _form_error_text(form))
    try:
        message = editing.message_skip(
            message=message, user=request.user, reason=form.cleaned_data["reason"]
        )
    except ActionRefused as exc:
        return _refused(request, message, str(exc))
    text = f"Skipped: {message.status_reason}"
    if request.htmx:
        return _done(request, message, text=text)
    messages.info(request, f"{message_label(message)} skipped: it will not be sent.")
    return _back(request)


@login_required
@require_POST
def send_now(request: HttpRequest, pk: int) -> HttpResponse:
    message = _owned(request, pk)
    form = ApproveForm(request.POST)
    override = form.is_valid() and form.cleaned_data["override_pestering"]
    try:
        message = approval.message_send_now(
            message=message,
            user=request.user,
            override_pestering=override,
            enqueue=send_message.delay_on_commit,
        )
    except ActionRefused as exc:
        return _refused(request, message, str(exc))
    # The send task runs after this response (and re-checks it, §7): the queue shows where
    # it ended up, so "sending" is all that is known here.
    text = "Sending now."
    if request.htmx:
        return _done(request, message, text=text)
    messages.success(request, f"{message_label(message)}: {text}")
    return _back(request)


@login_required
@require_POST
def snooze(request: HttpRequest, pk: int) -> HttpResponse:
    message = _owned(request, pk)
    calendar, _ = selectors.cadence_inputs_for(user=request.user)
    form = SnoozeForm(request.POST, calendar=calendar)
    if not form.is_valid():
        return _refused(request, message, _form_error_text(form))
    try:
        message = editing.message_snooze(
            message=message, user=request.user, until=form.cleaned_data["due_at"]
        )
    except ActionRefused as exc:
        return _refused(request, message, str(exc))
    text = f"Snoozed until {_when(message, request)}."
    if request.htmx:
        return _done(request, message, text=text)
    messages.info(request, f"{message_label(message)}: {text}")
    return _back(request)


@login_required
@require_POST
def approve_all(request: HttpRequest) -> HttpResponse:
    """Approve every shown draft that nothing blocks, after a confirmation showing how many."""
    form = IdsForm(request.POST)
    form.is_valid()
    if not form.cleaned_data.get("confirmed"):
        ready = queue_selectors.ready_draft_ids(user=request.user, ids=form.ids)
        return _render(
            request,
            "messaging/queue/approve_all_confirm.html",
            {"ids": ready, "left": len(form.ids) - len(ready), "next": _back(request).url},
        )
    result = approval.messages_approve_many(user=request.user, ids=form.ids)
    count = len(result.approved)
    if count:
        messages.success(request, f"Approved {count} message{'s' if count != 1 else ''}.")
    else:
        messages.info(request, "Nothing was approved: no shown draft was ready.")
    if result.left:
        messages.warning(
            request,
            f"{result.left} left waiting: the checks block {'them' if result.left > 1 else 'it'}.",
        )
    return _back(request)


@login_required
@require_http_methods(["GET", "POST"])
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Fix a failed message and send it again (approved, due now)."""
    message = _owned(request, pk)
    if message.status != Status.FAILED:
        messages.error(request, "Only a message that failed to send can be retried.")
        return _back(request, "messaging:queue_failed")
    zone = str(_zone(request))
    form = RetryForm(
        request.POST if request.method == "POST" else None,
        message=message,
        time_zone=zone,
        interrupted=is_interrupted(message),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            editing.message_retry(
                message=message,
                user=request.user,
                to_email=data["to_email"],
                subject=data["subject"],
                body_text=data["body_text"],
                override_pestering=data["override_pestering"],
                confirmed_not_delivered=data.get("confirmed_not_delivered", False),
            )
        except ApprovalBlocked as exc:
            form.add_error(None, str(exc))
            if exc.needs_pestering_override:
                form.add_error("override_pestering", "Tick this to send it anyway.")
        except ActionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Approved again: {message_label(message)} goes now.")
            return HttpResponseRedirect(reverse("messaging:queue_scheduled"))
    item = queue_selectors.queue_item(user=request.user, message=message)
    return _render(request, "messaging/queue/retry.html", {"form": form, "item": item})


@login_required
@require_http_methods(["GET", "POST"])
def send_again(request: HttpRequest, pk: int) -> HttpResponse:
    """Send an unconfirmed message again, once the user accepts it may arrive twice."""
    message = _owned(request, pk)
    if message.status != Status.UNCONFIRMED:
        messages.error(request, "Only a message whose sending was not confirmed can be sent again.")
        return _back(request, "messaging:queue_unconfirmed")
    form = SendAgainForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            send_again_service.message_send_again(
                message=message, user=request.user, accept_second_copy=True
            )
        except ActionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"Sending again: {message_label(message)} goes out within a minute."
            )
            return HttpResponseRedirect(reverse("messaging:queue_scheduled"))
    return _render(request, "messaging/queue/send_again.html", {"form": form, "message": message})


# -- the personal dictionary ----------------------------------------------------------------------


def _other_open_cards(request: HttpRequest, *, leave_out: int) -> bytes:
    """The other drafts open on the page, checked again, to swap in out of band.

    A card being edited is left alone (its swap targets only a card not in edit mode): the
    text being typed is never thrown away; its live re-check picks the new word up.
    """
    ids = [pk for pk in IdsForm(request.POST).ids if pk != leave_out]
    if not ids:
        return b""
    drafts = list(queue_selectors.queue_drafts(user=request.user).filter(pk__in=ids))
    context = {"here": _here(request), "zone": _zone(request), "oob": True}
    return b"".join(
        render_to_string(
            "messaging/queue/_card.html", context | {"item": item}, request=request
        ).encode()
        for item in queue_selectors.queue_items(user=request.user, messages=drafts)
    )


@login_required
@require_POST
def add_word(request: HttpRequest, pk: int) -> HttpResponse:
    """Add to my dictionary, from a spelling warning: no draft of the user flags it again.

    Findings are worked out whenever a draft is shown, so every draft counts the word at
    once; with htmx the answer brings this card and the other cards open on the page back
    checked again, without JavaScript the page it came from is shown again.
    """
    message = _owned(request, pk)
    try:
        entry, _ = dictionary_word_add(user=request.user, word=request.POST.get("word", ""))
    except DictionaryRefused as exc:
        return _refused(request, message, str(exc))
    notice = f"Added “{entry.word}” to your dictionary: no draft flags it as a misspelling now."
    if not request.htmx:
        messages.success(request, notice)
        return _back(request)
    if message.status == Status.DRAFT:
        response = _card(request, message, notice=notice)
    else:  # dealt with in another tab meanwhile: no card to show the word on
        response = _done(request, message, text=notice)
    response.content += _other_open_cards(request, leave_out=message.pk)
    return response
