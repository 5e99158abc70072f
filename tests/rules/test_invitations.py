"""Reading interview invitations as Outlook, Google, Apple and others write them."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from followup.rules.invitations import (
    InvitationError,
    Person,
    display_name,
    iana_zone,
    invitations_in,
)

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
OWN = {"alex@example.com", "Alex.Morgan@Work.example"}


def ics(*lines: str, head: tuple[str, ...] = ()) -> bytes:
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN", *head, *lines, "END:VCALENDAR"]
    return ("\r\n".join(body) + "\r\n").encode()


def event(*lines: str, uid: str = "uid-1@acme.example") -> tuple[str, ...]:
    return ("BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261201T090000Z", *lines, "END:VEVENT")


def read(data: bytes, zone: str = "Europe/London"):
    return invitations_in(data, own_addresses=OWN, user_zone=zone, now=NOW)


OUTLOOK = ics(
    "METHOD:REQUEST",
    "BEGIN:VTIMEZONE",
    "TZID:Pacific Standard Time",
    "BEGIN:STANDARD",
    "DTSTART:16010101T020000",
    "TZOFFSETFROM:-0700",
    "TZOFFSETTO:-0800",
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11",
    "END:STANDARD",
    "BEGIN:DAYLIGHT",
    "DTSTART:16010101T020000",
    "TZOFFSETFROM:-0800",
    "TZOFFSETTO:-0700",
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3",
    "END:DAYLIGHT",
    "END:VTIMEZONE",
    *event(
        'ORGANIZER;CN="Richardson, Dana":mailto:dana@acme.example',
        "ATTENDEE;ROLE=REQ-PARTICIPANT;CN=Lee Chen:mailto:lee@acme.example",
        "ATTENDEE;ROLE=REQ-PARTICIPANT;CN=alex@example.com:mailto:alex@example.com",
        "ATTENDEE;CUTYPE=ROOM;CN=Room 4B:mailto:room4b@acme.example",
        'ATTENDEE;ROLE=OPT-PARTICIPANT;CN="O\'Neil, Mary-Jane":mailto:mj@acme.example',
        "DESCRIPTION:Hi Alex\\, looking forward to it.\\n\\nWe will cover the pipeline "
        "design.\\n________________________________________________\\nJoin Microsoft Teams "
        "Meeting\\nhttps://teams.microsoft.com/l/meetup-join/19%3ameeting_abc\\nMeeting ID: "
        "123 456\\nPasscode: xyz\\n",
        "SUMMARY:Interview: Data Engineer (round 2)",
        "DTSTART;TZID=Pacific Standard Time:20261210T100000",
        "DTEND;TZID=Pacific Standard Time:20261210T110000",
        "LOCATION:Microsoft Teams Meeting",
        uid="040000008200E00074C5B7101A82E008",
    ),
)


def test_an_outlook_invitation_with_a_windows_zone():
    [invitation] = read(OUTLOOK)

    assert invitation.time_zone == "America/Los_Angeles"
    assert not invitation.zone_assumed
    la = zoneinfo.ZoneInfo("America/Los_Angeles")
    assert invitation.starts_at == dt.datetime(2026, 12, 10, 10, 0, tzinfo=la)
    assert invitation.ends_at == dt.datetime(2026, 12, 10, 11, 0, tzinfo=la)
    assert invitation.organizer == Person("Dana Richardson", "dana@acme.example")
    # The user, the room and the organizer are not interviewers; "Last, First" turned round.
    assert invitation.attendees == (
        Person("Lee Chen", "lee@acme.example"),
        Person("Mary-Jane O'Neil", "mj@acme.example"),
    )
    assert invitation.video_link == "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc"
    assert invitation.notes == (
        "Hi Alex, looking forward to it.\n\nWe will cover the pipeline design."
    )
    assert invitation.subject == "Interview: Data Engineer (round 2)"
    assert invitation.uid == "040000008200E00074C5B7101A82E008"
    assert invitation.location == "Microsoft Teams Meeting"


def test_google_utc_times_with_the_calendars_zone_in_x_wr_timezone():
    data = ics(
        *event(
            "DTSTART:20261210T150000Z",
            "DTEND:20261210T160000Z",
            "SUMMARY:Acme <> Alex",
            "ORGANIZER;CN=Lee Chen:mailto:lee@acme.example",
            "LOCATION:https://meet.google.com/abc-defg-hij",
        ),
        head=("X-WR-TIMEZONE:America/New_York", "X-WR-CALNAME:Interviews"),
    )

    [invitation] = read(data)

    ny = zoneinfo.ZoneInfo("America/New_York")
    assert invitation.time_zone == "America/New_York"
    assert invitation.starts_at == dt.datetime(2026, 12, 10, 10, 0, tzinfo=ny)
    assert invitation.video_link == "https://meet.google.com/abc-defg-hij"


def test_plain_utc_times_are_shown_in_the_users_zone():
    data = ics(*event("DTSTART:20261210T150000Z", "DURATION:PT45M", "SUMMARY:Screen"))

    [invitation] = read(data, zone="Europe/Berlin")

    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    assert invitation.time_zone == "Europe/Berlin"
    assert not invitation.zone_assumed
    assert invitation.starts_at == dt.datetime(2026, 12, 10, 16, 0, tzinfo=berlin)
    assert invitation.ends_at - invitation.starts_at == dt.timedelta(minutes=45)


def test_floating_times_are_read_in_the_users_zone_and_flagged():
    data = ics(*event("DTSTART:20261210T093000", "DTEND:20261210T103000", "SUMMARY:Onsite"))

    [invitation] = read(data, zone="Australia/Sydney")

    assert invitation.zone_assumed
    assert invitation.starts_at == dt.datetime(
        2026, 12, 10, 9, 30, tzinfo=zoneinfo.ZoneInfo("Australia/Sydney")
    )


@pytest.mark.parametrize(
    ("tzid", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("/mozilla.org/20070129_1/Europe/Berlin", "Europe/Berlin"),
        ("W. Europe Standard Time", "Europe/Berlin"),
        ("Eastern Standard Time", "America/New_York"),
        ("India Standard Time", "Asia/Calcutta"),
        ("GMT Standard Time", "Europe/London"),
        ("Customized Time Zone", ""),
    ],
)
def test_zone_names(tzid, expected):
    assert iana_zone(tzid) == expected


def test_an_unknown_zone_name_converts_with_the_files_own_definition():
    data = ics(
        "BEGIN:VTIMEZONE",
        "TZID:Customized Time Zone",
        "BEGIN:STANDARD",
        "DTSTART:16010101T000000",
        "TZOFFSETFROM:+0530",
        "TZOFFSETTO:+0530",
        "END:STANDARD",
        "END:VTIMEZONE",
        *event(
            "DTSTART;TZID=Customized Time Zone:20261210T100000",
            "DTEND;TZID=Customized Time Zone:20261210T110000",
        ),
    )

    [invitation] = read(data, zone="Europe/London")

    # 10:00 at +05:30 is 04:30 in London (GMT in December), said to be in the user's zone.
    assert invitation.zone_assumed
    assert invitation.time_zone == "Europe/London"
    assert invitation.starts_at.astimezone(dt.UTC) == dt.datetime(
        2026, 12, 10, 4, 30, tzinfo=dt.UTC
    )


def test_a_recurring_slot_gives_its_next_instance():
    data = ics(
        *event(
            "DTSTART;TZID=Europe/London:20261103T140000",
            "DTEND;TZID=Europe/London:20261103T150000",
            "RRULE:FREQ=WEEKLY;BYDAY=TU",
            "SUMMARY:Interview loop",
        )
    )

    [invitation] = read(data)

    # NOW is Sunday 6 December: the next Tuesday is the 8th.
    assert invitation.recurring
    assert invitation.starts_at.date() == dt.date(2026, 12, 8)
    assert invitation.starts_at.hour == 14


def test_a_recurring_slot_that_ended_gives_its_latest_instance():
    data = ics(
        *event(
            "DTSTART;TZID=Europe/London:20261103T140000",
            "DTEND;TZID=Europe/London:20261103T150000",
            "RRULE:FREQ=WEEKLY;COUNT=4",
        )
    )

    [invitation] = read(data)

    assert invitation.starts_at.date() == dt.date(2026, 11, 24)


def test_several_events_are_all_offered_soonest_first():
    data = ics(
        *event("DTSTART:20261211T150000Z", "DTEND:20261211T160000Z", "SUMMARY:Second", uid="b"),
        *event("DTSTART:20261210T150000Z", "DTEND:20261210T160000Z", "SUMMARY:First", uid="a"),
    )

    assert [i.subject for i in read(data)] == ["First", "Second"]


def test_the_user_as_organizer_is_not_the_coordinator():
    data = ics(
        *event(
            "DTSTART:20261210T150000Z",
            "ORGANIZER;CN=Alex Morgan:mailto:alex.morgan@work.example",
            "ATTENDEE;CN=Lee Chen:mailto:lee@acme.example",
        )
    )

    [invitation] = read(data)

    assert invitation.organizer is None
    assert invitation.attendees == (Person("Lee Chen", "lee@acme.example"),)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Subject: hello\r\n\r\nnot a calendar", "not a calendar invitation"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a calendar invitation"),
        (ics(), "no meeting"),
        (ics(*event("DTSTART:20261210T150000Z", "STATUS:CANCELLED")), "no meeting"),
        (ics(*event("DTSTART:20261210T150000Z"), head=("METHOD:CANCEL",)), "cancels"),
        (ics(*event("DTSTART;VALUE=DATE:20261210")), "whole day"),
        (ics(*event("SUMMARY:No start")), "no start time"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\n", "cannot be read"),
        (b"BEGIN:VCALENDAR\r\n" + b"X" * 1_000_001, "too large"),
    ],
)
def test_files_that_give_no_interview_say_why(data, message):
    with pytest.raises(InvitationError, match=message):
        read(data)


def test_a_calendar_export_is_refused():
    events = [
        line
        for n in range(60)
        for line in event(f"DTSTART:202612{10 + n % 18:02d}T150000Z", uid=f"u{n}")
    ]
    with pytest.raises(InvitationError, match="60 events"):
        read(ics(*events))


@pytest.mark.parametrize(
    ("cn", "expected"),
    [
        ("Richardson, Dana", "Dana Richardson"),
        ('"Chen, Lee"', "Lee Chen"),
        ("Lee Chen", "Lee Chen"),
        ("Chen, PhD", "Chen, PhD"),
        ("lee@acme.example", ""),
        ("", ""),
        ("  Dana   Richardson ", "Dana Richardson"),
    ],
)
def test_display_names(cn, expected):
    assert display_name(cn, "x@acme.example") == expected


@pytest.mark.parametrize("frequency", ["SECONDLY", "MINUTELY", "HOURLY"])
def test_a_slot_repeating_faster_than_daily_is_refused(frequency):
    data = ics(*event("DTSTART:20261103T140000Z", f"RRULE:FREQ={frequency}"))

    with pytest.raises(InvitationError, match="not an interview invitation"):
        read(data)


def test_a_daily_slot_for_years_is_read_without_expanding_it_all():
    data = ics(
        *event(
            "DTSTART;TZID=Europe/London:20200101T090000",
            "DTEND;TZID=Europe/London:20200101T093000",
            "RRULE:FREQ=DAILY",
        )
    )

    [invitation] = read(data)

    assert invitation.starts_at.date() == dt.date(2026, 12, 7)  # tomorrow's, 09:00


def test_an_outlook_teams_block_is_cut_from_the_notes():
    description = (
        "Hi Alex\\, this is the panel with Lee and Priya.\\n\\n"
        + "_" * 80
        + "\\nMicrosoft Teams meeting\\nJoin on your computer\\, mobile app or room device\\n"
        "Click here to join the meeting<https://teams.microsoft.com/l/meetup-join/abc>\\n"
        "Meeting ID: 123 456 789\\nPasscode: aB3dE\\nDownload Teams | Join on the web\\n"
        "Learn More | Meeting options\\n" + "_" * 80
    )
    data = ics(*event("DTSTART:20261210T150000Z", f"DESCRIPTION:{description}"))

    [invitation] = read(data)

    assert invitation.notes == "Hi Alex, this is the panel with Lee and Priya."
    assert invitation.video_link.startswith("https://teams.microsoft.com/l/meetup-join/abc")
