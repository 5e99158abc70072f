"""The message admin never lets a hand edit the sending engine's record."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from messaging.models import Message
from tests.builders.messages import make_message, sending_setup

ENGINE_FIELDS = {
    "status",
    "approved_at",
    "claimed_at",
    "send_started_at",
    "sent_at",
    "esp_message_id",
    "message_id",
    "attempts",
}


def test_the_sending_record_of_a_message_is_read_only_in_the_admin():
    model_admin = admin.site._registry[Message]
    assert set(model_admin.readonly_fields) >= ENGINE_FIELDS


@pytest.mark.django_db
def test_the_change_page_has_no_input_for_the_status_or_the_esp_id(user, client):
    staff = type(user).objects.create_superuser(email="root@example.com", password="pw-12345!")
    client.force_login(staff)
    application, contact = sending_setup(user)
    message = make_message(application, contact=contact, status=Message.Status.FAILED)
    url = reverse("admin:messaging_message_change", args=[message.pk])

    form = client.get(url)

    assert form.status_code == 200
    assert 'name="status"' not in form.text
    assert 'name="esp_message_id"' not in form.text
