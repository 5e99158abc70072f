"""From a note as typed to a phrase: lead-ins stripped, case fixed, the company as "your".

The steps of `phrase_for`:
1. tidy: one line, no bullets, quotes or closing punctuation;
2. refuse what cannot become a clean phrase (several sentences, a note to self, a slip
   that cannot be reworded, the reader's own name, too long): a slot;
3. strip the lead-in the kind of note starts with ("we talked about", "asked me", "send");
4. speak to the reader: "their reports" -> "your reports", "they test" -> "your team tests";
5. fix case (first word, "i", acronyms, product names) and find the shape;
6. put right typos with one clear answer (typos.py).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Collection

from followup.rules.phrasing import patterns, typos, words
from followup.rules.phrasing.frames import SLOT_TEXT
from followup.rules.phrasing.shapes import Kind, Phrase, Shape

# More words than this and the sentence around it becomes too long to read in one breath.
MAX_WORDS = {"discussed": 16, "question": 16, "promised": 12, "added_point": 22}
# A list of more items than this is a list of topics, not one detail.
MAX_LIST_ITEMS = 3


def _sentence_count(text: str) -> int:
    """Sentences in a note: a full stop after "e.g." or "Dr." or an initial ends none."""
    count = 1
    for match in re.finditer(r"(\S+?)[.!?]+\s+(?=\S)", text):
        word = match.group(1).lower().rstrip(".")
        if word not in patterns.ABBREVIATIONS and not (len(word) == 1 and word.isalpha()):
            count += 1
    return count


def _slot(kind: Kind, reason: str) -> Phrase:
    return Phrase(kind=kind, text=SLOT_TEXT[kind], shape="slot", reason=reason)


def _tidy(note: str) -> tuple[str, bool]:
    """The note on one line without bullets, quotes or closing punctuation; and if it is a list."""
    lines = [line.strip() for line in note.replace("\r", "").splitlines() if line.strip()]
    bulleted = len(lines) > 1 and all(patterns.BULLET.match(line) for line in lines)
    lines = [patterns.BULLET.sub("", line) for line in lines]
    text = " ".join(" ".join(lines).split())
    text = text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'")
    text = text.strip(" \"'")
    text = re.sub(r"[\s.;,:!?\u2026-]+$", "", text).strip(" \"'")
    return text, bulleted


def _strip_lead_in(text: str, kind: Kind) -> str:
    for _ in range(3):
        before = text
        for pattern in patterns.LEAD_IN_RES[kind]:
            match = pattern.match(text)
            if match and match.end() < len(text):
                text = text[match.end() :].strip()
                break
        if text == before:
            break
    return text


def _strip_promised_tail(text: str) -> str:
    """ "my portfolio link to her by Friday" -> "my portfolio"."""
    weekdays = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|today"
    tail = (
        rf"\s+(?:by|before|on|next|this)\s+(?:{weekdays}|eod|eow|end of (?:the )?(?:day|week)|"
        rf"the weekend|next week|\w+day)$"
        r"|\s+(?:asap|today|tomorrow|tonight|later|afterwards)$"
        r"|\s+(?:to|over to|with)\s+(?:her|him|them|you|the team|[A-Z][a-z]+)$"
    )
    for _ in range(3):
        text = re.sub(tail, "", text, flags=re.IGNORECASE).strip()
    text = re.sub(r"^(?:a |the )?link to\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\s+link$", "", text, flags=re.IGNORECASE)
    return text


def _speak_to_reader(text: str, *, company: str, at_company: bool, kind: Kind) -> str:
    """Refer to the reader's company as "your": their roadmap -> your roadmap."""
    team = "your team" if at_company else company
    if at_company:
        text = re.sub(
            r"\bthe (company|firm|business|organi[sz]ation)\b", r"your \1", text, flags=re.I
        )
    owner = "your" if at_company else f"{company}'s"
    if company:
        text = re.sub(rf"\b{re.escape(company)}'s\b", owner, text, flags=re.IGNORECASE)
    text = re.sub(r"\btheir\b", owner, text, flags=re.IGNORECASE)
    text = re.sub(
        r"\btheirs\b", "yours" if at_company else f"{company}'s", text, flags=re.IGNORECASE
    )
    text = re.sub(r"\bthey're\b", f"{team} is", text, flags=re.IGNORECASE)
    text = re.sub(r"\bthey've\b", f"{team} has", text, flags=re.IGNORECASE)
    text = re.sub(r"\bthey'll\b", f"{team} will", text, flags=re.IGNORECASE)
    text = re.sub(r"\bthey'd\b", f"{team} would", text, flags=re.IGNORECASE)

    def they(match: re.Match[str]) -> str:
        adverb, verb = match.group(1) or "", match.group(2)
        return f"{team} {adverb}{words.third_person(verb)}"

    text = re.sub(
        r"\bthey\s+((?:\w+ly|still|also|now|just|already|often|only)\s+)?(\w+)\b",
        they,
        text,
        flags=re.I,
    )
    if kind != "promised":
        text = re.sub(r"\bthem\b", team, text, flags=re.IGNORECASE)
    if text.lower().startswith(team.lower()):
        # "your team still forecasts in Excel and want to move": the second verb agrees too.
        text = re.sub(
            rf"\band ({'|'.join(words.COMMON_VERBS)})\b",
            lambda m: f"and {words.third_person(m.group(1))}",
            text,
        )
    return text


