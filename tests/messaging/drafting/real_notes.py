"""Interview logs as people really type their notes, and the sentences a person would send.

Each log is one interview; a few companies see several applications, so their thank-yous and
check-ins use every phrasing. The notes are as typed: terse fragments, full sentences, lists,
typos, "they" for the company, slips, promised items. EXPECTED holds, for each draft a log
makes, the sentences with the notes in them, written by hand; one holding a slot ("[Say in a
few words ...]") expects the draft to ask the user to fill it.

The main contact is the recruiter RECRUITER unless a log names an interviewer as `main`.
"""

from __future__ import annotations

from dataclasses import dataclass

RECRUITER = "Sam Okoro"
CHECK_IN = "first check-in"


@dataclass(frozen=True)
class Person:
    name: str
    discussed: str = ""
    questions: str = ""
    promised: str = ""
    added_point: str = ""


@dataclass(frozen=True)
class Log:
    company: str
    role: str
    people: tuple[Person, ...]
    # The interviewer who is also the main contact (else the recruiter RECRUITER is).
    main: str = ""


LOGS: tuple[Log, ...] = (
    Log(
        "Northwind Analytics",
        "Analytics Engineer",
        (
            Person(
                "Priya Shah",
                discussed=(
                    "Migrating their nightly revenue reports from cron scripts to dbt, and how "
                    "they test data quality before the finance close"
                ),
                promised="send my portfolio link",
            ),
        ),
    ),
    Log(
        "Halden Capital",
        "Investment Analyst",
        (
            Person(
                "Nadia Karim",
                discussed="Nadia spent most of the time on the commercial real estate portfolio.",
                added_point=(
                    "should have said I'd use the Gordon growth method for the terminal value"
                ),
            ),
            Person("Owen Price", questions="asked me to walk through a DCF"),
        ),
    ),
    Log(
        "Brightline Health",
        "Data Analyst",
        (
            Person("Tom Becker", discussed="sql test, window functions. went ok i think"),
            Person("Aisha Bello", discussed="how they use claims data to spot readmission risk"),
        ),
    ),
    Log(
        "Corvid Labs",
        "Backend Engineer",
        (
            Person(
                "Lena Fischer",
                discussed="They're moving the monolith to event-driven services",
                questions="How would you handle retries when the payment provider times out?",
            ),
        ),
    ),
    Log(
        "Pinecrest Bank",
        "Risk Analyst",
        (
            Person(
                "Marcus Hill",
                discussed="Discussed their move from spreadsheets to a proper credit risk model",
                promised="the Python notebook from my stress-testing project",
            ),
        ),
    ),
    Log(
        "Lumen Retail",
        "Product Designer",
        (
            Person("Chloe Martin", discussed="accessibility audits"),
            Person("Ravi Patel", discussed="we talked about building a design system from scratch"),
        ),
    ),
    Log(
        "Lumen Retail",
        "Senior Product Designer",
        (
            Person(
                "Grace Wong",
                discussed="the checkout redesign and how they measured drop-off",
                added_point="forgot to mention my Figma plugin has 2k users",
            ),
        ),
    ),
    Log(
        "Tidewater Logistics",
        "Operations Manager",
        (
            Person(
                "Diego Alvarez",
                discussed="Diego explained how they route 400 trucks a day out of the Newark depot",
                questions="asked about my experience managing unionised teams",
            ),
        ),
    ),
    Log(
        "Quillstone Publishing",
        "Marketing Coordinator",
        (
            Person(
                "Hannah Cole",
                discussed="their new podcast launch",
                promised="Writing samples",
            ),
        ),
    ),
    Log(
        "Arcfield Energy",
        "Project Engineer",
        (
            Person(
                "Peter Novak",
                discussed="Talked about the Q3 roadmap for the solar farm in Nevada",
                added_point="i should have mentioned i hold a PMP",
            ),
            Person("Julia Reyes", discussed="site safety culture"),
        ),
    ),
    Log(
        "Greenleaf Foods",
        "Supply Chain Analyst",
        (
            Person(
                "Omar Haddad",
                discussed="They still forecast demand in Excel and want to move to a proper tool",
            ),
        ),
    ),
    Log(
        "Greenleaf Foods",
        "Demand Planner",
        (Person("Sofia Rossi", discussed="dbt, airflow and data contracts"),),
    ),
    Log(
        "Greenleaf Foods",
        "Logistics Planner",
        (Person("Ben Carter", discussed="the way they plan cold-chain deliveries in summer"),),
    ),
    Log(
        "Mosaic Learning",
        "Instructional Designer",
        (
            Person(
                "Ivy Chen",
                discussed="we spoke about making their courses work for learners on mobile",
                questions="what's your process for storyboarding a module",
            ),
        ),
    ),
    Log(
        "Kestrel Security",
        "Security Engineer",
        (
            Person(
                "Felix Braun",
                discussed="incident response runbooks",
                questions="asked me how I'd triage a phishing report",
                promised="link to my GitHub",
            ),
        ),
    ),
    Log(
        "Harbor & Finch",
        "Paralegal",
        (
            Person(
                "Eleanor Vance",
                discussed="how the firm is moving discovery to an e-discovery platform",
                added_point="I have run document review for two class actions",
            ),
        ),
        main="Eleanor Vance",
    ),
    Log(
        "Summit Outdoor",
        "E-commerce Manager",
        (
            Person("Jake Morrison", discussed="- site speed\n- returns\n- loyalty program"),
            Person("Nina Park", discussed="their plan to open a marketplace for used gear"),
        ),
    ),
    Log(
        "Orbital Games",
        "QA Engineer",
        (
            Person(
                "Kai Nakamura",
                discussed="how they automate regression tests for console builds",
                questions="Q: biggest weakness",
            ),
        ),
    ),
    Log(
        "Redwood Clinic",
        "Practice Manager",
        (
            Person(
                "Dr. Amelia Stone",
                discussed="Patient wait times and the new online booking system",
                promised="references",
            ),
        ),
    ),
    Log(
        "Vantage Media",
        "Content Strategist",
        (
            Person(
                "Laura Bennett",
                discussed="their content strategy for the relaunch, seo, newsletters",
            ),
        ),
    ),
    Log(
        "Ironbridge Construction",
        "Estimator",
        (
            Person(
                "Sean Murphy",
                discussed="cost estimating for the hospital bid",
                added_point="totally blanked on the question about contingency",
            ),
        ),
    ),
    Log(
        "Fable Studio",
        "Animator",
        (
            Person(
                "Mia Laurent",
                discussed="their short film pipeline and how they review dailies",
                promised="my showreel",
            ),
        ),
    ),
    Log(
        "Cobalt Payments",
        "Data Scientist",
        (
            Person("Ethan Wright", discussed="machine learning for fraud detection"),
            Person(
                "Zara Ahmed",
                discussed="How they decide which fraud models go to production",
                questions="do you have experience with imbalanced datasets",
            ),
        ),
    ),
    Log(
        "Cobalt Payments",
        "Machine Learning Engineer",
        (Person("Noah Fischer", discussed="feature store design"),),
    ),
    Log(
        "Maple Street Schools",
        "IT Coordinator",
        (
            Person(
                "Rachel Adams",
                discussed="Chromebook rollout to 3,000 students",
                questions="asked how I would prioritize tickets during exam week",
            ),
        ),
    ),
    Log(
        "Northstar Hotels",
        "Revenue Manager",
        (
            Person(
                "Victor Hugo Lima",
                discussed="their pricing experiments for weekend stays",
                promised="I said I'd send the case study from my last job",
            ),
        ),
    ),
    Log(
        "Riverside Bank",
        "Data Engineer",
        (
            Person(
                "Lucas Meyer",
                discussed="their data pipline migraton to the cloud",
                questions="asked about stakehoder managment",
            ),
        ),
    ),
    Log(
        "Juniper Health",
        "UX Researcher",
        (
            Person(
                "Sara Lind",
                discussed="how they recruit patients for usability tests",
                promised="my reserach portfolio",
            ),
        ),
    ),
    Log(
        "Tern Airlines",
        "Software Engineer",
        (Person("Oliver Grant", discussed="migrating teh booking system off Oracle"),),
    ),
    Log(
        "Bramble Coffee",
        "Retail Operations Lead",
        (
            Person(
                "Emma Dubois",
                discussed=(
                    "We talked about how they measure customer satisfaction across their stores."
                ),
                questions="She asked what I would change in my first 90 days.",
            ),
        ),
    ),
    Log(
        "Alder Insurance",
        "Claims Adjuster",
        (
            Person(
                "Grace Kim",
                discussed="Grace's team handles the flood claims",
            ),
            Person("Henry Adams", discussed="the new claims triage app"),
        ),
    ),
)


