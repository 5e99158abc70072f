"""The practical floor of `make bench`: N processes sending prebuilt emails, nothing else.

No database, no Celery: each process opens one connection of the configured Anymail
backend and sends its share of the emails one after another, as fast as the ESP answers.
"""

from __future__ import annotations

import multiprocessing
import time
from typing import Any

_MAILS: list[Any] = []


def _send_share(bounds: tuple[int, int]) -> int:
    from django.core.mail import get_connection

    backend = get_connection()
    backend.open()
    sent = 0
    try:
        for mail in _MAILS[bounds[0] : bounds[1]]:
            mail.connection = backend
            sent += backend.send_messages([mail])
    finally:
        backend.close()
    return sent


def floor_seconds(mails: list[Any], *, processes: int) -> tuple[float, int]:
    """Send `mails` with `processes` forked processes; (wall seconds, emails sent)."""
    global _MAILS
    from django.db import connections

    connections.close_all()  # the children must not share the parent's database session
    _MAILS = mails
    size = -(-len(mails) // processes)
    shares = [(start, min(start + size, len(mails))) for start in range(0, len(mails), size)]
    context = multiprocessing.get_context("fork")
    with context.Pool(processes) as pool:
        start = time.monotonic()
        sent = sum(pool.map(_send_share, shares, chunksize=1))
        seconds = time.monotonic() - start
    _MAILS = []
    return seconds, sent


def main() -> int:
    """Run as its own process (`python -m perf.floor 8`): build the run's emails, time the floor.

    Prints one JSON line: {"seconds": ..., "sent": ...}.
    """
    import json
    import sys

    import django

    django.setup()
    from messaging.dispatch.outgoing import build_email
    from messaging.models import Message

    processes = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    mails = [
        build_email(message=message, sender_name="Alex Morgan")
        for message in Message.objects.select_related("user").order_by("pk")
    ]
    seconds, sent = floor_seconds(mails, processes=processes)
    print(json.dumps({"seconds": round(seconds, 3), "sent": sent}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
