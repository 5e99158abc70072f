"""The profile's "your data is yours": download everything, delete the account."""

from __future__ import annotations

import json

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from followup.accounts.models import User
from interviews.models import Application, Company
from messaging.models import Message
from tests.builders.accounts import PASSWORD
from tests.builders.interviews import make_application
from tests.builders.scenario import planned

pytestmark = pytest.mark.django_db

EXPORT = reverse("accounts:export_json")
VCARD = reverse("accounts:export_vcard")
DELETE = reverse("accounts:delete")


def test_the_profile_page_links_the_downloads_and_the_deletion(owner_client):
    content = owner_client.get(reverse("accounts:profile")).content.decode()

    for url in (EXPORT, VCARD, DELETE):
        assert f'href="{url}"' in content


def test_the_json_download_is_an_attachment_of_the_users_data_only(owner_client, user, outsider):
    planned(user)
    planned(outsider)

    response = owner_client.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="followup-export-')
    document = json.loads(response.content)
    assert document["account"]["email"] == user.email
    mine = set(Message.objects.filter(user=user).values_list("pk", flat=True))
    assert {m["id"] for m in document["messages"]} == mine
    assert "sam@example.org" not in response.content.decode()


def test_the_vcard_download_is_an_attachment_of_the_users_contacts(owner_client, user, outsider):
    planned(user)
    planned(outsider)

    response = owner_client.get(VCARD)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/vcard")
    assert response["Content-Disposition"] == 'attachment; filename="followup-contacts.vcf"'
    assert response.content.decode().count("BEGIN:VCARD") == 3


@pytest.mark.parametrize("url", [EXPORT, VCARD, DELETE])
def test_a_stranger_is_sent_to_log_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_deletion_page_asks_for_the_password(owner_client):
    response = owner_client.get(DELETE)

    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


@pytest.mark.parametrize("password", ["", "not-my-password"])
def test_a_wrong_password_deletes_nothing(owner_client, user, password):
    make_application(user)
    before = (Application.objects.count(), Message.objects.count())

    response = owner_client.post(DELETE, {"password": password})

    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()
    assert (Application.objects.count(), Message.objects.count()) == before
    assert owner_client.get(reverse("accounts:profile")).status_code == 200


def test_the_right_password_deletes_everything_and_logs_out(owner_client, user, outsider):
    planned(user)
    planned(outsider)

    response = owner_client.post(DELETE, {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Your account and all its data are deleted."
    ]
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Company.objects.filter(user_id=user.pk).exists()
    assert Application.objects.filter(user=outsider).count() == 1
    assert "_auth_user_id" not in owner_client.session
    follow = owner_client.get(reverse("accounts:profile"))
    assert follow.status_code == 302
    assert follow["Location"].startswith(reverse("accounts:login"))