# The sentences with the notes in each draft, written by hand: by role, then by recipient
# (each interviewer's thank-you) and CHECK_IN (the first check-in to the main contact).
EXPECTED: dict[str, dict[str, tuple[str, ...]]] = {
    "Analytics Engineer": {
        "Priya Shah": (
            (
                "Our discussion about migrating your nightly revenue reports from cron scripts to "
                "dbt was a highlight for me."
            ),
            "You can find my portfolio here, as promised: [Paste the link here]",
        ),
        CHECK_IN: (
            (
                "I especially valued what Priya Shah told me about migrating your nightly revenue "
                "reports from cron scripts to dbt, and it has only added to my interest in the "
                "role."
            ),
        ),
    },
    "Investment Analyst": {
        "Nadia Karim": (
            "Hearing about the commercial real estate portfolio was the part I enjoyed most.",
            ("I'd like to add one thing: I'd use the Gordon growth method for the terminal value."),
        ),
        "Owen Price": ("I enjoyed walking you through a DCF.",),
        CHECK_IN: (
            (
                "I remain very interested in the position, especially after talking with Nadia "
                "Karim about the commercial real estate portfolio."
            ),
        ),
    },
    "Data Analyst": {
        "Tom Becker": (
            (
                "I especially enjoyed our conversation about [Say in a few words what you "
                "discussed]."
            ),
        ),
        "Aisha Bello": (
            (
                "Our discussion about how your team uses claims data to spot readmission risk was "
                "a highlight for me."
            ),
        ),
        CHECK_IN: (
            (
                "My conversation with Aisha Bello about how your team uses claims data to spot "
                "readmission risk is still on my mind, and my interest in joining Brightline "
                "Health is as strong as ever."
            ),
        ),
    },
    "Backend Engineer": {
        "Lena Fischer": (
            (
                "It was a highlight for me to hear that your team is moving the monolith to "
                "event-driven services."
            ),
        ),
        CHECK_IN: (
            (
                "I especially valued hearing from Lena Fischer that your team is moving the "
                "monolith to event-driven services, and it has only added to my interest in the "
                "role."
            ),
        ),
    },
    "Risk Analyst": {
        "Marcus Hill": (
            (
                "Hearing about your move from spreadsheets to a proper credit risk model was the "
                "part I enjoyed most."
            ),
            (
                "Here is the Python notebook from my stress-testing project, which I promised to "
                "send: [Paste the link here]"
            ),
        ),
        CHECK_IN: (
            (
                "I remain very interested in the position, especially after talking with Marcus "
                "Hill about your move from spreadsheets to a proper credit risk model."
            ),
        ),
    },
    "Product Designer": {
        "Chloe Martin": ("I especially enjoyed our conversation about accessibility audits.",),
        "Ravi Patel": (
            "Our discussion about building a design system from scratch was a highlight for me.",
        ),
        CHECK_IN: (
            (
                "My conversation with Chloe Martin about accessibility audits is still on my mind, "
                "and my interest in joining Lumen Retail is as strong as ever."
            ),
        ),
    },
    "Senior Product Designer": {
        "Grace Wong": (
            (
                "Hearing about the checkout redesign and how your team measured drop-off was the "
                "part I enjoyed most."
            ),
            "I'd like to add one thing: my Figma plugin has 2k users.",
        ),
        CHECK_IN: (
            (
                "I especially valued what Grace Wong told me about the checkout redesign and how "
                "your team measured drop-off, and it has only added to my interest in the role."
            ),
        ),
    },
    "Operations Manager": {
        "Diego Alvarez": (
            (
                "Our discussion about how your team routes 400 trucks a day out of the Newark "
                "depot was a highlight for me."
            ),
        ),
        CHECK_IN: (
            (
                "I especially valued what Diego Alvarez told me about how your team routes 400 "
                "trucks a day out of the Newark depot, and it has only added to my interest in the "
                "role."
            ),
        ),
    },
    "Marketing Coordinator": {
        "Hannah Cole": (
            "Hearing about your new podcast launch was the part I enjoyed most.",
            "Here are my writing samples, which I promised to send: [Paste the link here]",
        ),
        CHECK_IN: (
            (
                "I remain very interested in the position, especially after talking with Hannah "
                "Cole about your new podcast launch."
            ),
        ),
    },
    "Project Engineer": {
        "Peter Novak": (
            (
                "I especially enjoyed our conversation about the Q3 roadmap for the solar farm in "
                "Nevada."
            ),
            "One thing I would like to add: I hold a PMP.",
        ),
        "Julia Reyes": ("Our discussion about site safety culture was a highlight for me.",),
        CHECK_IN: (
            (
                "My conversation with Peter Novak about the Q3 roadmap for the solar farm in "
                "Nevada is still on my mind, and my interest in joining Arcfield Energy is as "
                "strong as ever."
            ),
        ),
    },
    "Supply Chain Analyst": {
        "Omar Haddad": (
            (
                "It was a highlight for me to hear that your team still forecasts demand in Excel "
                "and wants to move to a proper tool."
            ),
        ),
        CHECK_IN: (
            (
                "I especially valued hearing from Omar Haddad that your team still forecasts "
                "demand in Excel and wants to move to a proper tool, and it has only added to my "
                "interest in the role."
            ),
        ),
    },
    "Demand Planner": {
        "Sofia Rossi": (
            "Hearing about dbt, Airflow and data contracts was the part I enjoyed most.",
        ),
        CHECK_IN: (
            (
                "I remain very interested in the position, especially after talking with Sofia "
                "Rossi about dbt, Airflow and data contracts."
            ),
        ),
    },
    "Logistics Planner": {
        "Ben Carter": (
            (
                "I especially enjoyed our conversation about the way your team plans cold-chain "
                "deliveries in summer."
            ),
        ),
        CHECK_IN: (
            (
                "My conversation with Ben Carter about the way your team plans cold-chain "
                "deliveries in summer is still on my mind, and my interest in joining Greenleaf "
                "Foods is as strong as ever."
            ),
        ),
    },
    "Instructional Designer": {
        "Ivy Chen": (
            (
                "Talking about making your courses work for learners on mobile was the part I "
                "enjoyed most."
            ),
        ),
        CHECK_IN: (
            (
                "I remain very interested in the position, especially after talking with Ivy Chen "
                "about making your courses work for learners on mobile."
            ),
        ),
    },
    "Security Engineer": {
        "Felix Braun": (
            "I especially enjoyed our conversation about incident response runbooks.",
            "As promised, here is my GitHub: [Paste the link here]",
        ),
        CHECK_IN: (
            (
                "My conversation with Felix Braun about incident response runbooks is still on my "
                "mind, and my interest in joining Kestrel Security is as strong as ever."
            ),
        ),
    },
    "Paralegal": {
        "Eleanor Vance": (
            (
                "Our discussion about how your firm is moving discovery to an e-discovery platform "
                "was a highlight for me."
            ),
            "One more thought since we spoke: I have run document review for two class actions.",
        ),
        CHECK_IN: (
            (
                "I especially valued what you told me about how your firm is moving discovery to "
                "an e-discovery platform, and it has only added to my interest in the role."
            ),
        ),
    },
    "E-commerce Manager": {
        "Jake Morrison": (
            "Hearing about [Say in a few words what you discussed] was the part I enjoyed most.",
        ),
        "Nina Park": (
            (
                "I especially enjoyed our conversation about your plan to open a marketplace for "
                "used gear."
            ),
        ),
        CHECK_IN: (
            (
                "I remain very interested in the position, especially after talking with Nina Park "
                "about your plan to open a marketplace for used gear."
            ),
        ),
    },
    "QA Engineer": {
        "Kai Nakamura": (
            (
                "I especially enjoyed our conversation about how your team automates regression "
                "tests for console builds."
            ),
        ),
        CHECK_IN: (
            (
                "My conversation with Kai Nakamura about how your team automates regression tests "
                "for console builds is still on my mind, and my interest in joining Orbital Games "
                "is as strong as ever."
            ),
        ),
    },
    "Practice Manager": {
        "Dr. Amelia Stone": (
            (
                "Our discussion about the patient wait times and the new online booking system was "
                "a highlight for me."
            ),
            "You can find my references here, as promised: [Paste the link here]",
        ),
        CHECK_IN: (
            (
                "I especially valued what Dr. Amelia Stone told me about the patient wait times "
                "and the new online booking system, and it has only added to my interest in the "
                "role."
            ),
        ),
    },
    "Content Strategist": {
        "Laura Bennett": (
            "Hearing about your content strategy for the relaunch was the part I enjoyed most.",
        ),
        CHECK_IN: (
            (
                "I remain very interested in the position, especially after talking with Laura "
                "Bennett about your content strategy for the relaunch."
            ),
        ),
    },
    "Estimator": {
        "Sean Murphy": (
            "I especially enjoyed our conversation about cost estimating for the hospital bid.",
            "One thing I would like to add: [Write the point you want to add].",
        ),
        CHECK_IN: (
            (
                "My conversation with Sean Murphy about cost estimating for the hospital bid is "
                "still on my mind, and my interest in joining Ironbridge Construction is as strong "
                "as ever."
            ),
        ),
    },
    "Animator": {
        "Mia Laurent": (
            (
                "Our discussion about your short film pipeline and how your team reviews dailies "
                "was a highlight for me."
            ),
            "You can find my showreel here, as promised: [Paste the link here]",
        ),
        CHECK_IN: (
            (
                "I especially valued what Mia Laurent told me about your short film pipeline and "
                "how your team reviews dailies, and it has only added to my interest in the role."
            ),
        ),
    },
    "Data Scientist": {
        "Ethan Wright": (
            "Hearing about machine learning for fraud detection was the part I enjoyed most.",
        ),
        "Zara Ahmed": (
            (
                "I especially enjoyed our conversation about how your team decides which fraud "
                "models go to production."
            ),
        ),
        CHECK_IN: (
            (
                "I remain very interested in the position, especially after talking with Ethan "
                "Wright about machine learning for fraud detection."
            ),
        ),
    },
    "Machine Learning Engineer": {
        "Noah Fischer": ("Our discussion about feature store design was a highlight for me.",),
        CHECK_IN: (
            (
                "My conversation with Noah Fischer about feature store design is still on my mind, "
                "and my interest in joining Cobalt Payments is as strong as ever."
            ),
        ),
    },
    "IT Coordinator": {
        "Rachel Adams": (
            (
                "I especially enjoyed our conversation about the Chromebook rollout to 3,000 "
                "students."
            ),
        ),
        CHECK_IN: (
            (
                "My conversation with Rachel Adams about the Chromebook rollout to 3,000 students "
                "is still on my mind, and my interest in joining Maple Street Schools is as strong "
                "as ever."
            ),
        ),
    },
    "Revenue Manager": {
        "Victor Hugo Lima": (
            (
                "Our discussion about your pricing experiments for weekend stays was a highlight "
                "for me."
            ),
            (
                "You can find the case study from my last job here, as promised: [Paste the link "
                "here]"
            ),
        ),
        CHECK_IN: (
            (
                "I especially valued what Victor Hugo Lima told me about your pricing experiments "
                "for weekend stays, and it has only added to my interest in the role."
            ),
        ),
    },
    "Data Engineer": {
        "Lucas Meyer": (
            (
                "Hearing about your data pipeline migration to the cloud was the part I enjoyed "
                "most."
            ),
        ),
        CHECK_IN: (
            (
                "I remain very interested in the position, especially after talking with Lucas "
                "Meyer about your data pipeline migration to the cloud."
            ),
        ),
    },
    "UX Researcher": {
        "Sara Lind": (
            (
                "I especially enjoyed our conversation about how your team recruits patients for "
                "usability tests."
            ),
            "As promised, here is my research portfolio: [Paste the link here]",
        ),
        CHECK_IN: (
            (
                "My conversation with Sara Lind about how your team recruits patients for "
                "usability tests is still on my mind, and my interest in joining Juniper Health is "
                "as strong as ever."
            ),
        ),
    },
    "Software Engineer": {
        "Oliver Grant": (
            (
                "Our discussion about migrating the booking system off Oracle was a highlight for "
                "me."
            ),
        ),
        CHECK_IN: (
            (
                "I especially valued what Oliver Grant told me about migrating the booking system "
                "off Oracle, and it has only added to my interest in the role."
            ),
        ),
    },
    "Retail Operations Lead": {
        "Emma Dubois": (
            (
                "Hearing about how your team measures customer satisfaction across your stores was "
                "the part I enjoyed most."
            ),
        ),
        CHECK_IN: (
            (
                "I remain very interested in the position, especially after talking with Emma "
                "Dubois about how your team measures customer satisfaction across your stores."
            ),
        ),
    },
    "Claims Adjuster": {
        "Grace Kim": (
            (
                "I especially enjoyed our conversation about [Say in a few words what you "
                "discussed]."
            ),
        ),
        "Henry Adams": ("Our discussion about the new claims triage app was a highlight for me.",),
        CHECK_IN: (
            (
                "My conversation with Henry Adams about the new claims triage app is still on my "
                "mind, and my interest in joining Alder Insurance is as strong as ever."
            ),
        ),
    },
}
