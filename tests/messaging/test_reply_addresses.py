"""The Reply-To of each application's emails, and the user's own BCC copy."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from followup.accounts.models import Profile
from messaging.models import Message, ReplyAddress
from messaging.reply_addresses import bcc_for, reply_to_for, tokens_in
from tests.builders.interviews import make_application, make_company
from tests.builders.messages import make_message, sending_setup

pytestmark = pytest.mark.django_db
DOMAIN = "replies.followup.example"
ADDRESS = re.compile(r"^Alex Morgan <reply-([a-z2-7]{26})@replies\.followup\.example>$")


@pytest.fixture
def message(user):
    application, contact = sending_setup(user)
    return make_message(application, contact=contact)


def test_without_a_reply_domain_there_is_no_reply_address(message, settings):
    settings.FOLLOWUP_REPLY_DOMAIN = ""

    assert reply_to_for(message=message) is None
    assert not ReplyAddress.objects.exists()


def test_with_a_reply_domain_each_application_has_its_own_unguessable_address(
    message, settings, user
):
    settings.FOLLOWUP_REPLY_DOMAIN = DOMAIN
    other = make_message(make_application(user, make_company(user, "Globex")))

    first = reply_to_for(message=message)
    again = reply_to_for(message=make_message(message.application, stage="check_in"))
    elsewhere = reply_to_for(message=other)

    token = ADDRESS.match(first).group(1)
    assert again == first  # one address per application, whatever the message
    assert ADDRESS.match(elsewhere).group(1) != token
    assert str(user.pk) not in token and str(message.application_id) not in token
    assert ReplyAddress.objects.get(application=message.application).token == token


def test_a_token_survives_a_mail_system_that_changes_its_case(message, settings):
    settings.FOLLOWUP_REPLY_DOMAIN = DOMAIN
    token = ADDRESS.match(reply_to_for(message=message)).group(1)

    assert tokens_in({f"REPLY-{token.upper()}@Replies.Followup.Example".lower()}) == {token}
    assert tokens_in({f"reply-{token}+tag@{DOMAIN}"}) == {token}
    assert tokens_in({f"reply-{token}@elsewhere.example"}) == set()
    assert tokens_in({f"reply-{token[:-1]}@{DOMAIN}"}) == set()


def test_the_user_gets_a_copy_of_every_email_unless_they_switch_it_off(message, user):
    assert bcc_for(message=message) == ["alex@example.com"]

    Profile.objects.filter(user=user).update(bcc_copy=False)

    assert bcc_for(message=Message.objects.get(pk=message.pk)) == []


def test_the_copy_is_a_switch_on_the_profile_page(owner_client, user):
    page = owner_client.get(reverse("accounts:profile"))
    assert 'name="bcc_copy"' in page.content.decode()
    form = page.context["form"]
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields and name != "bcc_copy" and value is not None
    }
    data["email"] = user.email
    data["send_window_start"] = "08:00"
    data["send_window_end"] = "19:00"

    response = owner_client.post(reverse("accounts:profile"), data)

    assert response.status_code == 302, response.context["form"].errors
    assert Profile.objects.get(user=user).bcc_copy is False
