"""django-post-office's send_queued() on the bench's messages (run by perf.bench_dispatch).

A process of its own, on perf.settings_post_office: post_office is never in the app's
INSTALLED_APPS. Copies every message of the scratch database into post_office's queue as
the same email (sender, recipient, subject, both bodies, headers), then calls
send_queued(processes=8) until the queue is empty, the way its send_queued_mail command
does. Prints one JSON line: {"seconds": ..., "sent": ..., "failed": ...}.
"""

from __future__ import annotations

import json
import sys
import time


def main() -> int:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "post_office", interactive=False, verbosity=0)
    from post_office.mail import send_queued
    from post_office.models import STATUS, Email

    from messaging.dispatch.outgoing import build_email
    from messaging.models import Message

    processes = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    rows = []
    for message in Message.objects.select_related("user").order_by("pk"):
        mail = build_email(message=message, sender_name="Alex Morgan")
        rows.append(
            Email(
                from_email=mail.from_email,
                to=mail.to,
                subject=mail.subject,
                message=mail.body,
                html_message=message.body_html,
                headers=mail.extra_headers | {"Reply-To": ", ".join(mail.reply_to)},
                status=STATUS.queued,
            )
        )
    Email.objects.bulk_create(rows, batch_size=1000)

    from django.db import connections

    connections.close_all()
    start = time.monotonic()
    sent = failed = 0
    while Email.objects.filter(status=STATUS.queued).exists():
        s, f, _ = send_queued(processes=processes)
        sent, failed = sent + s, failed + f
        # Its forked children close the database session they inherited, which ends the
        # parent's too: start a fresh one, as its send_queued_mail command's next run would.
        _drop_connections()
        if s == 0 and f == 0:
            break
    seconds = time.monotonic() - start
    print(json.dumps({"seconds": round(seconds, 3), "sent": sent, "failed": failed}))
    return 0


def _drop_connections() -> None:
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:
            connection.connection = None


if __name__ == "__main__":
    sys.exit(main())
