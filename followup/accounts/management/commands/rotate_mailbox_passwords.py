"""manage.py rotate_mailbox_passwords: the own-mailbox passwords encrypted with the new key."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from followup.accounts.mailboxes import mailbox_passwords_rotate
from followup.accounts.secrets import NO_KEY, can_keep_secrets


class Command(BaseCommand):
    help = (
        "Encrypt every stored mailbox password again with the first key of "
        "FOLLOWUP_FIELD_ENCRYPTION_KEY; after it, the older keys can be removed."
    )

    def handle(self, *args: object, **options: object) -> None:
        if not can_keep_secrets():
            raise CommandError(NO_KEY)
        rotated, unreadable = mailbox_passwords_rotate()
        self.stdout.write(f"{rotated} mailbox passwords encrypted with the first key.")
        if unreadable:
            self.stdout.write(
                f"{unreadable} could not be read with any key: their owners must enter "
                "them again (shown on their profile when a poll or a test fails)."
            )
