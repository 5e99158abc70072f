"""The pages of the interviews and accounts apps: thin views over the services.

They sit above every app (import-linter's layers in pyproject.toml): saving an interview,
an application, a contact or the profile is a messaging service (messaging.services.facts)
that writes through the interviews or accounts service and re-plans the drafts.
Templates stay in templates/<app>/, URL names in the `interviews:` and `accounts:`
namespaces. The messaging app keeps its own pages (messaging/views.py, queue_views.py).
"""
