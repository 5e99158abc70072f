"""Writing drafts and planning their times (etiquette spec §2, §4-§7).

Every message starts here as a draft with a due time; nothing is sent before the user approves
it. Re-planning (after an interview edit or any event) only rewrites or re-times what the user
has not edited by hand, and says on the timeline what changed and why.

- rendering: the email templates, and the context they are rendered with.
- threads: our Message-IDs, "Re:" subjects and the thread a message replies in.
- writing: one message drafted, redrafted or re-timed (the caller holds the lock).
- thank_yous: who gets a thank-you for an interview and when; keeping them in line.
- planning: the check-ins and their recipient; the public operations.
"""
