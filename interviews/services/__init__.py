"""Writes of the interviews app, one module a thing: applications (and companies), interviews,
contacts.

Each function is one transaction: either everything it describes is saved, or nothing is.
They write interview facts only; what a fact means for the follow-ups (re-planning the
drafts, an outcome, a reopen) is messaging's, which calls these (messaging.services.facts).
Lock order, as everywhere: Company, then Application rows (by pk), then their Message rows.
"""
