"""The panel interview most messaging tests start from, and the due times its plan yields.

Northwind Labs, Senior Data Engineer: Jordan Lee (recruiter, the main contact) and an
interview on Tuesday 4 March 2025, 14:00-15:00 New York, with Dana Whitfield and Maria
Richardson. Logged and planned an hour after it ended (LOGGED), the plan is: thank-yous
Wed 5 March 08:00, check-in Tue 18 March 08:00, second check-in Tue 25 March 08:00.
"""

from __future__ import annotations

import datetime as dt

import time_machine

from followup.accounts.models import User
from interviews.models import Application, Contact, Interview
from messaging.drafting.planning import plan_interview
from messaging.models import Message
from tests.builders.clock import local
from tests.builders.interviews import (
    add_participant,
    make_application,
    make_company,
    make_contact,
    make_interview,
)
from tests.builders.queries import check_ins, mark_sent, messages

PANEL_STARTS = local(2025, 3, 4, 14)
LOGGED = local(2025, 3, 4, 16)
LATER = local(2025, 3, 4, 18)  # an edit the evening after logging
THANK_YOU_DUE = local(2025, 3, 5, 8)
CHECK_IN_DUE = local(2025, 3, 18, 8)
SECOND_CHECK_IN_DUE = local(2025, 3, 25, 8)


def make_panel(
    user: User, *, company_name: str = "Northwind Labs", **interview_fields: object
) -> tuple[Application, Interview, dict[str, Contact]]:
    """The panel interview, not yet planned (interview_fields change the interview).

    Returns (application, interview, {"recruiter": ..., "dana": ..., "richardson": ...});
    their addresses are first.last@<company name without spaces>.example.
    """
    company = make_company(user, company_name)
    domain = company_name.lower().replace(" ", "") + ".example"
    recruiter = make_contact(
        company,
        "Jordan Lee",
        email=f"jordan.lee@{domain}",
        kind=Contact.Kind.RECRUITER,
        tone=Contact.Tone.FIRST_NAME,
    )
    dana = make_contact(
        company, "Dana Whitfield", email=f"dana.whitfield@{domain}", tone=Contact.Tone.FIRST_NAME
    )
    richardson = make_contact(
        company, "Maria Richardson", email=f"maria.richardson@{domain}", honorific="Ms."
    )
    application = make_application(
        user, company, role="Senior Data Engineer", main_contact=recruiter
    )
    interview = make_interview(application, **({"starts_at": PANEL_STARTS} | interview_fields))
    add_participant(
        interview,
        dana,
        discussed="the migration of the billing pipeline to streaming",
    )
    add_participant(
        interview,
        richardson,
        discussed="how the analytics team measures data quality.",
        added_point="I have run on-call rotations for three years",
    )
    return application, interview, {"recruiter": recruiter, "dana": dana, "richardson": richardson}


def planned(user: User) -> tuple[Application, dict[str, Contact]]:
    """The panel interview, logged and planned by the drafting module at LOGGED."""
    with time_machine.travel(LOGGED, tick=False):
        application, interview, people = make_panel(user)
        plan_interview(interview=interview)
    return application, people


def sent_cadence(application: Application) -> dt.datetime:
    """Thank-yous and both check-ins sent, unanswered; returns when the second one went."""
    for message in messages(application, Message.Stage.THANK_YOU):
        mark_sent(message, THANK_YOU_DUE)
    first, second = check_ins(application)
    mark_sent(first, CHECK_IN_DUE)
    mark_sent(second, SECOND_CHECK_IN_DUE)
    return SECOND_CHECK_IN_DUE
