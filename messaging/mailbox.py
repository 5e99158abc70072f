"""Own-mailbox mode: sending through the user's own SMTP server, reaching their IMAP inbox.

For a user with no ESP and no domain: the email leaves from their own account (so it sits in
their Sent folder) with their address as From, and their inbox is read for replies
(messaging.mailbox_polling). The settings and the encrypted app password are kept by
followup.accounts.mailboxes; the password is decrypted only here, right before it is used,
and no error message, log line or page ever holds it.
"""

from __future__ import annotations

import contextlib
import email.utils
import ipaddress
import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from followup.accounts.models import Mailbox, Profile, User
from followup.accounts.secrets import SecretsUnavailable, SecretUnreadable, secret_decrypt

# "Test connection" waits this long for each step, and this long for all of them (under the
# web server's 30-second timeout); a server that slow is reported as such.
CHECK_TIMEOUT = 10
CHECK_DEADLINE = 20
Security = Mailbox.Security


class MailboxUnavailable(Exception):
    """The mailbox cannot be used as it is stored (its password cannot be read)."""


class PrivateHost(MailboxUnavailable):
    """The server's name leads into this server's own network: not a mailbox to connect to."""


def guard_host(host: str, port: int) -> None:
    """Refuse a host that resolves to a private, loopback or link-local address.

    Otherwise "Test connection" would let anyone probe the ports of the machines around
    this server. FOLLOWUP_MAILBOX_PRIVATE_HOSTS allows them (local development, a mail
    bridge on the same machine). socket.gaierror when the name does not resolve.
    """
    if settings.FOLLOWUP_MAILBOX_PRIVATE_HOSTS:
        return
    for *_rest, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        # An IPv6 link-local address comes with its zone ("fe80::1%eth0").
        if not ipaddress.ip_address(str(address[0]).split("%")[0]).is_global:
            raise PrivateHost(
                f"{host} is inside this server's own network: Followup connects only to "
                "mail servers on the internet."
            )


class MailboxEmailBackend(EmailBackend):
    """Django's SMTP backend that first makes sure the host is a mail server out there."""

    def open(self) -> bool | None:
        if self.connection is None:
            guard_host(self.host, self.port)
        return super().open()


def active_mailbox(*, user: User) -> Mailbox | None:
    """The user's mailbox when sending and reading through it is on (a password is stored)."""
    return Mailbox.objects.filter(user=user, enabled=True).exclude(password_token="").first()


def active_mailboxes(*, user_ids: Iterable[int]) -> dict[int, Mailbox]:
    """active_mailbox for many users at once (the dispatcher's chunk), by user id."""
    return {
        mailbox.user_id: mailbox
        for mailbox in Mailbox.objects.filter(user_id__in=list(user_ids), enabled=True).exclude(
            password_token=""
        )
    }


def _password(mailbox: Mailbox) -> str:
    try:
        return secret_decrypt(mailbox.password_token)
    except (SecretUnreadable, SecretsUnavailable) as error:
        raise MailboxUnavailable(str(error)) from None


def smtp_backend(mailbox: Mailbox, *, timeout: int | None = None) -> MailboxEmailBackend:
    """Django's SMTP backend, logged in as the mailbox's owner; one connection for a batch."""
    return MailboxEmailBackend(
        host=mailbox.smtp_host,
        port=mailbox.smtp_port,
        username=mailbox.username,
        password=_password(mailbox),
        use_tls=mailbox.smtp_security == Security.STARTTLS,
        use_ssl=mailbox.smtp_security == Security.SSL,
        timeout=timeout or settings.EMAIL_TIMEOUT,
        fail_silently=False,
    )


def connection_for(user: User) -> MailboxEmailBackend | None:
    """The connection to send the user's emails through: their own SMTP server, or None.

    None when the user has no enabled mailbox with a password (the site's backend sends).
    MailboxUnavailable when the stored password cannot be read any more: the caller must not
    fall back to sending as someone else without the user knowing.
    """
    mailbox = active_mailbox(user=user)
    return smtp_backend(mailbox) if mailbox is not None else None


def sender_for(user: User) -> str:
    """The From of an email sent through the user's own mailbox: their name and address."""
    name = Profile.objects.filter(user=user).values_list("full_name", flat=True).first()
    return email.utils.formataddr((name or "", user.email))


def imap_connect(mailbox: Mailbox, *, timeout: float) -> IMAPClient:
    """An IMAP connection to the mailbox, encrypted as set, logged in (LoginError if refused)."""
    client = _imap_open(mailbox, timeout=timeout)
    try:
        client.login(mailbox.username, _password(mailbox))
    except BaseException:
        _quietly(client.shutdown)
        raise
    return client


def _imap_open(mailbox: Mailbox, *, timeout: float) -> IMAPClient:
    """An IMAP connection to the mailbox, encrypted as set, not logged in yet."""
    guard_host(mailbox.imap_host, mailbox.imap_port)
    context = ssl.create_default_context()
    client = IMAPClient(
        mailbox.imap_host,
        port=mailbox.imap_port,
        ssl=mailbox.imap_security == Security.SSL,
        ssl_context=context,
        timeout=timeout,
    )
    if mailbox.imap_security == Security.STARTTLS:
        try:
            client.starttls(context)
        except BaseException:
            _quietly(client.shutdown)
            raise
    return client


def _quietly(close: Callable[[], object]) -> None:
    """Close a connection; one that already broke has nothing more to tell."""
    with contextlib.suppress(Exception):
        close()


# --- Saying what failed, in plain words ----------------------------------------------------


