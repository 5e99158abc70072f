"""The cadence's timing table: each row is one situation and the UTC instant it must yield.

Expected instants were worked out by hand from a calendar; the comment beside each gives the
sender's local time. 2026 DST changes: US 8 March / 1 November, EU 29 March / 25 October,
Sydney and Auckland end 5 April, Auckland starts 27 September, Sydney starts 4 October.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest

from followup.rules.cadence import (
    CadenceFacts,
    CadenceSettings,
    Due,
    Reply,
    SenderCalendar,
    SentMessage,
    close_out_due,
    plan,
    stay_in_touch_due,
    thank_you_due,
)
from tests.builders.clock import local, utc


def at(zone: str, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZoneInfo(zone))


NEW_YORK = SenderCalendar("America/New_York", "US")
NEW_YORK_0230 = SenderCalendar("America/New_York", "US", window_start=dt.time(2, 30))
NEW_YORK_0130 = SenderCalendar("America/New_York", "US", window_start=dt.time(1, 30))
NEW_YORK_9_TO_5 = SenderCalendar(
    "America/New_York", "US", window_start=dt.time(9, 0), window_end=dt.time(17, 0)
)
BAVARIA = SenderCalendar("Europe/Berlin", "DE", "BY")
BERLIN = SenderCalendar("Europe/Berlin", "DE", "BE")
BERLIN_0230 = SenderCalendar("Europe/Berlin", "DE", "BE", window_start=dt.time(2, 30))
SCOTLAND = SenderCalendar("Europe/London", "GB", "SCT")
ENGLAND = SenderCalendar("Europe/London", "GB", "ENG")
UK = SenderCalendar("Europe/London", "GB")
TOKYO = SenderCalendar("Asia/Tokyo", "JP")
SYDNEY = SenderCalendar("Australia/Sydney", "AU", "NSW")
AUCKLAND = SenderCalendar("Pacific/Auckland", "NZ")


def thank_you(calendar: SenderCalendar, end: dt.datetime, now: dt.datetime | None = None) -> Due:
    """The thank-you's due time for an interview logged at `now` (default: right at its end)."""
    return thank_you_due(interview_end=end, now=now or end, calendar=calendar)


