"""The search box: companies, applications (by role or company) and people, in three queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from followup.accounts.models import User
from interviews.models import Application, Company, Contact

MAX_QUERY = 100
LIMIT = 20


@dataclass(frozen=True)
class SearchResults:
    companies: list[Company]
    applications: list[Application]
    contacts: list[Contact]

    @property
    def count(self) -> int:
        return len(self.companies) + len(self.applications) + len(self.contacts)


def search(*, user: User, query: str) -> SearchResults:
    """What of the user's matches `query` (any part of a name, role, address or title)."""
    return SearchResults(
        companies=list(
            Company.objects.filter(user=user, name__icontains=query).order_by("name")[:LIMIT]
        ),
        applications=list(
            Application.objects.filter(
                Q(role__icontains=query) | Q(company__name__icontains=query), user=user
            )
            .select_related("company")
            .order_by("-last_activity_at", "-pk")[:LIMIT]
        ),
        contacts=list(
            Contact.objects.filter(
                Q(name__icontains=query) | Q(email__icontains=query) | Q(title__icontains=query),
                user=user,
            )
            .select_related("company")
            .order_by("name", "pk")[:LIMIT]
        ),
    )
