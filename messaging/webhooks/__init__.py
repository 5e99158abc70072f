"""ESP webhooks: delivery, bounces and inbound replies, through Anymail's normalised signals.

messaging.receivers stores each event once and hands it to the process_email_event task;
the task's work is here:
- delivered -> the message's delivery status (and proof it was sent, after a crash);
- bounced / rejected / failed / complained -> a BouncedAddress, so nothing more goes
  there (dispatch.sending.recheck), the delivery status and a timeline entry (processing.py);
- inbound -> read from its bytes (messaging.inbound_mail), matched to an application
  (matching.py: the token of our reply address, our Message-ID in its thread headers, the
  sender among the user's contacts, the sender's company domain; the last two act only
  when SPF or DKIM vouches for the sender, authentication.py), told apart from automatic
  replies (autoreplies.py), then messaging.services.replies.application_reply, recorded as
  an InboundEmail and forwarded to the user (messaging.forwarding) (inbound.py). Mail for
  one user that matches nothing waits on their Unmatched replies page (unmatched.py).
A stored event whose processing failed is not lost: the task retries database errors,
and the beat re-enqueues what is still unprocessed after a while (email_events_requeue).
"""
