"""Sending approved messages: claim, re-check, send through Django's email API, record.

claims.py finds and claims due work, sending.py re-checks and sends one claimed message,
outgoing.py builds its email, records.py writes a message's change with its timeline entry.

A message's way through this package (Message.status):

    approved --due outside the send window--> approved, due when the window next opens
    approved --claim--> sending --ESP accepted--> sent
                                --permanent ESP error, or transient after the last retry--> failed
                                --the email cannot be built--> failed
                                --re-check fails (§7)--> cancelled / held / draft
                                --a retry outside the send window--> approved, due when it opens
                                --worker died: before the ESP call--> approved
                                               after it--> failed (interrupted)

Four rules keep it safe with any number of workers and beat instances:
1. a claim is one conditional UPDATE (approved -> sending); only one caller gets the row;
2. the attempt is recorded (send_started_at, committed) before the ESP is called, and
   only one task per claim can pass that gate;
3. a worker that dies leaves "sending", which recover_stale_claims() settles without
   ever calling the ESP again for a message it may already have accepted;
4. a change that also writes the timeline (records.message_update_with_timeline) locks the
   Application row before the Message row, the order re-planning and the user's actions take
   them: none deadlock.
"""
