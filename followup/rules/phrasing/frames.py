"""The one home of the sentences a note goes into, per stage, phrasing and shape.

Each email stage has three phrasings (templates/emails/<stage>/<n>/); each asks here for the
sentence of its number. A frame has `{x}` for the phrase and, for a colleague's detail in a
check-in, `{who}` for the colleague's name.
"""

from __future__ import annotations

from followup.rules.phrasing.shapes import Kind, Phrase

# What a slot asks the user to write (the placeholder check blocks approval until they do).
SLOT_TEXT: dict[Kind, str] = {
    "discussed": "[Say in a few words what you discussed]",
    "question": "[Say in a few words what they asked about]",
    "promised": "[Name what you promised to send]",
    "added_point": "[Write the point you want to add]",
}
# Beside each note field of the log form: the shape that reads best.
FORM_HINTS: dict[Kind, str] = {
    "discussed": "Works best as a topic: “we talked about … how your team tests data quality”.",
    "question": "Works best as what they asked about: “they asked me about … my dbt experience”.",
    "promised": "Works best as the thing itself: “I promised to send … my portfolio”.",
    "added_point": "Works best as one plain sentence: “I have led two warehouse migrations”.",
}

_ABOUT = ("noun", "gerund", "clause", "list", "slot")

# (stage, phrasing) -> shape -> frame, for the detail of the conversation. The "with" frames
# name a colleague of the reader's who had the conversation (a check-in to the recruiter).
_DISCUSSED: dict[tuple[str, int], dict[str, str]] = {
    ("thank_you", 1): {
        "about": "I especially enjoyed our conversation about {x}.",
        "about_with": "I especially enjoyed talking with {who} about {x}.",
        "that": "I especially enjoyed hearing that {x}.",
        "that_with": "I especially enjoyed hearing from {who} that {x}.",
    },
    ("thank_you", 2): {
        "about": "Our discussion about {x} was a highlight for me.",
        "about_with": "My conversation with {who} about {x} was a highlight for me.",
        "that": "It was a highlight for me to hear that {x}.",
        "that_with": "It was a highlight for me to hear from {who} that {x}.",
    },
    ("thank_you", 3): {
        "about": "Hearing about {x} was the part I enjoyed most.",
        "gerund": "Talking about {x} was the part I enjoyed most.",
        "about_with": "Hearing from {who} about {x} was the part I enjoyed most.",
        "that": "I was especially glad to hear that {x}.",
        "that_with": "I was especially glad to hear from {who} that {x}.",
    },
    ("check_in", 1): {
        "about": "Our conversation about {x} is still on my mind, and",
        "about_with": "My conversation with {who} about {x} is still on my mind, and",
        "that": "I was glad to hear that {x}, and",
        "that_with": "I was glad to hear from {who} that {x}, and",
    },
    ("check_in", 2): {
        "about": "I especially valued what you told me about {x}, and",
        "about_with": "I especially valued what {who} told me about {x}, and",
        "that": "I especially valued hearing that {x}, and",
        "that_with": "I especially valued hearing from {who} that {x}, and",
    },
    ("check_in", 3): {
        "about": "especially after our conversation about {x}",
        "about_with": "especially after talking with {who} about {x}",
        "that": "especially after hearing that {x}",
        "that_with": "especially after hearing from {who} that {x}",
    },
}
_QUESTION = {
    1: "Your question about {x} has stayed with me since.",
    2: "Your question about {x} gave me plenty to think about.",
    3: "I enjoyed thinking through your question about {x}.",
}
# A question that set a task ("walking you through a DCF").
_TASK = {
    1: "I enjoyed {x}.",
    2: "{X} gave me plenty to think about.",
    3: "I enjoyed the exercise of {x}.",
}
_ADDED = {
    1: {
        "that": "One thing I would like to add: {x}.",
        "about": "I would also like to mention {x}.",
    },
    2: {"that": "One more thought since we spoke: {x}.", "about": "I'd also like to mention {x}."},
    3: {"that": "I'd like to add one thing: {x}.", "about": "I also wanted to mention {x}."},
}
_PROMISED = {
    1: "As promised, here {is} {x}: {link}",
    2: "You can find {x} here, as promised: {link}",
    3: "Here {is} {x}, which I promised to send: {link}",
}


def _variant(phrasing: int) -> int:
    return (phrasing - 1) % 3 + 1


def sentence_for(
    phrase: Phrase, *, stage: str, phrasing: int, who: str = "", link: str = ""
) -> str:
    """The sentence (or, in a check-in, the part of one) a phrase goes into; "" for no note.

    `who` names the colleague a check-in's detail comes from; `link` is the link slot a
    promised item is followed by.
    """
    if phrase.is_empty:
        return ""
    n = _variant(phrasing)
    x = phrase.text
    if phrase.kind == "discussed":
        frames = _DISCUSSED.get((stage, n))
        if frames is None:
            return ""
        base = "that" if phrase.shape == "that" else "about"
        if phrase.shape == "gerund" and "gerund" in frames and not who:
            base = "gerund"
        key = f"{base}_with" if who and f"{base}_with" in frames else base
        return frames[key].format(x=x, who=who)
    if phrase.kind == "question":
        if phrase.shape == "task":
            return _TASK[n].format(x=x, X=x[:1].upper() + x[1:])
        return _QUESTION[n].format(x=x)
    if phrase.kind == "added_point":
        sentence = _ADDED[n]["that" if phrase.shape in {"that", "slot"} else "about"]
        return sentence.format(x=x)
    verb = "are" if phrase.plural else "is"
    return _PROMISED[n].format(x=x, link=link, **{"is": verb})


def preview_sentences(phrase: Phrase, *, link: str = "") -> list[tuple[str, str]]:
    """What the log form shows for a note: (where, sentence) in the thank-you and check-in."""
    if phrase.is_empty:
        return []
    thank_you = ("Thank-you", sentence_for(phrase, stage="thank_you", phrasing=1, link=link))
    if phrase.kind == "discussed":
        check_in = sentence_for(phrase, stage="check_in", phrasing=3)
        return [thank_you, ("Check-in", f"I remain very interested in the position, {check_in}.")]
    return [thank_you]