def failure_words(error: BaseException, *, host: str, port: int) -> str:
    """What an error connecting to a mail server means for the user, without any secret."""
    if isinstance(error, MailboxUnavailable):
        return str(error)
    if isinstance(error, socket.gaierror):
        return f"The server name {host} could not be found (DNS): check its spelling."
    if isinstance(error, ConnectionRefusedError):
        return f"{host} refused the connection on port {port}: check the port."
    # smtplib reports a silent server as "disconnected", its timeout as the cause.
    if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
        return f"{host} did not answer on port {port} in time: check the server and the port."
    if isinstance(error, ssl.SSLCertVerificationError):
        return (
            f"The secure connection to {host} failed: its certificate could not be verified "
            f"({error.verify_message})."
        )
    if isinstance(error, ssl.SSLError):
        return (
            f"The secure connection (TLS) to {host} on port {port} failed: check the "
            "security setting, SSL/TLS or STARTTLS, that this port expects."
        )
    if isinstance(error, smtplib.SMTPAuthenticationError | LoginError):
        return (
            "The server refused the username or the app password: check both, and that "
            "the password is an app password made for Followup."
        )
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return f"{host} does not offer this on port {port}: {_server_text(error)}"
    if isinstance(error, smtplib.SMTPServerDisconnected | ConnectionResetError | EOFError):
        return (
            f"{host} closed the connection on port {port}: check the security setting "
            "(SSL/TLS or STARTTLS) this port expects."
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{host} answered with an error: {_server_text(error)}"
    if isinstance(error, IMAPClientError):
        return f"{host} answered with an error: {_server_text(error)}"
    if isinstance(error, OSError):
        return f"Could not connect to {host} on port {port}: {error.strerror or 'network error'}."
    return f"Could not talk to {host} on port {port} ({type(error).__name__})."


def _server_text(error: BaseException) -> str:
    """The server's own words of an error, short and printable."""
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    else:
        text = str(error)
    text = "".join(c if c.isprintable() else " " for c in text).strip()
    return (text[:200] or "no reason given").rstrip(".") + "."


# --- Test connection -------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    """One side of "Test connection": what was tried, whether it worked, and in plain words."""

    what: str
    ok: bool
    detail: str


def mailbox_check(mailbox: Mailbox, *, timeout: float = CHECK_TIMEOUT) -> list[CheckResult]:
    """Try sending's log-in (SMTP) and reading's (IMAP, the inbox read-only); nothing is sent.

    Both at once, each step waiting at most `timeout`, and all of it at most CHECK_DEADLINE:
    a server that answers slowly at every step must not keep the page past the web server's
    own timeout. The checks touch no database (their threads have no connection of theirs).
    """
    login_as = mailbox.user.email
    sides = [
        ("Sending (SMTP)", mailbox.smtp_host, mailbox.smtp_port),
        ("Reading replies (IMAP)", mailbox.imap_host, mailbox.imap_port),
    ]
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mailbox-check")
    try:
        futures = [
            pool.submit(_check_smtp, mailbox, timeout=timeout, login_as=login_as),
            pool.submit(_check_imap, mailbox, timeout=timeout),
        ]
        deadline = time.monotonic() + CHECK_DEADLINE
        results = []
        for future, (what, host, port) in zip(futures, sides, strict=True):
            try:
                results.append(future.result(timeout=max(0.0, deadline - time.monotonic())))
            except FutureTimeout:
                detail = f"{host} did not finish answering on port {port} within "
                detail += f"{CHECK_DEADLINE} seconds: check the server and the port."
                results.append(CheckResult(what, False, detail))
    finally:
        # A check still waiting on its server ends on its own socket timeout.
        pool.shutdown(wait=False, cancel_futures=True)
    return results


def _check_smtp(mailbox: Mailbox, *, timeout: float, login_as: str) -> CheckResult:
    what = "Sending (SMTP)"
    host, port = mailbox.smtp_host, mailbox.smtp_port
    step = "connecting"
    server: smtplib.SMTP | None = None
    try:
        guard_host(host, port)
        context = ssl.create_default_context()
        if mailbox.smtp_security == Security.SSL:
            server = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            server = smtplib.SMTP(host, port, timeout=timeout)
        step = "greeting the server (EHLO)"
        server.ehlo()
        if mailbox.smtp_security == Security.STARTTLS:
            step = "starting encryption (STARTTLS)"
            server.starttls(context=context)
            server.ehlo()
        step = "logging in"
        server.login(mailbox.username, _password(mailbox))
    except Exception as error:
        return CheckResult(what, False, _failed_at(step, error, host=host, port=port))
    finally:
        if server is not None:
            _quietly(server.quit)
    detail = f"Logged in to {host} on port {port}."
    if "@" in mailbox.username and mailbox.username.lower() != login_as.lower():
        detail += (
            f" Your emails go out as {login_as}, while you log in as "
            f"{mailbox.username}: some providers refuse or rewrite such a From."
        )
    return CheckResult(what, True, detail)


def _check_imap(mailbox: Mailbox, *, timeout: float) -> CheckResult:
    what = "Reading replies (IMAP)"
    host, port = mailbox.imap_host, mailbox.imap_port
    step = "connecting"
    client: IMAPClient | None = None
    try:
        client = _imap_open(mailbox, timeout=timeout)
        step = "logging in"
        client.login(mailbox.username, _password(mailbox))
        step = "opening the INBOX folder"
        client.select_folder("INBOX", readonly=True)
    except Exception as error:
        return CheckResult(what, False, _failed_at(step, error, host=host, port=port))
    finally:
        if client is not None:
            _quietly(client.logout)
    return CheckResult(what, True, f"Logged in to {host} on port {port} and opened your INBOX.")


def _failed_at(step: str, error: BaseException, *, host: str, port: int) -> str:
    return f"Failed while {step}. {failure_words(error, host=host, port=port)}"
