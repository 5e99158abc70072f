"""Where answers to our emails go: a reply address per application, and the user's own copy.

With FOLLOWUP_REPLY_DOMAIN set (a domain whose mail the ESP's inbound routes to
/anymail/<esp>/inbound/), every email an application sends gives as Reply-To
reply-<token>@<that domain>: a plain "Reply" reaches Followup, which forwards it to the
user (messaging.forwarding) and stops the check-ins. The token, not the sender, names the
application, so it still works when they answer from another address or forward it.

The dispatcher's email builder (messaging.dispatch.outgoing) calls reply_to_for and bcc_for
for every message it sends.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Sequence
from email.headerregistry import Address

from django.conf import settings
from django.db import IntegrityError, transaction

from followup.accounts.services import profile_for
from interviews.models import Application
from messaging.models import Message, ReplyAddress

# 16 random bytes, base32 in lower case: 26 characters a mail system may lower-case freely.
TOKEN_BYTES = 16
LOCAL_PREFIX = "reply-"
_TOKEN = re.compile(rf"^{LOCAL_PREFIX}([a-z2-7]{{26}})$")


def reply_domain() -> str:
    """The reply domain, lower-case, or "" when replies go to the user's own mailbox."""
    return settings.FOLLOWUP_REPLY_DOMAIN.strip().strip(".").lower()


def inbound_address() -> str:
    """Where the user forwards an invitation to log it (any address at the reply domain
    reaches the inbound webhook); "" when replies are not set up."""
    domain = reply_domain()
    return f"invitations@{domain}" if domain else ""


def new_token() -> str:
    """An unguessable token: 128 random bits, base32, lower-case, no padding."""
    return base64.b32encode(secrets.token_bytes(TOKEN_BYTES)).decode("ascii").rstrip("=").lower()


def reply_address_for(*, application: Application) -> ReplyAddress:
    """The application's reply address, made on first use (a race makes one, not two)."""
    found = ReplyAddress.objects.filter(application=application).first()
    if found is not None:
        return found
    try:
        # A savepoint: the caller's transaction survives losing the race.
        with transaction.atomic():
            return ReplyAddress.objects.create(application=application, token=new_token())
    except IntegrityError:
        return ReplyAddress.objects.get(application=application)


def reply_to_for(*, message: Message) -> str | None:
    """The Reply-To of a message's email: "Name <reply-token@domain>"; None without the domain."""
    domain = reply_domain()
    if not domain:
        return None
    token = reply_address_for(application=message.application).token
    return _reply_address(profile_for(user=message.user).full_name, token, domain)


def reply_to_many(messages: Sequence[Message], *, names: dict[int, str]) -> dict[int, str]:
    """reply_to_for for a batch (the dispatcher's chunk), by message pk, in one query; {}
    when replies are not set up. `names`: each user's full name, already read."""
    domain = reply_domain()
    if not domain or not messages:
        return {}
    applications = {m.application_id: m.application for m in messages}
    tokens = dict(
        ReplyAddress.objects.filter(application_id__in=list(applications)).values_list(
            "application_id", "token"
        )
    )
    for pk, application in applications.items():
        if pk not in tokens:
            tokens[pk] = reply_address_for(application=application).token
    return {
        m.pk: _reply_address(names.get(m.user_id, ""), tokens[m.application_id], domain)
        for m in messages
    }


def _reply_address(name: str, token: str, domain: str) -> str:
    addr_spec = f"{LOCAL_PREFIX}{token}@{domain}"
    try:
        return str(Address(display_name=name.strip(), addr_spec=addr_spec))
    except (ValueError, IndexError, TypeError):
        return addr_spec


def bcc_for(*, message: Message) -> list[str]:
    """The user's own copy of every email Followup sends for them (the profile switch)."""
    if not profile_for(user=message.user).bcc_copy or not message.user.email:
        return []
    return [message.user.email]


def tokens_in(addresses: set[str]) -> set[str]:
    """The reply tokens among the addresses an email was delivered to (our domain only)."""
    domain = reply_domain()
    if not domain:
        return set()
    found = set()
    for address in addresses:
        local, _, at_domain = address.strip().lower().rpartition("@")
        # reply-token+anything: some senders' systems add a tag of their own.
        token = _TOKEN.match(local.split("+", 1)[0])
        if token and at_domain == domain:
            found.add(token.group(1))
    return found


def applications_of_tokens(tokens: set[str]) -> list[Application]:
    """The applications these tokens name, the most recently active first."""
    if not tokens:
        return []
    return list(
        Application.objects.filter(reply_address__token__in=tokens)
        .select_related("user", "company")
        .order_by("-last_activity_at", "-pk")[:20]
    )