def _task(text: str) -> str:
    """ "to walk through a DCF" -> "walking you through a DCF"; anything else as it is."""
    match = patterns.TASK.fullmatch(text)
    if match is None:
        return text
    if match.group(1):
        return f"{words.gerund(match.group(1))} you through {match.group(2)}"
    return f"{words.gerund(match.group(3))} {match.group(4)}"


def _as_asked(text: str) -> str:
    """A question in the sender's words: "your experience" in their question is the sender's."""
    text = re.sub(r"\byou're\b", "I'm", text, flags=re.IGNORECASE)
    text = re.sub(r"\byou've\b", "I've", text, flags=re.IGNORECASE)
    text = re.sub(r"\byour\b", "my", text, flags=re.IGNORECASE)
    text = re.sub(r"\byours\b", "mine", text, flags=re.IGNORECASE)
    text = re.sub(r"\byourself\b", "myself", text, flags=re.IGNORECASE)
    text = re.sub(r"\byou (are|were)\b", lambda m: "I am" if m.group(1) == "are" else "I was", text)
    text = re.sub(r"\byou(?= [a-z])", "I", text)
    text = re.sub(r"\byou\b", "me", text)
    return text


def _reorder_question(text: str) -> str:
    """A question as typed ("how would you scale it") as asked ("how I would scale it")."""
    wh = "|".join(words.WH_WORDS)
    match = re.match(
        rf"({wh})\s+(would|could|should|can|will|do|does)\s+(?:you|i)\s+(.+)$", text, re.I
    )
    if match:
        aux = "" if match.group(2).lower() in {"do", "does"} else f"{match.group(2).lower()} "
        return f"{match.group(1).lower()} I {aux}{match.group(3)}"
    match = re.match(
        rf"({wh})\s+(would|could|should|can|will|do|does)\s+we\s+(.+)$", text, re.IGNORECASE
    )
    if match:
        # "why should we hire you": "we" is the reader's company, asking.
        aux = "" if match.group(2).lower() in {"do", "does"} else f"{match.group(2).lower()} "
        return f"{match.group(1).lower()} you {aux}{match.group(3)}"
    match = re.match(r"what(?:'s| is| are) ((?:my|your) .+)$", text, re.I)
    if match:
        return match.group(1)
    match = re.match(r"(do|did|have|would|could|can|are)\s+(?:you|i)\s+(.+)$", text, re.I)
    if match:
        aux = {"do": "", "did": "", "are": "am "}.get(
            match.group(1).lower(), f"{match.group(1).lower()} "
        )
        if match.group(1).lower() == "did":
            return text
        return f"whether I {aux}{match.group(2)}"
    return text


def _fix_case(text: str, *, names: set[str]) -> str:
    """ "i" -> "I", "sql" -> "SQL", "Migrating ..." -> "migrating ..." (not "Kafka ...")."""
    text = re.sub(r"\bi(?=(?:'m|'d|'ve|'ll)?\b)", "I", text)

    def fix(match: re.Match[str]) -> str:
        word = match.group()
        return words.ACRONYMS.get(word.lower()) or words.PRODUCTS.get(word.lower()) or word

    text = re.sub(r"(?<![\w@/.-])[A-Za-z][A-Za-z/&+#]*(?![\w@/-])", fix, text)
    first, _, rest = text.partition(" ")
    bare = first.rstrip(",;:'s").rstrip("'")
    if (
        bare[:1].isupper()
        and bare[1:].islower()
        and bare.lower() not in names
        and bare.lower() not in words.PRODUCTS
        and not (rest[:1].isupper() and not rest.startswith("I "))
        and (
            bare.lower() in words.FUNCTION_WORDS
            or bare.lower() in words.ING_NOUNS
            or typos.dictionary().known([bare.lower()])
        )
        and bare != "I"
        and not first.endswith("'s")
        and not bare.startswith("I'")
    ):
        text = first[:1].lower() + first[1:] + (" " + rest if rest else "")
    return text


