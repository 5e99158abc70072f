"""The patterns that read a note: lead-ins per kind, slips, notes to self, lists, tasks."""

from __future__ import annotations

import re

NAME = r"(?-i:[A-Z][a-z]+(?: [A-Z][a-z]+)?)"
SUBJECT = (
    rf"(?:(?:we|i|she|he|they|you|the team|the recruiter|{NAME})\s+)?"
    r"(?:(?:also|mostly|mainly|briefly|really|then)\s+)?"
)
LEAD_INS: dict[str, tuple[str, ...]] = {
    "discussed": (
        SUBJECT + r"(?:talked|spoke|chatted|talked a lot|spent (?:a lot of |most of |much of )?"
        r"(?:the|our) (?:time|call|interview|hour|conversation) (?:talking |chatting )?)"
        r"\s*(?:about|on|through)\s+",
        SUBJECT + r"(?:discussed|covered|went over|went through|walked me through|"
        r"told me about|explained|described|showed me|presented|focused on|dug into|"
        r"shared|asked me about|asked about|gave me an overview of|gave an overview of|"
        r"mentioned|brought up|touched on|raised|highlighted)\s+(?:that\s+)?",
        r"(?:a |the |our )?(?:(?:long|good|great|interesting|nice|fun|quick|short|brief|really "
        r"good|really interesting)\s+)?(?:discussion|conversation|convo|chat|talk|deep dive)"
        r"\s+(?:about|on|of|into|re)\s+",
        r"(?:topics?|discussed|re|about)\s*:\s*",
        # "Tom said the team is growing": what was said ("he said" stays a note to self).
        NAME + r"\s+(?:said|mentioned|explained|told me)\s+(?:that\s+)?",
        r"about\s+",
    ),
    "question": (
        r"(?:tell me about|talk me through|walk me through|describe)\s+(?=a time|your|the)",
        SUBJECT + r"(?:asked|wanted to know|was curious|were curious|grilled me|quizzed me|"
        r"probed|pushed me|pressed me)(?: me)?\s*(?:about|on)?\s+",
        r"(?:q|question|questions|their question|her question|his question)"
        r"\s*(?::|-|about|on)\s*",
    ),
    "promised": (
        r"(?:i'll\s+|i\s+)?(?:(?:will|need to|have to|must|should|promised to|said i'?d|"
        r"said i would|offered to|agreed to|to)\s+)?"
        r"(?:send(?:ing)?|share|forward|email|e-mail|get)\s+"
        r"(?:(?:her|him|them|you|over|along|across)\s+)*",
        r"(?:promised|to send|todo|to do|send)\s*:\s*",
    ),
    "added_point": (
        r"(?:(?:a |one )?(?:point|thing)s? (?:to add|worth adding)|add|also|to add|"
        r"wanted to add|want to add|i'?d like to add|(?:also |should )?mention|worth mentioning|"
        r"follow[- ]up point|note)\s*[:\-]?\s*(?:that\s+)?",
    ),
}
LEAD_IN_RES = {
    kind: tuple(re.compile(p, re.IGNORECASE) for p in patterns)
    for kind, patterns in LEAD_INS.items()
}
# A slip admitted in so many words: stripped, the rest is offered as a plain addition.
SLIP_PREFIX = re.compile(
    r"(?:i\s+)?(?:should(?:'ve| have)|meant to|forgot to|didn'?t|did not|wish i(?:'d| had)|"
    r"could(?:'ve| have)|would(?:'ve| have))\s+"
    r"(?:say|said|mention(?:ed)?|bring up|brought up|talk(?:ed)?(?: (?:a bit |much )?more)? about|"
    r"explain(?:ed)?|"
    r"point(?:ed)? out|add(?:ed)?)\s+(?:that\s+)?"
    r"(?:(?:more|a bit more|much more)\s+(?:about|on)\s+)?"
    r"|(?:correction|fix|oops)\s*[:\-]\s*",
    re.IGNORECASE,
)
# A slip that stays a slip however the sentence is turned: never pasted.
SLIP_ANYWHERE = re.compile(
    r"\b(?:blanked|blank(?:ed)? on|messed up|mess(?:ed)? up|fumbled|botched|screwed up|"
    r"stumbled|got (?:it|that|the \w+) wrong|wrong answer|my mistake|bombed|rambled)\b",
    re.IGNORECASE,
)
# Words of a note to self, not of a letter.
NOTE_TO_SELF = re.compile(
    r"\b(?:i think|i guess|i hope|i felt|i feel|i'm not sure|not sure|went (?:ok|okay|well|fine|"
    r"badly|great|alright|poorly)|(?:he|she|they) said|lol|ugh|idk|tbh|imo|hmm+|meh|"
    r"awkward|nailed it|red flag|weird|sketchy)\b|\?\?|!!|\(\?\)|->|=>",
    re.IGNORECASE,
)
# Words that say nothing specific: the email needs the one thing that was said.
VAGUE = re.compile(
    r"\b(?:stuff|things|lots of|a lot of things|a bunch of|various|misc|etc|general chat|"
    r"the usual|blah)\b",
    re.IGNORECASE,
)
# A promise to do something, not an item to link to.
PROMISED_ACTION = re.compile(
    r"(?:intro|introduce|connect|call|check|follow up|find out|look into|confirm|ask|set up|"
    r"schedule|book|think about|reach out|let (?:her|him|them) know)\b",
    re.IGNORECASE,
)
# Commas, semicolons and slashes between items (not the comma of "3,000").
LIST_SEPARATOR = re.compile(r"(?<!\d),|,(?!\d)|;| / ")
BULLET = re.compile(r"^\s*(?:[-*\u2022\u00b7>]+|\d+[.)])\s*")
ABBREVIATIONS = frozenset(
    "e.g i.e vs etc dr mr ms mrs st approx inc ltd co".split()  # noqa: SIM905 - reads as prose
)


# A task they set ("asked me to walk through a DCF"): said as what the sender did.
TASK = re.compile(
    r"to\s+(walk|talk|take)\s+(?:(?:you|them|her|him)\s+)?through\s+(.+)"
    r"|to\s+(explain|describe|present|sketch|design|estimate|review|critique|model|value|"
    r"outline|solve|debug|whiteboard|diagram|price|size)\s+(.+)",
    re.IGNORECASE,
)

# Shorthand typed in a hurry, as a letter writes it.
SHORTHAND = (
    (re.compile(r"(?<!\w)w/o(?!\w)", re.IGNORECASE), "without"),
    (re.compile(r"(?<!\w)w/(?=\s)", re.IGNORECASE), "with"),
    (re.compile(r"(?<!\w)b/c(?!\w)", re.IGNORECASE), "because"),
    (re.compile(r"\s+(?:&|\+)\s+"), " and "),
)
# A point to add that starts with how the sender is ("Available from March", "Open to ...").
STATE_WORDS = frozenset(
    "available happy open willing able keen eager comfortable fluent".split()  # noqa: SIM905
)
# A point to add that starts with what the sender did ("Led the migration ...").
DONE_WORDS = frozenset(
    """led ran built wrote made grew cut won taught took gave drove oversaw sold spent saved
    brought managed shipped launched delivered designed created started founded mentored
    trained hired owned scaled reduced increased improved migrated automated implemented""".split()  # noqa: SIM905
)
