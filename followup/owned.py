"""The one owner check views use: another user's object is a 404, never a 403."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404

M = TypeVar("M", bound=Model)


def get_owned_or_404(queryset: QuerySet[M] | type[M], *, user: object, **lookup: object) -> M:
    """Fetch by `lookup` among the objects of `user` only; anything else is Http404.

    The user field is `user` on every owned model except Interview, which is owned
    through its application; pass `owner_field="application__user"` for those.
    """
    owner_field = str(lookup.pop("owner_field", "user"))
    qs = queryset if isinstance(queryset, QuerySet) else queryset._default_manager.all()
    return get_object_or_404(qs, **{owner_field: user}, **lookup)