def _shape(text: str) -> Shape:
    first = text.split(" ", 1)[0].lower()
    if first in words.WH_WORDS:
        return "clause"
    if first == "that":
        return "that"
    if re.match(r"(?:i|we|you)'(?:d|m|ve|ll|re)\b", first):
        return "that"
    # A person as the subject: "I hold a PMP", "we shipped it".
    if re.match(r"(?:I|[Ww]e|[Yy]ou|[Ss]he|[Hh]e)\s+[a-z]", text):
        return "that"
    adverb = r"(?:\w+ly\s+|still\s+|also\s+|now\s+|already\s+|just\s+)?"
    if re.match(
        rf"(?:\w+'s\s+)?(?:your team|the team|team|the company|the firm|company|firm|it|"
        rf"your company|your firm|the role|the position|the job|the manager|the budget|"
        rf"the product|the platform|the plan|the project|the office)\s+"
        rf"{adverb}(?:is|are|was|were|has|have|had|will|would|can|could|'s|\w+s|\w+ed)\b",
        text,
        re.I,
    ):
        return "that"
    head = re.split(rf"\b(?:{'|'.join(words.PREPOSITIONS)})\b", text, maxsplit=1)[0]
    if re.search(
        r"\b(?:is|are|was|were|will|won't|isn't|aren't|wasn't|has|have|had|does|did|can|"
        r"could|should|would)\b",
        head,
    ):
        return "that"
    if first.endswith("ing") and first not in words.ING_NOUNS:
        return "gerund"
    return "noun"


def _clean(text: str, *, kind: Kind, company: str, at_company: bool, names: set[str]) -> str:
    """Steps 3-5 for one note (or one bullet of it)."""
    for pattern, written in patterns.SHORTHAND:
        text = pattern.sub(written, text)
    text = _strip_lead_in(text, kind)
    if kind == "promised":
        text = _strip_promised_tail(text)
    if kind == "question":
        text = _task(_reorder_question(_as_asked(text)))
    text = _speak_to_reader(text, company=company, at_company=at_company, kind=kind)
    return _fix_case(text, names=names).strip(" ,;:-")


def phrase_for(
    note: str,
    *,
    kind: Kind,
    company: str,
    recipient_name: str = "",
    recipient_at_company: bool = True,
    known_words: Collection[str] = (),
) -> Phrase:
    """The phrase a note becomes in its sentence, or the slot the user must fill instead.

    `known_words`: the user's own dictionary, never taken for typos.
    """
    text, bulleted = _tidy(note or "")
    if not text:
        return Phrase(kind=kind, text="", shape="empty")
    if patterns.NOTE_TO_SELF.search(text):
        return _slot(kind, "It reads as a note to yourself.")
    if patterns.VAGUE.search(text):
        return _slot(kind, "It is too general: name the one topic that stood out.")
    if bulleted:
        return _slot(kind, "It is a list: write the one thing to mention.")
    if _sentence_count(text) > 1:
        return _slot(kind, "It is more than one sentence: pick the one thing to say.")
    reworded = False
    if kind == "added_point":
        text = _strip_lead_in(text, kind)
        stripped = patterns.SLIP_PREFIX.sub("", text, count=1).strip()
        reworded = stripped != text
        text = stripped
    if patterns.SLIP_ANYWHERE.search(text) or patterns.SLIP_PREFIX.search(text):
        return _slot(kind, "It points at a slip: write the point itself, as an addition.")
    names = {part.lower() for part in re.findall(r"[A-Za-z]{2,}", f"{recipient_name} {company}")}
    clean = functools.partial(
        _clean, kind=kind, company=company, at_company=recipient_at_company, names=names
    )
    is_task = kind == "question" and patterns.TASK.fullmatch(_strip_lead_in(text, kind)) is not None
    text = clean(text)
    parts = _split_list(text)
    first, _, tail = _first_and_tail(text)
    # "The team is 6 people, mostly remote": a short aside to a statement stays with it.
    if len(parts) > 1 and _shape(first) == "that" and len(tail.split()) <= 3 and "," not in tail:
        parts = [text]
    # "Migrating the reports to dbt, and how they test it": two topics; one is enough.
    elif len(parts) > 1 and len(first.split()) >= 4:
        parts = [first]
    if not any(parts):
        return _slot(kind, "Nothing is left once the lead-in is gone.")
    said = " ".join(parts)
    recipient_words = {w.lower() for w in re.findall(r"[A-Za-z]{3,}", recipient_name)}
    if recipient_words & {w.lower() for w in re.findall(r"[A-Za-z]+", said)}:
        return _slot(kind, "It names the person you are writing to.")
    if len(said.split()) > MAX_WORDS[kind]:
        return _slot(kind, "It is longer than one sentence should carry.")
    phrase = _finish(parts, kind=kind, reworded=reworded)
    if phrase.is_slot:
        return phrase
    text, corrected = typos.correct_typos(
        phrase.text, names=[company, recipient_name], known_words=known_words
    )
    shape = "task" if is_task else phrase.shape
    return dataclasses.replace(phrase, text=text, shape=shape, corrected=corrected)


