"""The application page's messages panel: messages grouped by where they stand, with checks."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.db.models import Count, F, Q
from django.http import QueryDict

from followup.accounts.services import profile_for
from followup.rules import actions, checks
from interviews.models import Application
from messaging import queue_selectors
from messaging.forms import UndoOutcomeForm
from messaging.models import Message
from messaging.queue_selectors import QueueItem

register = template.Library()

Status = Message.Status

# Which group of the panel each status belongs to.
PENDING_GROUP = Message.PENDING_STATUSES
SENT_GROUP = (Status.SENDING, Status.SENT, Status.FAILED, Status.UNCONFIRMED)
CANCELLED_GROUP = (Status.CANCELLED, Status.SKIPPED)

STATUS_COLOURS = {
    Status.DRAFT: "secondary",
    Status.APPROVED: "success",
    Status.HELD: "warning",
    Status.SENDING: "info",
    Status.SENT: "primary",
    Status.FAILED: "danger",
    Status.UNCONFIRMED: "warning",
    Status.CANCELLED: "light",
    Status.SKIPPED: "light",
}
SEVERITY_COLOURS = {checks.ERROR: "danger", checks.BLOCK: "warning", checks.WARNING: "secondary"}


# Messages of each group on one page of the panel: a long history is paged, so the page
# costs about the same with ten messages as with a thousand. The waiting ones are checked
# (a couple of milliseconds each) and worked through in the queue: a few show here.
PANEL_PAGE_SIZE = 10
PENDING_PAGE_SIZE = 5


@dataclass
class PanelList:
    """One group of the panel, one page of it: its items, its size, links to its neighbours."""

    key: str  # the group's name; its page number travels as ?<key>_page=
    items: list[QueueItem]
    total: int
    number: int
    size: int
    previous_url: str = ""
    next_url: str = ""

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def paged(self) -> bool:
        return self.total > self.size

    def __bool__(self) -> bool:
        return self.total > 0


def page_number(query: QueryDict, key: str, *, total: int, size: int) -> int:
    """The page asked for in ?<key>=, within 1..last; anything else is page 1."""
    raw = query.get(key, "")
    number = int(raw) if raw.isdigit() and len(raw) <= 9 else 1
    return min(max(number, 1), max(1, -(-total // size)))


def page_url(query: QueryDict, key: str, number: int, *, anchor: str) -> str:
    """This page's address with ?<key>=number, the other groups' pages kept."""
    changed = query.copy()
    changed[key] = str(number)
    return f"?{changed.urlencode()}#{anchor}"


# Where each group stands and its order: the soonest due first while waiting, the latest
# first once sent or dropped.
_GROUPS = {
    "pending": (PENDING_GROUP, (F("due_at").asc(nulls_last=True), "pk"), PENDING_PAGE_SIZE),
    "sent": (SENT_GROUP, (F("due_at").desc(nulls_first=True), "-pk"), PANEL_PAGE_SIZE),
    "cancelled": (CANCELLED_GROUP, (F("due_at").desc(nulls_first=True), "-pk"), PANEL_PAGE_SIZE),
}


def _panel_lists(application: Application, query: QueryDict) -> dict[str, PanelList]:
    """A page of each group: one query counts them, one per non-empty group reads its page."""
    mine = Message.objects.filter(application=application)
    totals = mine.aggregate(
        **{key: Count("pk", filter=Q(status__in=group[0])) for key, group in _GROUPS.items()}
    )
    lists = {}
    for key, (statuses, order, size) in _GROUPS.items():
        total = totals[key]
        param = f"{key}_page"
        number = page_number(query, param, total=total, size=size)
        rows: list[Message] = []
        if total:
            start = (number - 1) * size
            rows = list(
                queue_selectors.with_card_rows(mine.filter(status__in=statuses)).order_by(*order)[
                    start : start + size
                ]
            )
        panel_list = PanelList(
            key=key, items=[QueueItem(m) for m in rows], total=total, number=number, size=size
        )
        if number > 1:
            panel_list.previous_url = page_url(query, param, number - 1, anchor="messages")
        if number < panel_list.num_pages:
            panel_list.next_url = page_url(query, param, number + 1, anchor="messages")
        lists[key] = panel_list
    return lists


@register.simple_tag(takes_context=True)
def application_panel(context: template.Context, application: Application) -> dict[str, object]:
    """The application's messages as pending / sent / cancelled, with the user's time zone.

    Each group is paged (?pending_page=, ?sent_page=, ?cancelled_page=). The
    pending items are the approval queue's (queue_selectors.QueueItem), checked by its bulk
    builder: a fixed number of queries however many messages the application has.
    """
    request = context.get("request")
    query = request.GET if request is not None else QueryDict()
    lists = _panel_lists(application, query)
    pending = lists["pending"]
    pending.items = queue_selectors.queue_items(
        user=application.user, messages=[item.message for item in pending.items]
    )
    return {
        **lists,
        # Where the panel's actions (messaging/queue_views.py) lead back to.
        "back": f"{application.get_absolute_url()}#messages",
        "time_zone": profile_for(user=application.user).time_zone,
        # What the page offers is the rule the services enforce (rules.actions): a forged
        # POST gets no further than a click would.
        **_offered(application),
    }


def _offered(application: Application) -> dict[str, object]:
    """Which action buttons the panel shows: rules.actions.offered_actions, by name."""
    offered = actions.offered_actions(stage=application.stage, paused=application.paused)
    labels = dict(UndoOutcomeForm.THEN_CHOICES)
    return {
        "can_undo": actions.undo_offered(application.stage),
        # A settled application's outcome may be replaced in one step (an offer's are offered
        # by the panel's usual buttons).
        "changes": [
            (outcome, labels[outcome])
            for outcome in actions.changes_offered(application.stage)
            if not offered
        ],
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
