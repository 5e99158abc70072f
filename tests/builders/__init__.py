"""Builders shared by every test, one module per thing they build, one signature per name.

clock        New York wall times, the default user's calendar, business-day counts (no Django)
accounts     users (make_user, PASSWORD) and their profiles
interviews   companies, contacts, applications, interviews, participants; ContactDetails
scenario     the panel interview: make_panel, planned, and the due times its plan yields
queries      reading and marking messages: messages, one, check_ins, mark_sent, events ...
messages     message rows (make_message, draft), the sending and queue set-ups, eager Celery
history      a long history in bulk (drafts, sent, timeline, outbox), spread or concentrated
webhooks     the webhook URLs and the Postmark payloads they receive
mailboxes    own-mailbox mode: a private dovecot (IMAP), aiosmtpd (SMTP), make_mailbox
forms        POST data for the pages: the log form, profile, sign-up, queue edit, outcomes
checks       plain DraftFacts for the pure checks and ways to read their findings (no Django)
"""
