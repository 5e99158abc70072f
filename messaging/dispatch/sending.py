"""Sending one claimed message ("send now"): the chunk's path with a chunk of one.

The names the rest of the app and the tests read (what an error means, the re-check, the
reason shown on an unconfirmed send) are gathered here from the modules that define them.
"""

from __future__ import annotations

from messaging.dispatch.chunks import send_claimed
from messaging.dispatch.errors import (
    PERMANENT,
    TRANSIENT,
    UNKNOWN,
    classify_send_error,
    esp_reason,
)
from messaging.dispatch.recheck import Stop, recheck
from messaging.dispatch.records import UNCONFIRMED_REASON
from messaging.models import Message

__all__ = [
    "INTERRUPTED_REASON",
    "PERMANENT",
    "TRANSIENT",
    "UNCONFIRMED_REASON",
    "UNKNOWN",
    "Stop",
    "classify_send_error",
    "esp_reason",
    "is_interrupted",
    "message_send",
    "recheck",
]

Status = Message.Status

# The name the queue's code knows the unconfirmed reason by.
INTERRUPTED_REASON = UNCONFIRMED_REASON


def is_interrupted(message: Message) -> bool:
    """A send the ESP may have taken without saying so (unconfirmed): it may have arrived."""
    # A failed row still flagged is one written before the unconfirmed status existed.
    return message.status == Status.UNCONFIRMED or (
        message.status == Status.FAILED and message.outcome_unknown
    )


def message_send(*, message_id: int, in_window_only: bool = False) -> str:
    """Re-check one claimed message, send it once, record it; its status afterwards.

    Its claim's time is not known here (the claim was made in a request), so the gate takes
    any unstarted claim of the row: whichever of this task and a dispatcher's chunk reaches
    the gate first sends it, the other finds it started. A message already started, or
    settled, is left as it is: the sweep, never a guess here, decides an open attempt.
    """
    result = send_claimed(ids=[message_id], token=None, in_window_only=in_window_only)
    if message_id in result.statuses:
        return result.statuses[message_id]
    status = Message.objects.filter(pk=message_id).values_list("status", flat=True).first()
    return status or "missing"