def check_in_times(
    calendar: SenderCalendar, end: dt.datetime, *, now: dt.datetime | None = None, **facts
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(check-in, second check-in) as plan() sets them out."""
    result = plan(CadenceFacts(last_interview_end=end, now=now or end, calendar=calendar, **facts))
    return result.check_in, result.second_check_in


def first_check_in(calendar: SenderCalendar, end: dt.datetime, **facts) -> dt.datetime | None:
    return check_in_times(calendar, end, **facts)[0]


THANK_YOU_SENT = (SentMessage("thank_you", local(2026, 9, 16, 8, 0)),)

TABLE = [
    # -- thank-you (§2): the next morning, any day of the week -----------------------------
    pytest.param(
        lambda: thank_you(NEW_YORK, local(2026, 6, 10, 15, 0)),
        Due(utc(2026, 6, 11, 12, 0)),  # Thu 08:00 EDT
        id="wednesday-interview-thank-you-thursday-morning",
    ),
    pytest.param(
        lambda: thank_you(NEW_YORK, local(2026, 6, 12, 16, 0)),
        Due(utc(2026, 6, 13, 12, 0)),  # Sat 08:00 EDT
        id="friday-interview-thank-you-saturday-morning",
    ),
    pytest.param(
        lambda: thank_you(NEW_YORK, local(2026, 6, 13, 11, 0)),
        Due(utc(2026, 6, 14, 12, 0)),  # Sun 08:00 EDT
        id="saturday-interview-thank-you-sunday-morning",
    ),
    pytest.param(
        lambda: thank_you(NEW_YORK, local(2026, 6, 14, 11, 0)),
        Due(utc(2026, 6, 15, 12, 0)),  # Mon 08:00 EDT
        id="sunday-interview-thank-you-monday-morning",
    ),
    pytest.param(
        lambda: thank_you(NEW_YORK, local(2026, 11, 25, 14, 0)),
        Due(utc(2026, 11, 26, 13, 0)),  # Thanksgiving 08:00 EST: holidays do not delay it
        id="thanksgiving-eve-interview-thank-you-on-thanksgiving-morning",
    ),
    pytest.param(
        lambda: thank_you(NEW_YORK, local(2026, 6, 9, 7, 0)),
        Due(utc(2026, 6, 9, 13, 0)),  # same day 09:00 EDT = end + 2 h
        id="7am-interview-thank-you-same-day-two-hours-later",
    ),
    pytest.param(
        lambda: thank_you(NEW_YORK, local(2026, 6, 9, 5, 30)),
        Due(utc(2026, 6, 9, 12, 0)),  # same day 08:00 EDT: end + 2 h is before the window
        id="dawn-interview-thank-you-at-same-day-window-start",
    ),
    pytest.param(
        lambda: thank_you(NEW_YORK, local(2026, 6, 9, 21, 30)),
        Due(utc(2026, 6, 10, 12, 0)),  # Wed 08:00 EDT
        id="late-evening-interview-thank-you-next-morning",
    ),
    pytest.param(
        lambda: thank_you(TOKYO, at("Asia/Tokyo", 2026, 6, 8, 19, 30)),
        Due(utc(2026, 6, 8, 23, 0)),  # Tue 08:00 JST, still Monday in UTC
        id="tokyo-evening-interview-thank-you-due-on-the-previous-utc-day",
    ),
    pytest.param(
        lambda: thank_you(NEW_YORK, local(2026, 6, 8, 15, 0), now=local(2026, 6, 8, 22, 0)),
        Due(utc(2026, 6, 9, 12, 0)),  # Tue 08:00 EDT, logged in time
        id="logged-the-same-evening-not-late",
    ),
    pytest.param(
        lambda: thank_you(NEW_YORK, local(2026, 6, 8, 15, 0), now=local(2026, 6, 9, 10, 15)),
        Due(utc(2026, 6, 9, 14, 15), late=True),  # Tue 10:15 EDT: at once
        id="logged-late-inside-the-window-due-at-once-and-late",
    ),
    pytest.param(
        lambda: thank_you(NEW_YORK, local(2026, 6, 8, 15, 0), now=local(2026, 6, 9, 20, 30)),
        Due(utc(2026, 6, 10, 12, 0), late=True),  # Wed 08:00 EDT: the window had closed
        id="logged-late-after-the-window-due-next-morning-and-late",
    ),
    pytest.param(
        lambda: thank_you(NEW_YORK, local(2026, 6, 8, 15, 0), now=local(2026, 6, 10, 6, 0)),
        Due(utc(2026, 6, 10, 12, 0), late=True),  # Wed 08:00 EDT: the window had not opened
        id="logged-late-before-the-window-due-at-window-start-and-late",
    ),
    pytest.param(
        lambda: thank_you(NEW_YORK_9_TO_5, local(2026, 6, 8, 14, 0), now=local(2026, 6, 9, 17, 30)),
        Due(utc(2026, 6, 10, 13, 0), late=True),  # Wed 09:00 EDT in a 09:00-17:00 window
        id="custom-window-9-to-5-logged-late-after-five-due-next-nine",
    ),
    pytest.param(
        lambda: thank_you(NEW_YORK_9_TO_5, local(2026, 6, 10, 15, 0)),
        Due(utc(2026, 6, 11, 13, 0)),  # Thu 09:00 EDT
        id="custom-window-9-to-5-thank-you-at-nine",
    ),
    # -- thank-you across DST changes: stays at the local window start ---------------------
    pytest.param(
        lambda: thank_you(NEW_YORK, local(2026, 3, 7, 15, 0)),
        Due(utc(2026, 3, 8, 12, 0)),  # Sun 08:00 EDT (the interview was at UTC-5)
        id="us-spring-forward-night-thank-you-at-8am-edt",
    ),
    pytest.param(
        lambda: thank_you(NEW_YORK_0230, local(2026, 3, 7, 15, 0)),
        Due(utc(2026, 3, 8, 7, 0)),  # 02:30 does not exist: 03:00 EDT, the moment clocks jump
        id="us-spring-forward-window-at-0230-opens-when-clocks-jump-to-0300",
    ),
    pytest.param(
        lambda: thank_you(NEW_YORK, local(2026, 10, 31, 15, 0)),
        Due(utc(2026, 11, 1, 13, 0)),  # Sun 08:00 EST (the interview was at UTC-4)
        id="us-fall-back-night-thank-you-at-8am-est",
    ),
    pytest.param(
        lambda: thank_you(NEW_YORK_0130, local(2026, 10, 31, 15, 0)),
        Due(utc(2026, 11, 1, 5, 30)),  # 01:30 happens twice: the first, 01:30 EDT
        id="us-fall-back-window-at-0130-takes-the-first-0130",
    ),
    pytest.param(
        lambda: thank_you(BERLIN, at("Europe/Berlin", 2026, 3, 28, 16, 0)),
        Due(utc(2026, 3, 29, 6, 0)),  # Sun 08:00 CEST
        id="berlin-spring-forward-night-thank-you-at-8am-cest",
    ),
    pytest.param(
        lambda: thank_you(BERLIN_0230, at("Europe/Berlin", 2026, 3, 28, 16, 0)),
        Due(utc(2026, 3, 29, 1, 0)),  # 02:30 does not exist: 03:00 CEST
        id="berlin-spring-forward-window-at-0230-opens-at-0300",
    ),
    pytest.param(
        lambda: thank_you(ENGLAND, at("Europe/London", 2026, 10, 24, 15, 0)),
        Due(utc(2026, 10, 25, 8, 0)),  # Sun 08:00 GMT
        id="london-fall-back-night-thank-you-at-8am-gmt",
    ),
    pytest.param(
        lambda: thank_you(SYDNEY, at("Australia/Sydney", 2026, 4, 4, 15, 0)),
        Due(utc(2026, 4, 4, 22, 0)),  # Sun 08:00 AEST: Sydney's DST ends in April
        id="sydney-dst-ends-in-april-thank-you-at-8am-aest",
    ),
    pytest.param(
        lambda: thank_you(AUCKLAND, at("Pacific/Auckland", 2026, 9, 26, 15, 0)),
        Due(utc(2026, 9, 26, 19, 0)),  # Sun 08:00 NZDT: Auckland's DST starts in September
        id="auckland-dst-starts-in-september-thank-you-at-8am-nzdt",
    ),
    # -- first check-in (§4): business days at the window start ----------------------------
    pytest.param(
        lambda: first_check_in(NEW_YORK, local(2026, 9, 15, 15, 0)),
        utc(2026, 9, 29, 12, 0),  # Tue 29 Sep 08:00 EDT, 10 business days after Tue 15
        id="weekday-interview-check-in-ten-business-days-later",
    ),
    pytest.param(
        lambda: first_check_in(NEW_YORK, local(2026, 9, 18, 15, 0)),
        utc(2026, 10, 2, 12, 0),  # Fri 2 Oct 08:00 EDT
        id="friday-interview-check-in-two-weeks-later-on-friday",
    ),
    pytest.param(
        lambda: first_check_in(NEW_YORK, local(2026, 9, 19, 11, 0)),
        utc(2026, 10, 2, 12, 0),  # Fri 2 Oct 08:00 EDT: counting starts on Monday
        id="saturday-interview-check-in-counts-from-monday",
    ),
    pytest.param(
        lambda: first_check_in(NEW_YORK, local(2026, 11, 12, 14, 0)),
        utc(2026, 11, 27, 13, 0),  # Fri 27 Nov 08:00 EST: Thanksgiving (26th) skipped
        id="us-thanksgiving-is-not-a-business-day",
    ),
    pytest.param(
        lambda: first_check_in(
            NEW_YORK, local(2026, 6, 22, 15, 0), decision_date=dt.date(2026, 7, 1)
        ),
        utc(2026, 7, 6, 12, 0),  # Mon 6 Jul 08:00 EDT: 4 July observed on Fri 3 Jul
        id="us-july-4th-observed-on-friday-is-skipped",
    ),
    pytest.param(
        lambda: first_check_in(
            NEW_YORK, local(2026, 9, 14, 15, 0), decision_date=dt.date(2026, 9, 18)
        ),
        utc(2026, 9, 22, 12, 0),  # Tue 22 Sep 08:00 EDT (Monday is day 1)
        id="decision-date-friday-check-in-tuesday-morning",
    ),
    pytest.param(
        lambda: first_check_in(
            NEW_YORK, local(2026, 9, 14, 15, 0), decision_date=dt.date(2026, 9, 16)
        ),
        utc(2026, 9, 18, 12, 0),  # Fri 18 Sep 08:00 EDT, earlier than the 10-day default
        id="decision-date-before-the-ten-day-default-brings-the-check-in-forward",
    ),
    pytest.param(
        lambda: first_check_in(
            NEW_YORK, local(2026, 9, 14, 15, 0), decision_date=dt.date(2026, 9, 11)
        ),
        utc(2026, 9, 28, 12, 0),  # Mon 28 Sep 08:00 EDT: a date before the interview is stale
        id="decision-date-before-the-interview-is-ignored",
    ),
    pytest.param(
        lambda: first_check_in(
            BAVARIA, at("Europe/Berlin", 2025, 12, 18, 14, 0), decision_date=dt.date(2026, 1, 5)
        ),
        utc(2026, 1, 8, 7, 0),  # Thu 8 Jan 08:00 CET: Epiphany (Tue 6) is a Bavarian holiday
        id="de-bavaria-skips-epiphany",
    ),
    pytest.param(
        lambda: first_check_in(
            BERLIN, at("Europe/Berlin", 2025, 12, 18, 14, 0), decision_date=dt.date(2026, 1, 5)
        ),
        utc(2026, 1, 7, 7, 0),  # Wed 7 Jan 08:00 CET: Berlin works on Epiphany
        id="de-berlin-works-on-epiphany",
    ),
    pytest.param(
        lambda: first_check_in(
            BERLIN, at("Europe/Berlin", 2025, 9, 25, 14, 0), decision_date=dt.date(2025, 10, 2)
        ),
        utc(2025, 10, 7, 6, 0),  # Tue 7 Oct 2025 08:00 CEST: Fri 3 Oct, German Unity Day
        id="de-german-unity-day-on-a-friday-is-skipped",
    ),
    pytest.param(
        lambda: first_check_in(
            SCOTLAND, at("Europe/London", 2026, 11, 20, 14, 0), decision_date=dt.date(2026, 11, 27)
        ),
        utc(2026, 12, 2, 8, 0),  # Wed 2 Dec 08:00 GMT: St Andrew's Day (Mon 30) skipped
        id="gb-scotland-skips-st-andrews-day",
    ),
    pytest.param(
        lambda: first_check_in(
            ENGLAND, at("Europe/London", 2026, 11, 20, 14, 0), decision_date=dt.date(2026, 11, 27)
        ),
        utc(2026, 12, 1, 8, 0),  # Tue 1 Dec 08:00 GMT: England works on St Andrew's Day
        id="gb-england-works-on-st-andrews-day",
    ),
    pytest.param(
        lambda: first_check_in(
            SCOTLAND, at("Europe/London", 2025, 12, 22, 14, 0), decision_date=dt.date(2025, 12, 31)
        ),
        utc(2026, 1, 6, 8, 0),  # Tue 6 Jan 08:00 GMT: 1 and 2 January are Scottish holidays
        id="gb-scotland-skips-2-january",
    ),
    pytest.param(
        lambda: first_check_in(
            UK, at("Europe/London", 2025, 12, 22, 14, 0), decision_date=dt.date(2025, 12, 31)
        ),
        utc(2026, 1, 5, 8, 0),  # Mon 5 Jan 08:00 GMT: without a region 2 January is a workday
        id="gb-without-region-works-on-2-january",
    ),
    # -- check-ins across DST changes: 08:00 local, a different UTC offset -----------------
    pytest.param(
        lambda: first_check_in(NEW_YORK, local(2026, 3, 3, 15, 0)),
        utc(2026, 3, 17, 12, 0),  # Tue 17 Mar 08:00 EDT; the interview was at UTC-5
        id="us-check-in-across-spring-forward-stays-at-8am-local",
    ),
    pytest.param(
        lambda: first_check_in(NEW_YORK, local(2026, 10, 27, 14, 0)),
        utc(2026, 11, 10, 13, 0),  # Tue 10 Nov 08:00 EST; the interview was at UTC-4
        id="us-check-in-across-fall-back-stays-at-8am-local",
    ),
    pytest.param(
        lambda: first_check_in(BERLIN, at("Europe/Berlin", 2026, 10, 22, 14, 0)),
        utc(2026, 11, 5, 7, 0),  # Thu 5 Nov 08:00 CET; the interview was at UTC+2
        id="berlin-check-in-across-fall-back-stays-at-8am-local",
    ),
    pytest.param(
        lambda: first_check_in(ENGLAND, at("Europe/London", 2026, 3, 19, 15, 0)),
        utc(2026, 4, 2, 7, 0),  # Thu 2 Apr 08:00 BST; the interview was at UTC+0
        id="london-check-in-across-spring-forward-stays-at-8am-local",
    ),
    pytest.param(
        lambda: first_check_in(SYDNEY, at("Australia/Sydney", 2026, 10, 1, 14, 0)),
        utc(2026, 10, 15, 21, 0),  # Fri 16 Oct 08:00 AEDT; NSW Labour Day (Mon 5) skipped
        id="sydney-check-in-across-dst-start-skips-nsw-labour-day",
    ),
    pytest.param(
        lambda: first_check_in(AUCKLAND, at("Pacific/Auckland", 2026, 9, 17, 14, 0)),
        utc(2026, 9, 30, 19, 0),  # Thu 1 Oct 08:00 NZDT; the interview was at UTC+12
        id="auckland-check-in-across-dst-start-stays-at-8am-local",
    ),
    pytest.param(
        lambda: first_check_in(TOKYO, at("Asia/Tokyo", 2026, 9, 18, 14, 0)),
        utc(2026, 10, 6, 23, 0),  # Wed 7 Oct 08:00 JST: the 21-23 Sep holidays skipped
        id="tokyo-check-in-skips-silver-week",
    ),
    # -- custom per-user settings ---------------------------------------------------------
    pytest.param(
        lambda: check_in_times(
            NEW_YORK,
            local(2026, 9, 15, 15, 0),
            settings=CadenceSettings(check_in_business_days=5),
        ),
        (utc(2026, 9, 22, 12, 0), utc(2026, 9, 29, 12, 0)),  # Tue 22 Sep, Tue 29 Sep 08:00 EDT
        id="custom-five-business-days-check-in",
    ),
    pytest.param(
        lambda: first_check_in(NEW_YORK_9_TO_5, local(2026, 9, 15, 15, 0)),
        utc(2026, 9, 29, 13, 0),  # Tue 29 Sep 09:00 EDT
        id="custom-window-9-to-5-check-in-at-nine",
    ),
    # -- second check-in (§5) ---------------------------------------------------------------
    pytest.param(
        lambda: check_in_times(NEW_YORK, local(2026, 9, 15, 15, 0)),
        (utc(2026, 9, 29, 12, 0), utc(2026, 10, 6, 12, 0)),  # Tue 29 Sep, Tue 6 Oct 08:00 EDT
        id="second-check-in-planned-from-the-unsent-first-due-time",
    ),
    pytest.param(
        lambda: check_in_times(
            NEW_YORK,
            local(2026, 9, 15, 15, 0),
            now=local(2026, 9, 30, 11, 0),
            sent=(*THANK_YOU_SENT, SentMessage("check_in", local(2026, 9, 30, 10, 12))),
        ),
        (None, utc(2026, 10, 7, 12, 0)),  # Wed 7 Oct 08:00 EDT, 5 after the real send
        id="second-check-in-five-business-days-after-the-first-was-sent",
    ),
    # -- the clock, pauses and resumes (§7) ------------------------------------------------
    pytest.param(
        lambda: check_in_times(NEW_YORK, local(2026, 9, 15, 15, 0), now=local(2026, 9, 30, 10, 0)),
        (utc(2026, 10, 1, 12, 0), utc(2026, 10, 8, 12, 0)),  # Thu 1 Oct, Thu 8 Oct 08:00 EDT
        id="past-due-unsent-check-in-moves-to-the-next-business-morning",
    ),
    pytest.param(
        lambda: check_in_times(
            NEW_YORK,
            local(2026, 9, 15, 15, 0),
            now=local(2026, 9, 30, 13, 5),
            paused_since=local(2026, 9, 28, 10, 0),
            resumed_at=local(2026, 9, 30, 13, 0),
        ),
        (utc(2026, 10, 1, 12, 0), utc(2026, 10, 8, 12, 0)),  # Thu 1 Oct, Thu 8 Oct 08:00 EDT
        id="check-in-due-during-a-pause-goes-to-the-next-window-start-after-resuming",
    ),
    pytest.param(
        lambda: first_check_in(
            NEW_YORK,
            local(2026, 9, 15, 15, 0),
            now=local(2026, 9, 30, 6, 31),
            paused_since=local(2026, 9, 28, 10, 0),
            resumed_at=local(2026, 9, 30, 6, 30),
        ),
        utc(2026, 9, 30, 12, 0),  # Wed 30 Sep 08:00 EDT, the same morning
        id="resumed-before-the-window-opens-goes-out-that-morning",
    ),
    pytest.param(
        lambda: first_check_in(
            NEW_YORK,
            local(2026, 9, 15, 15, 0),
            now=local(2026, 9, 18, 12, 0),
            paused_since=local(2026, 9, 16, 10, 0),
            resumed_at=local(2026, 9, 18, 11, 0),
        ),
        utc(2026, 9, 29, 12, 0),  # Tue 29 Sep 08:00 EDT: it was not due during the pause
        id="short-pause-leaves-a-later-check-in-alone",
    ),
    # -- replies (§7) -----------------------------------------------------------------------
    pytest.param(
        lambda: check_in_times(
            NEW_YORK,
            local(2026, 9, 15, 15, 0),
            now=local(2026, 9, 21, 11, 5),
            sent=THANK_YOU_SENT,
            replies=(Reply(local(2026, 9, 21, 11, 0), "no_news"),),
        ),
        (utc(2026, 9, 30, 12, 0), utc(2026, 10, 7, 12, 0)),  # Wed 30 Sep, Wed 7 Oct 08:00 EDT
        id="no-news-reply-check-in-after-seven-business-days",
    ),
    pytest.param(
        lambda: check_in_times(
            NEW_YORK,
            local(2026, 9, 15, 15, 0),
            now=local(2026, 10, 1, 9, 35),
            sent=(*THANK_YOU_SENT, SentMessage("check_in", local(2026, 9, 29, 8, 0))),
            replies=(Reply(local(2026, 10, 1, 9, 30), "no_news"),),
        ),
        (None, utc(2026, 10, 13, 12, 0)),  # Tue 13 Oct 08:00 EDT: Columbus Day (12th) skipped
        id="no-news-reply-after-the-first-check-in-moves-the-second",
    ),
    pytest.param(
        lambda: check_in_times(
            NEW_YORK,
            local(2026, 9, 15, 15, 0),
            now=local(2026, 9, 22, 9, 5),
            sent=THANK_YOU_SENT,
            replies=(Reply(local(2026, 9, 22, 9, 0), "out_of_office", dt.date(2026, 10, 5)),),
        ),
        (utc(2026, 10, 5, 12, 0), utc(2026, 10, 13, 12, 0)),  # Mon 5 Oct, Tue 13 Oct 08:00 EDT
        id="out-of-office-with-return-date-holds-the-check-in-until-then",
    ),
    pytest.param(
        lambda: check_in_times(
            NEW_YORK,
            local(2026, 9, 15, 15, 0),
            now=local(2026, 9, 25, 10, 5),
            sent=THANK_YOU_SENT,
            replies=(Reply(local(2026, 9, 25, 10, 0), "out_of_office"),),
        ),
        (utc(2026, 10, 2, 12, 0), utc(2026, 10, 9, 12, 0)),  # Fri 2 Oct, Fri 9 Oct 08:00 EDT
        id="out-of-office-without-return-date-holds-five-business-days",
    ),
    pytest.param(
        lambda: check_in_times(
            NEW_YORK,
            local(2026, 9, 15, 15, 0),
            now=local(2026, 9, 24, 11, 5),
            sent=THANK_YOU_SENT,
            replies=(Reply(local(2026, 9, 24, 11, 0), "reply"),),
        ),
        (None, None),
        id="a-real-reply-stops-every-check-in",
    ),
    pytest.param(
        lambda: check_in_times(
            NEW_YORK, local(2026, 9, 15, 15, 0), now=local(2026, 9, 24, 11, 0), outcome="offer"
        ),
        (None, None),
        id="an-offer-stops-every-check-in",
    ),
    pytest.param(
        lambda: check_in_times(
            NEW_YORK,
            local(2026, 9, 21, 15, 0),  # round 2; round 1's messages are not passed
            now=local(2026, 9, 21, 16, 0),
            sent=(),
        ),
        (utc(2026, 10, 5, 12, 0), utc(2026, 10, 13, 12, 0)),  # Mon 5 Oct, Tue 13 Oct 08:00 EDT
        id="a-new-round-restarts-the-cadence-from-its-interview",
    ),
    # -- the first check-in keeps 2 business days from the thank-you (§4, §8) ------------------
    pytest.param(
        lambda: check_in_times(
            NEW_YORK,
            local(2026, 9, 1, 15, 0),  # logged three weeks late: its thank-you goes Tue 22 Sep
            now=local(2026, 9, 22, 10, 0),
            thank_you_at=local(2026, 9, 22, 10, 0),
        ),
        (utc(2026, 9, 24, 12, 0), utc(2026, 10, 1, 12, 0)),  # Thu 24 Sep, Thu 1 Oct 08:00 EDT
        id="late-logged-interview-check-in-two-business-days-after-the-late-thank-you",
    ),
    pytest.param(
        lambda: check_in_times(
            NEW_YORK,
            local(2026, 9, 1, 15, 0),
            now=local(2026, 9, 25, 12, 0),
            sent=(SentMessage("thank_you", local(2026, 9, 25, 11, 0)),),
            thank_you_at=local(2026, 9, 22, 10, 0),  # planned earlier, went out on Friday
        ),
        (utc(2026, 9, 29, 12, 0), utc(2026, 10, 6, 12, 0)),  # Tue 29 Sep, Tue 6 Oct 08:00 EDT
        id="a-thank-you-sent-later-than-planned-pushes-the-check-in-from-when-it-went",
    ),
    pytest.param(
        lambda: check_in_times(
            NEW_YORK,
            local(2026, 9, 15, 15, 0),
            decision_date=dt.date(2026, 9, 15),  # "we decide today": 2 business days is Thu 17
            thank_you_at=local(2026, 9, 16, 8, 0),
        ),
        # Thu 17 is 1 business day after the thank-you: Fri 18 Sep, Fri 25 Sep 08:00 EDT.
        (utc(2026, 9, 18, 12, 0), utc(2026, 9, 25, 12, 0)),
        id="an-early-decision-date-still-waits-two-business-days-after-the-thank-you",
    ),
    pytest.param(
        lambda: check_in_times(
            NEW_YORK,
            local(2026, 9, 15, 15, 0),
            thank_you_at=local(2026, 9, 16, 8, 0),  # on time: the 10-day rule is later anyway
        ),
        (utc(2026, 9, 29, 12, 0), utc(2026, 10, 6, 12, 0)),  # Tue 29 Sep, Tue 6 Oct 08:00 EDT
        id="an-on-time-thank-you-leaves-the-usual-check-in-alone",
    ),
    # -- close-out and staying in touch (§6) ------------------------------------------------
    pytest.param(
        lambda: close_out_due(logged_at=local(2026, 9, 18, 16, 0), calendar=NEW_YORK),
        utc(2026, 9, 21, 12, 0),  # Mon 21 Sep 08:00 EDT
        id="rejection-logged-friday-close-out-monday-morning",
    ),
    pytest.param(
        lambda: close_out_due(logged_at=local(2026, 11, 25, 20, 0), calendar=NEW_YORK),
        utc(2026, 11, 27, 13, 0),  # Fri 27 Nov 08:00 EST: Thanksgiving skipped
        id="rejection-logged-thanksgiving-eve-close-out-friday-morning",
    ),
    pytest.param(
        lambda: close_out_due(logged_at=local(2026, 9, 19, 21, 0), calendar=NEW_YORK, at_once=True),
        utc(2026, 9, 20, 12, 0),  # Sun 20 Sep 08:00 EDT: at once, but inside the window
        id="withdrawal-at-once-late-saturday-goes-at-sunday-window-start",
    ),
    pytest.param(
        lambda: stay_in_touch_due(
            closed_at=local(2026, 10, 15, 10, 0), calendar=NEW_YORK, settings=CadenceSettings()
        ),
        utc(2026, 11, 27, 13, 0),  # six weeks = Thanksgiving: Fri 27 Nov 08:00 EST
        id="stay-in-touch-six-weeks-later-skips-thanksgiving",
    ),
    pytest.param(
        lambda: stay_in_touch_due(
            closed_at=at("Europe/Berlin", 2026, 9, 10, 10, 0),
            calendar=BERLIN,
            settings=CadenceSettings(stay_in_touch_weeks=8),
        ),
        utc(2026, 11, 5, 7, 0),  # eight weeks: Thu 5 Nov 08:00 CET (closed at UTC+2)
        id="stay-in-touch-custom-eight-weeks-across-fall-back",
    ),
]


def _instants(value: object) -> list[dt.datetime]:
    values = value if isinstance(value, tuple) else (value,)
    return [v.at if isinstance(v, Due) else v for v in values if v is not None]


@pytest.mark.parametrize(("compute", "expected"), TABLE)
def test_the_cadence_times_each_situation_as_the_spec_says(
    compute: Callable[[], object], expected: object
) -> None:
    result = compute()
    assert result == expected
    # Equal instants are not enough: every time must come back in UTC.
    assert all(instant.tzinfo is dt.UTC for instant in _instants(result))


def test_the_table_covers_at_least_thirty_cases() -> None:
    assert len(TABLE) >= 30
