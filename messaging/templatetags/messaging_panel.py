"""The application page's messages panel: messages grouped by where they stand, with checks."""

from __future__ import annotations

from django import template

from followup.accounts.services import profile_for
from followup.rules import actions, checks
from interviews.models import Application
from messaging import queue_selectors
from messaging.models import Message
from messaging.queue_selectors import QueueItem

register = template.Library()

Status = Message.Status

# Which group of the panel each status belongs to.
PENDING_GROUP = Message.PENDING_STATUSES
SENT_GROUP = (Status.SENDING, Status.SENT, Status.FAILED)
CANCELLED_GROUP = (Status.CANCELLED, Status.SKIPPED)

STATUS_COLOURS = {
    Status.DRAFT: "secondary",
    Status.APPROVED: "success",
    Status.HELD: "warning",
    Status.SENDING: "info",
    Status.SENT: "primary",
    Status.FAILED: "danger",
    Status.CANCELLED: "light",
    Status.SKIPPED: "light",
}
SEVERITY_COLOURS = {checks.ERROR: "danger", checks.BLOCK: "warning", checks.WARNING: "secondary"}


@register.simple_tag
def application_panel(application: Application) -> dict[str, object]:
    """The application's messages as pending / sent / cancelled, with the user's time zone.

    The items are the approval queue's (queue_selectors.QueueItem), checked by its bulk
    builder: a fixed number of queries however many messages the application has.
    """
    messages = list(
        queue_selectors.with_card_rows(Message.objects.filter(application=application)).order_by(
            "due_at", "pk"
        )
    )
    pending = queue_selectors.queue_items(
        user=application.user, messages=[m for m in messages if m.status in PENDING_GROUP]
    )
    return {
        "pending": pending,
        "sent": [QueueItem(m) for m in messages if m.status in SENT_GROUP][::-1],
        "cancelled": [QueueItem(m) for m in messages if m.status in CANCELLED_GROUP][::-1],
        # Where the panel's actions (messaging/queue_views.py) lead back to.
        "back": f"{application.get_absolute_url()}#messages",
        "time_zone": profile_for(user=application.user).time_zone,
        # What the page offers is the rule the services enforce (rules.actions): a forged
        # POST gets no further than a click would.
        **_offered(application),
    }


def _offered(application: Application) -> dict[str, bool]:
    """Which action buttons the panel shows: rules.actions.offered_actions, by name."""
    offered = actions.offered_actions(stage=application.stage, paused=application.paused)
    return {
        "ended": not offered,
        "can_pause": actions.PAUSE in offered,
        "can_offer": actions.OFFER in offered,
        "can_accept": actions.ACCEPTED in offered,
        "can_no_news": actions.NO_NEWS in offered,
        "can_other_offer": actions.OTHER_OFFER in offered,
    }


@register.filter
def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, "secondary")


@register.filter
def severity_colour(severity: str) -> str:
    return SEVERITY_COLOURS.get(severity, "secondary")
