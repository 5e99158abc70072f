"""What the user does to messages, and what happens to an application: one module a use case.

- approval: what the checks say, approving, send now;
- editing: the user's own changes (edit, skip, snooze, retry);
- replies and outcomes: what the company said and what was decided (spec §6-§7);
- holds: pause and resume, out-of-office holds, going quiet;
- facts: a fact changed (an interview, application, contact or profile), so the drafts are
  re-planned in the same transaction;
- locking and refusals: the rows a service locks, and why it says no.
"""
