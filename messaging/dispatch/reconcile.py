"""Settling unconfirmed sends with the ESP's own records, where it can tell.

Postmark keeps every email it accepted, searchable by the metadata we sent with it
(Outbound message search: GET /messages/outbound?metadata_message_id=<our pk>). Asked a
while after the attempt (longer than any request can still be on its way):
- found: it was sent; the message becomes sent with Postmark's id, as a delivery webhook
  would have made it;
- not found: Postmark never took it, so nothing reached the recipient and it goes back to
  approved, due now, to be sent by the dispatcher (the only automatic resend of an
  unconfirmed message, and only on the ESP's word that the first never existed);
- no answer (an error, a timeout): it stays unconfirmed and is asked again later.
Other ESPs: delivery and bounce webhooks settle it (webhooks.processing), or the user.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import requests
from django.conf import settings
from django.db.models import Q

from interviews.models import TimelineEvent
from messaging.dispatch.records import message_update_with_timeline
from messaging.models import Message
from messaging.side_tasks import message_sent_side_tasks
from messaging.status import message_label

logger = logging.getLogger(__name__)

Status = Message.Status
POSTMARK_BACKEND = "anymail.backends.postmark.EmailBackend"
DEFAULT_POSTMARK_API = "https://api.postmarkapp.com/"
BATCH = 100  # unconfirmed messages asked about per run


class SearchUnavailable(Exception):
    """The ESP's search gave no usable answer this time: ask again later."""


@dataclass(frozen=True)
class Found:
    esp_id: str
    status: str


class PostmarkSearch:
    """A small client of Postmark's Outbound message search, over one HTTP session."""

    def __init__(self, *, api_url: str, token: str, timeout: float) -> None:
        self.api_url = api_url if api_url.endswith("/") else api_url + "/"
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update(
            {"Accept": "application/json", "X-Postmark-Server-Token": token}
        )

    @classmethod
    def configured(cls) -> PostmarkSearch | None:
        """The client for this deployment's Postmark account; None when it sends otherwise."""
        if settings.EMAIL_BACKEND != POSTMARK_BACKEND:
            return None
        anymail = getattr(settings, "ANYMAIL", {}) or {}
        token = anymail.get("POSTMARK_SERVER_TOKEN") or anymail.get("POSTMARK_API_KEY")
        if not token:
            return None
        return cls(
            api_url=anymail.get("POSTMARK_API_URL") or DEFAULT_POSTMARK_API,
            token=str(token),
            timeout=float(anymail.get("REQUESTS_TIMEOUT") or 20),
        )

    def find(self, *, message: Message) -> Found | None:
        """The email Postmark accepted for this message, or None when it has none."""
        try:
            response = self.session.get(
                self.api_url + "messages/outbound",
                params={"count": 50, "offset": 0, "metadata_message_id": str(message.pk)},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise SearchUnavailable(str(exc)) from exc
        if response.status_code != 200:
            raise SearchUnavailable(f"status {response.status_code}")
        try:
            data = response.json()
            found = data["Messages"]
        except (ValueError, KeyError, TypeError) as exc:
            raise SearchUnavailable("an answer that could not be read") from exc
        for item in found if isinstance(found, list) else []:
            metadata = item.get("Metadata") or {}
            if str(metadata.get("message_id", "")) == str(message.pk):
                return Found(esp_id=str(item.get("MessageID", "")), status=str(item.get("Status")))
        return None

    def close(self) -> None:
        self.session.close()


def settle_after() -> dt.timedelta:
    """How long after the attempt its absence from the ESP's records means "never taken".

    Longer than a request can still be on its way (the client's timeout, twice over), and
    never under FOLLOWUP_RECONCILE_AFTER_SECONDS (the ESP's search may lag a little).
    """
    timeout = float((getattr(settings, "ANYMAIL", {}) or {}).get("REQUESTS_TIMEOUT") or 20)
    floor = float(getattr(settings, "FOLLOWUP_RECONCILE_AFTER_SECONDS", 120))
    return dt.timedelta(seconds=max(floor, 2 * timeout))


def unconfirmed_reconcile(*, now: dt.datetime, limit: int = BATCH) -> int:
    """Ask the ESP about unconfirmed sends old enough to tell; how many it settled."""
    client = PostmarkSearch.configured()
    if client is None:
        return 0
    waiting = (
        Message.objects.filter(status=Status.UNCONFIRMED, send_started_at__lt=now - settle_after())
        .select_related("application", "interview", "contact")
        .order_by("send_started_at", "pk")[:limit]
    )
    settled = 0
    try:
        for message in waiting:
            try:
                found = client.find(message=message)
            except SearchUnavailable as exc:
                logger.warning("Postmark search gave no answer for message %s: %s", message.pk, exc)
                break  # the service is not answering: the next run asks again
            if found is not None:
                settled += unconfirmed_settle_sent(
                    message=message, esp_id=found.esp_id, how="the mail service's records"
                )
            else:
                settled += _never_taken(message=message, now=now)
    finally:
        client.close()
    return settled


def unconfirmed_settle_sent(*, message: Message, esp_id: str, how: str) -> int:
    """The ESP has the email: the unconfirmed message was sent (once); 1 when it moved."""
    sent_at = message.send_started_at
    done = message_update_with_timeline(
        message=message,
        where=Q(status=Status.UNCONFIRMED),
        kind=TimelineEvent.Kind.SENT,
        summary=f"Sent: {message_label(message)}",
        detail=f"Confirmed by {how}.",
        at=sent_at,
        status=Status.SENT,
        sent_at=sent_at,
        esp_message_id=(esp_id or message.esp_message_id)[:300],
        status_reason="",
        outcome_unknown=False,
    )
    if done:
        message.refresh_from_db()
        message_sent_side_tasks(message=message)
    return int(done)


def _never_taken(*, message: Message, now: dt.datetime) -> int:
    """The ESP has no such email long after the attempt: it never left; send it now."""
    return int(
        message_update_with_timeline(
            message=message,
            where=Q(status=Status.UNCONFIRMED, send_started_at=message.send_started_at),
            kind=TimelineEvent.Kind.NOTE,
            summary=f"Sending again: {message_label(message)}",
            detail="The mail service has no record of taking it, so it never went out. "
            "It goes out again now, once.",
            at=now,
            status=Status.APPROVED,
            due_at=now,
            claimed_at=None,
            send_started_at=None,
            status_reason="",
            outcome_unknown=False,
        )
    )
