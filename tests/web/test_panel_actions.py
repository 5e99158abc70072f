"""The application page's "What happened?" choices: each asks first; an offer hides stale ones."""

from __future__ import annotations

import re

import pytest

from interviews.models import Application
from tests.builders.scenario import planned

pytestmark = pytest.mark.django_db


def details_block(html: str, outcome: str) -> str:
    match = re.search(
        rf'<details class="outcome" data-outcome="{outcome}">(.*?)</details>', html, re.S
    )
    assert match, f"no confirmation step for {outcome}"
    return match.group(1)


def test_no_news_and_pause_ask_before_they_change_anything(owner_client, user):
    application, _people = planned(user)
    html = owner_client.get(application.get_absolute_url()).content.decode()

    assert "Each choice asks before it changes anything." in html
    assert "Yes, no news yet" in details_block(html, "no_news")
    assert 'value="no_news"' in details_block(html, "no_news")
    assert "Yes, pause" in details_block(html, "pause")


def test_resume_asks_too(owner_client, user):
    application, _people = planned(user)
    Application.objects.filter(pk=application.pk).update(paused=True)
    html = owner_client.get(application.get_absolute_url()).content.decode()
    assert "Yes, resume" in details_block(html, "resume")


def test_after_an_offer_no_news_and_another_offer_are_no_longer_offered(owner_client, user):
    application, _people = planned(user)
    before = owner_client.get(application.get_absolute_url()).content.decode()
    assert "tell them my deadline" in before and "They said no news yet" in before

    Application.objects.filter(pk=application.pk).update(stage=Application.Stage.OFFER)
    html = owner_client.get(application.get_absolute_url()).content.decode()

    assert "tell them my deadline" not in html
    assert "They said no news yet" not in html
    assert "I accepted their offer" in html


def test_withdrawing_and_out_of_office_ask_before_they_act(owner_client, user):
    application, _ = planned(user)
    html = owner_client.get(application.get_absolute_url()).content.decode()
    for outcome, confirm in (
        ("accepted_elsewhere", "Yes, withdraw my application"),
        ("out_of_office", "Yes, they are away"),
    ):
        start = html.index(f'<details class="outcome" data-outcome="{outcome}">')
        block = html[start : html.index("</details>", start)]
        assert confirm in block
        # The summary only opens the step: the one submit button is the confirmation.
        assert block.count('type="submit"') == 1
