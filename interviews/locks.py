"""Row locks on applications: the first lock of every change that touches one.

The lock order everywhere: Company (a rename), then Application rows by pk, then their
Message rows. Re-planning, the user's actions on a message, the dispatcher's records and
every edit take the application first, so they queue behind each other instead of
deadlocking.
"""

from __future__ import annotations

from collections.abc import Iterable

from interviews.models import Application


def lock_application(application_id: int) -> Application:
    """The application row, locked until the transaction ends.

    of=("self",) locks only this row, not the company and user read with it (a company rename
    locks the Company before its applications).
    """
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("company", "user")
        .get(pk=application_id)
    )


def lock_applications(ids: Iterable[int]) -> list[Application]:
    """Lock these applications by pk: the first locks of a change that spans several."""
    return [lock_application(pk) for pk in sorted(set(ids))]
