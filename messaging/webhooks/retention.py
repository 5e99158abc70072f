"""Forgetting raw mail: webhook payloads older than the retention setting are emptied.

A payload holds what the ESP sent: an inbound reply's full raw message (with its quoted
history and attachments) or a delivery report naming the recipient. Once processed, what the
user needs from it lives elsewhere (the reply's text on the timeline, the message's delivery
status), so after FOLLOWUP_RAW_MAIL_RETENTION_DAYS the payload is replaced by a marker. The
row itself stays, stripped: its event_id is what makes an ESP's late re-delivery of the same
event a no-op instead of a second reply.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from messaging.models import EmailEvent

# The key a pruned payload holds, with the moment it was pruned.
PRUNED_KEY = "pruned_at"
PRUNE_BATCH = 1000


def raw_mail_prune(*, now: dt.datetime, keep_days: int, batch: int = PRUNE_BATCH) -> int:
    """Empty the payloads of events received more than `keep_days` days ago; how many.

    Events still waiting to be processed keep theirs whatever their age: processing needs
    it, and the sweep marks an event failed long before any sensible retention runs out.
    Works in batches so one run never holds a long transaction over a large table.
    """
    cutoff = now - dt.timedelta(days=keep_days)
    stale = (
        EmailEvent.objects.filter(received_at__lt=cutoff)
        .exclude(processed_at__isnull=True, failed_at__isnull=True)
        .exclude(payload__has_key=PRUNED_KEY)
    )
    marker = {PRUNED_KEY: now.isoformat()}
    pruned = 0
    while True:
        with transaction.atomic():
            ids = list(stale.order_by("pk").values_list("pk", flat=True)[:batch])
            if not ids:
                return pruned
            pruned += EmailEvent.objects.filter(pk__in=ids).update(payload=marker)
