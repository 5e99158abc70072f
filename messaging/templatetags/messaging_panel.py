"""The application page's messages panel: messages grouped by where they stand, with checks."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import template
from django.utils.safestring import SafeString, mark_safe

from followup.accounts.services import profile_for
from interviews.models import Application
from messaging import checks, services
from messaging.models import Message

register = template.Library()

Status = Message.Status

# Which group of the panel each status belongs to.
PENDING_GROUP = (Status.DRAFT, Status.APPROVED, Status.HELD)
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


@dataclass
class PanelItem:
    """One message as the panel shows it."""

    message: Message
    findings: list[checks.Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[checks.Finding]:
        return [f for f in self.findings if f.severity == checks.ERROR]

    @property
    def warnings(self) -> list[checks.Finding]:
        return [f for f in self.findings if f.severity == checks.WARNING]

    @property
    def pestering(self) -> bool:
        """Approval needs the override checkbox (a pestering block and no error)."""
        return any(f.severity == checks.BLOCK for f in self.findings) and not self.errors

    @property
    def can_approve(self) -> bool:
        return self.message.approved_at is None and self.message.status in (
            Status.DRAFT,
            Status.HELD,
        )


@register.simple_tag
def application_panel(application: Application) -> dict[str, object]:
    """The application's messages as pending / sent / cancelled, with the user's time zone."""
    messages = list(
        Message.objects.filter(application=application)
        .select_related("application__company", "application__user", "contact")
        .order_by("due_at", "pk")
    )
    pending = [
        PanelItem(m, services.message_findings(message=m))
        for m in messages
        if m.status in PENDING_GROUP
    ]
    return {
        "pending": pending,
        "sent": [PanelItem(m) for m in messages if m.status in SENT_GROUP][::-1],
        "cancelled": [PanelItem(m) for m in messages if m.status in CANCELLED_GROUP][::-1],
        "time_zone": profile_for(user=application.user).time_zone,
        # A quiet application can still hear back; only settled ones lose the actions.
        "ended": application.has_ended and application.stage != Application.Stage.QUIET,
        "can_pause": not application.has_ended,
    }


@register.filter
def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, "secondary")


@register.filter
def severity_colour(severity: str) -> str:
    return SEVERITY_COLOURS.get(severity, "secondary")


@register.simple_tag
def highlighted(text: str, findings: list[checks.Finding], field: str = "body") -> SafeString:
    """The text, escaped, with the findings' spans marked."""
    return mark_safe(checks.highlight(text, findings, field=field))  # highlight() escapes the text
