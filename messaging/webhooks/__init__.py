"""ESP webhooks: delivery, bounces and inbound replies, through Anymail's normalised signals.

messaging.receivers stores each event once and hands it to the process_email_event task;
the task's work is here:
- delivered -> the message's delivery status (and proof it was sent, after a crash);
- bounced / rejected / failed / complained -> a BouncedAddress, so nothing more goes
  there (dispatch.sending.recheck), the delivery status and a timeline entry (processing.py);
- inbound -> matched to the application by our Message-ID in In-Reply-To/References
  (else by the sender's address among the user's contacts, acted on only when SPF or
  DKIM vouches for that address in the Authentication-Results of our own receiving server,
  FOLLOWUP_INBOUND_AUTHSERV_ID: a From header is easy to forge), quoted text stripped,
  automatic replies told apart; then messaging.services.replies.application_reply
  (inbound.py).
A stored event whose processing failed is not lost: the task retries database errors,
and the beat re-enqueues what is still unprocessed after a while (email_events_requeue).
"""
