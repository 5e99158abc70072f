"""The navigation's link to the Unmatched replies page, with its count (shown only when any)."""

from __future__ import annotations

from django import template

from messaging.webhooks.unmatched import unmatched_count as count_for

register = template.Library()


@register.simple_tag(takes_context=True)
def unmatched_count(context: template.Context) -> int:
    """How many inbound emails wait for the signed-in user to assign or discard them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return count_for(user=user)