def _needs_article(text: str) -> bool:
    """ "Kafka migration" -> True: a singular thing of many with no determiner before it."""
    first = text.split(" ", 1)[0]
    head = re.split(rf"\s+(?:{'|'.join(words.PREPOSITIONS)})\s+", text, maxsplit=1)[0]
    return (
        first.lower() not in words.DETERMINERS
        and not first.endswith("'s")
        and head.split()[-1].lower() in words.COUNTABLE_HEADS
    )


def _first_and_tail(text: str) -> tuple[str, str, str]:
    """ "a, b and c" -> ("a", ",", "b and c"): the text before its first separator, and after."""
    pieces = patterns.LIST_SEPARATOR.split(text, maxsplit=1)
    if len(pieces) == 1:
        return text, "", ""
    return pieces[0].strip(), ",", pieces[1].strip()


def _split_list(text: str) -> list[str]:
    """ "dbt, Airflow and data contracts" -> its items; a phrase without commas -> itself."""
    if not patterns.LIST_SEPARATOR.search(text):
        return [text]
    parts = [part.strip() for part in patterns.LIST_SEPARATOR.split(text) if part.strip()]
    last = re.sub(r"^(?:and|&|plus)\s+", "", parts[-1])
    return parts[:-1] + [p for p in re.split(r"\s+(?:and|&)\s+", last) if p]


def _as_statement(text: str, shape: Shape) -> tuple[str, Shape]:
    """A point to add as the sender says it: "Available from March" -> "I am available ..."."""
    text = re.sub(r"^that\s+", "", text)
    first = text.split(" ", 1)[0].lower()
    if first in patterns.STATE_WORDS:
        return f"I am {text}", "that"
    if first in patterns.DONE_WORDS:
        return f"I {text}", "that"
    return text, _shape(text) if text != "" else shape


def _finish(parts: list[str], *, kind: Kind, reworded: bool) -> Phrase:
    """Decide the shape (a short list is joined with "and"), then what each kind accepts."""
    if len(parts) > 1:
        if (
            len(parts) > MAX_LIST_ITEMS
            or any(len(p.split()) > 4 for p in parts)
            or any(_shape(p) in {"that", "clause"} for p in parts)
        ):
            return _slot(kind, "It is a list: write the one thing to mention.")
        text = ", ".join(parts[:-1]) + f" and {parts[-1]}"
        shape: Shape = "list"
    else:
        text = parts[0]
        shape = _shape(text)
    if kind == "promised":
        if shape not in {"noun", "list", "gerund"} or patterns.PROMISED_ACTION.match(text):
            return _slot(kind, "Name the thing you promised, e.g. “my portfolio”.")
        first = text.split(" ", 1)[0]
        if first.isdigit() and first in words.NUMBER_WORDS:
            text = words.NUMBER_WORDS[first] + text[len(first) :]
        elif first.lower() not in words.DETERMINERS and not first.endswith("'s"):
            # What one promises to send is one's own: "my portfolio", "my references".
            text = f"my {text}"
        return Phrase(kind=kind, text=text, shape=shape, plural=words.is_plural(text))
    if kind == "added_point":
        text, shape = _as_statement(text, shape)
    if kind in {"discussed", "question"} and shape == "noun" and _needs_article(text):
        text = f"the {text}"
    if kind == "question" and re.match(
        r"(?:biggest|greatest|main|strongest|weakest|experience|background|strengths?|"
        r"weakness(?:es)?|motivation|availability|notice period|salary expectations|"
        r"career goals|leadership style|management style)\b",
        text,
    ):
        text = f"my {text}"
    if kind == "question" and shape == "that":
        return _slot(kind, "Say what they asked about, e.g. “how I would test a pipeline”.")
    if text.lower().startswith("to "):
        return _slot(kind, "Say it as a topic, e.g. “how your team tests data quality”.")
    return Phrase(kind=kind, text=text, shape=shape, reworded=reworded)
