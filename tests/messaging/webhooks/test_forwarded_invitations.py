"""An invitation the user forwards to Followup waits on "Log from an invitation" (issue 12)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from interviews.models import Interview
from messaging.models import InboundEmail, Reply
from tests.builders.webhooks import inbound, raw_email
from tests.rules.test_invitations import OUTLOOK

IMPORT = reverse("interviews:invitation_import")
BOUNDARY = "b0undary"


def forwarded(*, sender: str = "alex@example.com", authenticated: bool = True) -> dict:
    """The user forwarding the Outlook invitation (its .ics attached) to Followup."""
    auth = (
        [
            "Authentication-Results: mx.postmarkapp.com; "
            f"spf=pass smtp.mailfrom={sender}; dkim=pass header.d={sender.split('@')[1]}"
        ]
        if authenticated
        else []
    )
    # raw_email writes CRLF line ends itself.
    body = (
        f"--{BOUNDARY}\nContent-Type: text/plain\n\nFwd: the interview invite\n"
        f"--{BOUNDARY}\nContent-Type: text/calendar; method=REQUEST; charset=utf-8\n"
        'Content-Disposition: attachment; filename="invite.ics"\n\n'
        + OUTLOOK.decode().replace("\r\n", "\n")
        + f"\n--{BOUNDARY}--"
    )
    raw = raw_email(
        *auth,
        f"From: Alex Morgan <{sender}>",
        "To: invitations@reply.followup.example",
        "Subject: Fwd: Interview: Data Engineer (round 2)",
        "Message-ID: <fwd-1@example.com>",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/mixed; boundary="{BOUNDARY}"',
        body=body,
    )
    return inbound(sender=sender, to="invitations@reply.followup.example", raw=raw)


def test_a_forwarded_invitation_waits_for_its_user_and_fills_the_log_form(post, user):
    assert post("inbound", forwarded()).status_code == 200

    [kept] = InboundEmail.objects.all()
    assert (kept.user, kept.state) == (user, InboundEmail.State.INVITATION)
    assert not Reply.objects.exists()  # not a reply
    client = Client()
    client.force_login(user)
    page = client.get(IMPORT).content.decode()
    assert "Invitations you forwarded to Followup" in page
    assert "Fwd: Interview: Data Engineer (round 2)" in page

    response = client.post(IMPORT, {"forwarded": kept.pk})

    assert response.status_code == 302
    form = client.get(response["Location"]).content.decode()
    assert 'value="America/Los_Angeles"' in form and 'value="Lee Chen"' in form
    assert not Interview.objects.exists()
    kept.refresh_from_db()
    assert kept.state == InboundEmail.State.DISCARDED  # off the list once used


def test_an_unauthenticated_forward_is_not_kept(post, user):
    post("inbound", forwarded(authenticated=False))

    assert not InboundEmail.objects.filter(state=InboundEmail.State.INVITATION).exists()


def test_an_invitation_from_a_stranger_is_no_forward(post, user):
    post("inbound", forwarded(sender="dana@acme.example"))

    assert not InboundEmail.objects.filter(state=InboundEmail.State.INVITATION).exists()


def test_another_users_forwarded_invitation_is_not_offered(post, user, outsider):
    post("inbound", forwarded())
    kept = InboundEmail.objects.get()
    client = Client()
    client.force_login(outsider)

    assert b"Invitations you forwarded" not in client.get(IMPORT).content
    response = client.post(IMPORT, {"forwarded": kept.pk})

    assert response.status_code == 400
    kept.refresh_from_db()
    assert kept.state == InboundEmail.State.INVITATION
