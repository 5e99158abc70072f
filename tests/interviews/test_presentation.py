"""How interviews read on the pages: timeline icons and colours, stage badges and names."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import time_machine

from interviews.models import Application, TimelineEvent
from interviews.templatetags import interviews_tags

ROOT = Path(__file__).resolve().parents[2]
ICONS_CSS = ROOT / "static" / "vendor" / "bootstrap-icons" / "bootstrap-icons.min.css"


def test_every_timeline_kind_has_its_own_icon_and_a_colour():
    styles = interviews_tags.TIMELINE_STYLES
    assert set(styles) == set(TimelineEvent.Kind.values)
    icons = [icon for icon, _ in styles.values()]
    assert len(set(icons)) == len(icons)
    assert {colour for _, colour in styles.values()} <= {
        "primary",
        "secondary",
        "success",
        "danger",
        "warning",
        "info",
        "dark",
    }


def test_every_icon_used_exists_in_the_vendored_icon_font():
    css = ICONS_CSS.read_text()
    used = [icon for icon, _ in interviews_tags.TIMELINE_STYLES.values()]
    used += list(interviews_tags.FORMAT_ICONS.values())
    missing = [icon for icon in used if f".{icon}::before" not in css]
    assert missing == []


def test_every_stage_has_a_badge_colour():
    assert set(interviews_tags.STAGE_COLOURS) == set(Application.Stage.values)


def test_message_stages_read_as_words():
    assert interviews_tags.message_stage_label("second_check_in") == "Second check-in"
    assert interviews_tags.message_stage_label(None) == ""


@time_machine.travel(dt.datetime(2025, 3, 4, 12, 0, tzinfo=dt.UTC), tick=False)
def test_recent_activity_reads_as_just_now():
    now = dt.datetime(2025, 3, 4, 12, 0, tzinfo=dt.UTC)
    assert interviews_tags.ago(now - dt.timedelta(seconds=20)) == "just now"
    assert interviews_tags.ago(now - dt.timedelta(hours=3)) == "3\xa0hours ago"
