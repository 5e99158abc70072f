"""Which application an inbound email answers: four routes, tried in order.

1. The token of our reply address it was delivered to (messaging.reply_addresses).
2. One of our Message-IDs in its In-Reply-To or References (or a logged scheduling thread).
3. The sender's address among the user's contacts.
4. The sender's company domain: anyone at the company answers for every application there
   still waiting on its people.
Every route looks only at the applications of the user the email was addressed to: the
token's user, the user given (assigned by hand, or the mailbox it was read from), else the
users whose own address it was delivered to. An email that still fits several users raises
AmbiguousInbound: it is someone's private mail, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from anymail.inbound import AnymailInboundMessage
from django.db.models import Q
from django.db.models.functions import Lower

from followup.accounts.models import User
from followup.rules.mail_domains import company_domain
from interviews.models import Application, Contact, Interview
from messaging.inbound_mail import our_address, recipients_of, sender_of, thread_ids_of
from messaging.models import InboundEmail, Message
from messaging.reply_addresses import applications_of_tokens, tokens_in

Route = InboundEmail.Route
AMBIGUOUS = (
    "Matches applications of several users; assign it by hand (set its user) and process it again."
)


class AmbiguousInbound(Exception):
    """The email fits applications of several users and nothing tells them apart."""


@dataclass(frozen=True)
class InboundMatch:
    """The application an inbound email answers, and whom and which message of ours it answers."""

    application: Application
    contact: Contact | None
    message: Message | None
    # Matched only by the From address (no token or thread header of ours): forgeable.
    by_sender: bool = False
    route: str = Route.THREAD
    # The company route: the user's other applications at the company it also answers.
    also: tuple[Application, ...] = field(default=())


def _without_subaddress(address: str) -> str:
    """ "alex+jobs@example.com" -> "alex@example.com": the same mailbox at most providers."""
    local, at, domain = address.rpartition("@")
    if not at or "+" not in local:
        return address
    return f"{local.split('+', 1)[0]}@{domain}"


def addressed_users(recipients: set[str]) -> set[int]:
    """The users whose own address the email was delivered or addressed to.

    A sub-address ("alex+jobs@...") counts as the user's own address, so a user who signed
    up as alex@... still gets mail the recruiter sent to the tagged address they gave out.
    """
    if not recipients:
        return set()
    addresses = {a.lower() for a in recipients} | {
        _without_subaddress(a.lower()) for a in recipients
    }
    return set(
        User.objects.annotate(address=Lower("email"))
        .filter(address__in=addresses)
        .values_list("pk", flat=True)
    )


def inbound_scope(
    *, inbound_message: AnymailInboundMessage, envelope_recipient: str = "", user_id: int | None
) -> set[int]:
    """The users whose applications the email may answer (empty: not told)."""
    if user_id is not None:
        return {user_id}
    recipients = recipients_of(inbound_message, envelope_recipient)
    by_token = {a.user_id for a in applications_of_tokens(tokens_in(recipients))}
    return by_token or addressed_users(recipients)


def inbound_match(
    *,
    inbound_message: AnymailInboundMessage,
    envelope_recipient: str = "",
    user_id: int | None = None,
) -> InboundMatch | None:
    """The application an inbound email answers, or None when it answers none of ours.

    `user_id`: the user it was addressed to when the caller knows (assigned by hand in the
    admin, or the mailbox it was read from); else told from its recipients. Mail from our
    own address or from the user themselves is never the company answering.
    """
    sender_address, problem = sender_of(inbound_message)
    if problem or sender_address == our_address():
        return None
    recipients = recipients_of(inbound_message, envelope_recipient)
    scope = inbound_scope(
        inbound_message=inbound_message, envelope_recipient=envelope_recipient, user_id=user_id
    )
    match = (
        _token_match(tokens=tokens_in(recipients), sender_address=sender_address, scope=scope)
        or _thread_match(
            ids=thread_ids_of(inbound_message), sender_address=sender_address, scope=scope
        )
        or _sender_match(sender_address=sender_address, scope=scope)
        or _company_match(sender_address=sender_address, scope=scope)
    )
    if match is None:
        return None
    # The user's own copy or forward is not the company answering.
    if sender_address == match.application.user.email.lower():
        return None
    return match


def inbound_match_raw(*, raw: bytes, user_id: int) -> InboundMatch | None:
    """inbound_match for an email as received (its bytes) in the mailbox of `user_id`."""
    return inbound_match(
        inbound_message=AnymailInboundMessage.parse_raw_mime_bytes(raw), user_id=user_id
    )


def _one_user(user_ids: set[int]) -> bool:
    """Whether the candidates are one user's (none: False); several raise AmbiguousInbound."""
    if len(user_ids) > 1:
        raise AmbiguousInbound(AMBIGUOUS)
    return bool(user_ids)


