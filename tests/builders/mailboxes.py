"""Own-mailbox mode: a real IMAP server (a private dovecot) and a real SMTP server (aiosmtpd).

Both listen on 127.0.0.1 on a free port, for one test, and know one account whose password
is APP_PASSWORD. Nothing is mocked: the code under test logs in, sends and reads over TCP.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from imapclient import IMAPClient

from followup.accounts.mailboxes import mailbox_save
from followup.accounts.models import Mailbox, User
from tests.services import require_program

DOVECOT = "/usr/sbin/dovecot"
DOVEADM = "/usr/bin/doveadm"
APP_PASSWORD = "abcd efgh ijkl mnop"


def free_port() -> int:
    """A TCP port nothing listens on right now (bound, read, released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def closed_port() -> int:
    """A port on 127.0.0.1 that refuses connections."""
    return free_port()


# --- IMAP: a private dovecot ---------------------------------------------------------------

_CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
login_trusted_networks = 127.0.0.0/8
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
first_valid_gid = 1
{users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@dataclass
class ImapServer:
    """A dovecot on 127.0.0.1:port with the accounts given to it, passwords APP_PASSWORD."""

    port: int
    root: Path

    def client(self, username: str) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=5)
        client.login(username, APP_PASSWORD)
        return client

    def deliver(
        self,
        username: str,
        raw: bytes | str,
        *,
        flags: tuple[bytes, ...] = (),
        at: dt.datetime | None = None,
    ) -> int:
        """APPEND an email to the account's INBOX, as a mail server would deliver it; its UID.

        `at` is its arrival time (IMAP's internal date), now unless told.
        """
        data = raw.encode() if isinstance(raw, str) else raw
        client = self.client(username)
        try:
            answer = client.append("INBOX", data, flags=flags, msg_time=at)
        finally:
            client.logout()
        # "[APPENDUID <uidvalidity> <uid>] Append completed."
        return int(answer.split(b"]")[0].split()[-1])

    def renumber(self, username: str, uidvalidity: int) -> None:
        """Give the INBOX a new UIDVALIDITY, as a server does after rebuilding its index."""
        doveadm = require_program(DOVEADM, "doveadm (Debian's dovecot-core)")
        config = str(self.root / "dovecot.conf")
        command = ["mailbox", "update", "-u", username, "--uid-validity", str(uidvalidity)]
        subprocess.run([doveadm, "-c", config, *command, "INBOX"], check=True, timeout=30)

    def flags(self, username: str) -> dict[int, tuple[bytes, ...]]:
        """Every INBOX email's flags by UID, read without changing them."""
        client = self.client(username)
        try:
            client.select_folder("INBOX", readonly=True)
            found = client.fetch(client.search(["ALL"]), ["FLAGS"])
        finally:
            client.logout()
        return {uid: tuple(sorted(data[b"FLAGS"])) for uid, data in found.items()}


@contextmanager
def dovecot(*usernames: str) -> Iterator[ImapServer]:
    """Run a private dovecot for the accounts given (no system service, no TLS, loopback)."""
    require_program(DOVECOT, "dovecot (Debian's dovecot-imapd)")
    # Not pytest's tmp_path: its parents are private to us, and root's dovecot reads its
    # files as the dovecot user.
    root = Path(tempfile.mkdtemp(prefix="followup-dovecot-"))
    try:
        with _dovecot_in(root, usernames) as server:
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def _dovecot_in(root: Path, usernames: tuple[str, ...]) -> Iterator[ImapServer]:
    root.chmod(0o755)
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir()
    if os.geteuid() == 0:
        # Root's dovecot drops to its own system users; the mail belongs to nobody.
        owner = pwd.getpwnam("nobody")
        uid, gid, users = owner.pw_uid, owner.pw_gid, ""
        for path in (root / "mail", root / "home"):
            shutil.chown(path, owner.pw_uid, owner.pw_gid)
    else:
        me = pwd.getpwuid(os.geteuid()).pw_name
        uid, gid = os.geteuid(), os.getegid()
        users = f"default_internal_user = {me}\ndefault_login_user = {me}"
    (root / "passwd").write_text("".join(f"{name}:{{PLAIN}}{APP_PASSWORD}\n" for name in usernames))
    port = free_port()
    config = root / "dovecot.conf"
    config.write_text(_CONFIG.format(root=root, port=port, uid=uid, gid=gid, users=users))
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        _wait_for(port, process, root / "dovecot.log")
        yield ImapServer(port=port, root=root)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            detail = log.read_text() if log.exists() else process.stderr.read().decode()
            raise RuntimeError(f"dovecot stopped at start-up: {detail}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"dovecot did not listen on port {port} within 15 seconds")


# --- SMTP: aiosmtpd ------------------------------------------------------------------------


@dataclass
class SmtpServer:
    """An SMTP server on 127.0.0.1:port accepting one login; what it received, as sent."""

    port: int
    username: str
    received: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        self.received.append(envelope)
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: object, session: object, envelope: object, mechanism: str, data: object
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (
            data.login.decode() == self.username and data.password.decode() == APP_PASSWORD
        )
        return AuthResult(success=ok, handled=False)


def self_signed_context(directory: Path) -> ssl.SSLContext:
    """A server TLS context with a certificate no one vouches for (made here, for 127.0.0.1)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


@contextmanager
def smtp_server(username: str, *, tls: ssl.SSLContext | None = None) -> Iterator[SmtpServer]:
    """Run aiosmtpd that requires the login: over plain TCP (it is loopback), or TLS from the
    start with the `tls` context."""
    server = SmtpServer(port=free_port(), username=username)
    controller = Controller(
        server,
        hostname="127.0.0.1",
        port=server.port,
        authenticator=server.authenticate,
        auth_required=True,
        auth_require_tls=False,
        ssl_context=tls,
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


# --- The mailbox settings ------------------------------------------------------------------


def make_mailbox(
    user: User,
    *,
    imap_port: int = 993,
    smtp_port: int = 587,
    username: str | None = None,
    password: str = APP_PASSWORD,
    **changes: object,
) -> Mailbox:
    """The user's mailbox on 127.0.0.1 without TLS (loopback only), saved as the page saves it."""
    settings = {
        "enabled": True,
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_port,
        "smtp_security": Mailbox.Security.NONE,
        "imap_host": "127.0.0.1",
        "imap_port": imap_port,
        "imap_security": Mailbox.Security.NONE,
        "username": username or user.email,
    } | changes
    return mailbox_save(user=user, changes=settings, password=password)


def reply_to(message_id: str, *, sender: str = "dana@acme.example", to: str = "alex@example.com"):
    """A reply as a mail server delivers it: In-Reply-To and References name `message_id`."""
    lines = [
        f"From: Dana Richardson <{sender}>",
        f"To: Alex Morgan <{to}>",
        "Subject: Re: Thank you - Data Engineer interview",
        f"Message-ID: {email.utils.make_msgid(domain='acme.example')}",
        f"In-Reply-To: {message_id}",
        f"References: {message_id}",
        f"Date: {email.utils.formatdate()}",
    ]
    body = "Thanks Alex, we will be in touch next week.\r\n"
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()
