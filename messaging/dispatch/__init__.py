"""Sending approved messages: claim, re-check, gate, send through Django's email API, record.

drain.py has the beat's tick and the sender tasks' loop; chunks.py claims, re-checks, gates,
sends and records a chunk; recheck.py is the re-check (§7), errors.py what an ESP's answer
means, records.py the writes with their timeline entries, claims.py the due messages, the
daily cap and the sweep, reconcile.py asks the ESP about unconfirmed sends, outgoing.py builds
the email, sending.py sends one message ("send now").

A message's way through this package (Message.status):

    approved --due outside the send window--> approved, due when the window next opens
    approved --claim (a chunk)--> sending --ESP accepted--> sent
                    --refused for good, or "not taken" after the last retry--> failed
                    --certainly not taken (no connection, 429, the ESP's 503)--> approved, later
                    --may have been taken (other 5xx, timeout, reset)--> unconfirmed
                    --the email cannot be built--> failed
                    --re-check fails (§7)--> cancelled / held / draft
                    --over the daily cap--> approved, due the next day's window
                    --claim never started within a minute--> approved
                    --worker died after the gate--> unconfirmed
    unconfirmed --delivery webhook, or found in Postmark's search--> sent
                --bounce--> failed
                --Postmark has no record long after the attempt--> approved (sent once more)
                --the user sends it again (may give a second copy)--> approved

Five rules keep it safe with any number of workers and beat instances:
1. a claim is one conditional UPDATE (approved -> sending) that skips rows another holds;
   its time (claimed_at) is the chunk's token;
2. the attempt is recorded (send_started_at, committed) before the ESP is called, by one
   gate per chunk that only rows still claimed by that chunk pass, with the daily cap
   counted under a per-user lock;
3. only an answer that certainly means "not taken" is retried by itself; anything else is
   unconfirmed until the ESP's own evidence settles it;
4. a claim nobody works on is settled by the sweep without ever calling the ESP again for a
   message it may already have accepted;
5. a change that also writes the timeline locks the Application rows before the Message
   rows, the order re-planning and the user's actions take them: none deadlock.
"""