def _token_match(*, tokens: set[str], sender_address: str, scope: set[int]) -> InboundMatch | None:
    """The application whose reply address it was delivered to: whoever sent it."""
    applications = [a for a in applications_of_tokens(tokens) if not scope or a.user_id in scope]
    if not _one_user({a.user_id for a in applications}):
        return None
    application = applications[0]
    latest = (
        Message.objects.filter(application=application, sent_at__isnull=False)
        .order_by("-sent_at", "-pk")
        .first()
    )
    contact = _contact_for(application.user_id, sender_address)
    return InboundMatch(
        application=application,
        contact=contact or (latest.contact if latest else None),
        message=latest,
        route=Route.TOKEN,
    )


def _thread_match(*, ids: list[str], sender_address: str, scope: set[int]) -> InboundMatch | None:
    """The application whose thread the email continues: one of our Message-IDs it names."""
    if not ids:
        return None
    variants = ids + [i.strip("<>") for i in ids]
    messages = Message.objects.filter(message_id__in=variants)
    interviews = Interview.objects.filter(scheduling_message_id__in=variants)
    if scope:
        messages = messages.filter(user_id__in=scope)
        interviews = interviews.filter(application__user_id__in=scope)
    ours = list(messages.select_related("application", "contact").order_by("-sent_at", "-pk")[:50])
    scheduling = list(interviews.select_related("application").order_by("-pk")[:50])
    users = {m.user_id for m in ours} | {i.application.user_id for i in scheduling}
    if not _one_user(users):
        return None
    if ours:
        return InboundMatch(
            application=ours[0].application,
            contact=_contact_for(ours[0].user_id, sender_address) or ours[0].contact,
            message=ours[0],
        )
    application = scheduling[0].application
    return InboundMatch(
        application=application,
        contact=_contact_for(application.user_id, sender_address),
        message=None,
    )


def _applications_with(contacts: list[Contact]) -> list[Application]:
    """The one user's applications these contacts take part in, the latest first."""
    return list(
        Application.objects.filter(user_id=contacts[0].user_id)
        .filter(
            Q(main_contact__in=contacts)
            | Q(interviews__participants__contact__in=contacts)
            | Q(messages__contact__in=contacts)
        )
        .distinct()
        .order_by("-last_activity_at", "-pk")[:20]
    )


def _sender_match(*, sender_address: str, scope: set[int]) -> InboundMatch | None:
    """The latest application of the one user (of those in scope) who knows the sender."""
    contacts = Contact.objects.filter(email__iexact=sender_address)
    if scope:
        contacts = contacts.filter(user_id__in=scope)
    contacts = list(contacts.select_related("user")[:200])
    if not _one_user({c.user_id for c in contacts}):
        return None
    candidates = _applications_with(contacts)
    if not candidates:
        return None
    active = [a for a in candidates if not a.has_ended]
    application = (active or candidates)[0]
    contact = next((c for c in contacts if c.company_id == application.company_id), contacts[0])
    return InboundMatch(
        application=application,
        contact=contact,
        message=None,
        by_sender=True,
        route=Route.CONTACT,
    )


def _company_match(*, sender_address: str, scope: set[int]) -> InboundMatch | None:
    """Someone new at a company the user's contacts work for: every application waiting there.

    The applications are those not ended whose people (main contact, interviewers, whom
    our emails went to) have addresses at the sender's domain. A public mailbox provider
    (gmail.com) names no company, so it never matches here.
    """
    domain = company_domain(sender_address)
    if domain is None:
        return None
    contacts = Contact.objects.filter(email__iendswith=f"@{domain}")
    if scope:
        contacts = contacts.filter(user_id__in=scope)
    contacts = list(contacts[:200])
    if not _one_user({c.user_id for c in contacts}):
        return None
    waiting = [a for a in _applications_with(contacts) if not a.has_ended]
    if not waiting:
        return None
    return InboundMatch(
        application=waiting[0],
        contact=None,
        message=None,
        by_sender=True,
        route=Route.COMPANY,
        also=tuple(waiting[1:]),
    )


def _contact_for(user_id: int, address: str) -> Contact | None:
    """The user's contact with this address, if any."""
    if not address:
        return None
    return Contact.objects.filter(user_id=user_id, email__iexact=address).first()
