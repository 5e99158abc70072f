"""The fixed numbers of the etiquette (spec §5, §8); the per-user ones: cadence.CadenceSettings."""

from __future__ import annotations

import datetime as dt

# Thank-you plus at most this many follow-ups (spec §5): then the application goes quiet.
MAX_FOLLOW_UPS = 2
# A check-in never goes sooner than this many business days after the thank-you (spec §4, §8).
# The gap between two follow-ups is the user's second-check-in setting (default 5).
MIN_BUSINESS_DAYS_AFTER_THANK_YOU = 2
# A thank-you or check-in past this many words is long for its purpose (spec §8).
WORD_LIMIT = 200
# Two of our emails to the same person closer than this read as a burst: warn.
SAME_RECIPIENT_HOURS = 12
# fuzz.ratio (0-100) of two normalised bodies at or above which they read as copies.
# Same template with only the names changed scores ~95; a rewritten paragraph brings two
# thank-yous well under 80. Tested with pairs on both sides of it.
NEAR_DUPLICATE_THRESHOLD = 80.0
# More than this many apologies in one message reads as grovelling.
MAX_APOLOGIES = 1
# A due time this far in the past still counts as "now" (send now, approving a due draft):
# older than this, it moves to the next moment inside the send window instead.
PAST_DUE_GRACE = dt.timedelta(minutes=5)
# An outcome taken back brings back the thank-yous it cancelled only this soon after the
# interview: later, a thank-you would arrive as an odd afterthought (the check-ins still come).
THANK_YOU_RESTORE_WITHIN = dt.timedelta(days=7)
