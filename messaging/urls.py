from django.urls import path

from messaging import calendar_views, queue_views, unmatched_views, views

app_name = "messaging"

urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    # Inbound emails no application matched (messaging/unmatched_views.py).
    path("replies/unmatched/", unmatched_views.unmatched, name="unmatched"),
    path(
        "replies/unmatched/<int:pk>/assign/",
        unmatched_views.unmatched_assign_view,
        name="unmatched_assign",
    ),
    path(
        "replies/unmatched/<int:pk>/discard/",
        unmatched_views.unmatched_discard_view,
        name="unmatched_discard",
    ),
    # The calendar feed: a secret address calendar programs subscribe to (no log-in).
    path("calendar/", calendar_views.settings_page, name="calendar"),
    path("calendar/new-address/", calendar_views.regenerate, name="calendar_regenerate"),
    path("calendar/<str:token>.ics", calendar_views.feed, name="calendar_feed"),
    path("outbox/<int:pk>/", views.outbox_detail, name="outbox_detail"),
    path("applications/<int:pk>/reply/", views.application_reply, name="application_reply"),
    path("applications/<int:pk>/outcome/", views.application_outcome, name="application_outcome"),
    path("applications/<int:pk>/undo/", views.application_undo, name="application_undo"),
    path("applications/<int:pk>/write/", views.application_write, name="application_write"),
    path("applications/<int:pk>/pause/", views.application_pause, name="application_pause"),
    path("applications/<int:pk>/resume/", views.application_resume, name="application_resume"),
    # The approval queue (messaging/queue_views.py); its approve, unapprove, skip and edit
    # serve the application page's panel too.
    path("queue/", queue_views.queue, name="queue"),
    path("queue/scheduled/", queue_views.scheduled, name="queue_scheduled"),
    path("queue/sent/", queue_views.sent, name="queue_sent"),
    path("queue/failed/", queue_views.failed, name="queue_failed"),
    path("queue/not-confirmed/", queue_views.unconfirmed, name="queue_unconfirmed"),
    path("queue/approve-all/", queue_views.approve_all, name="queue_approve_all"),
    path("queue/<int:pk>/", queue_views.card, name="queue_card"),
    path("queue/<int:pk>/edit/", queue_views.edit, name="queue_edit"),
    path("queue/<int:pk>/check/", queue_views.check, name="queue_check"),
    path("queue/<int:pk>/approve/", queue_views.approve, name="queue_approve"),
    path("queue/<int:pk>/unapprove/", queue_views.unapprove, name="queue_unapprove"),
    path("queue/<int:pk>/skip/", queue_views.skip, name="queue_skip"),
    path("queue/<int:pk>/send-now/", queue_views.send_now, name="queue_send_now"),
    path("queue/<int:pk>/snooze/", queue_views.snooze, name="queue_snooze"),
    path("queue/<int:pk>/retry/", queue_views.retry, name="queue_retry"),
    # An unconfirmed send, again: after a confirmation that it may arrive twice.
    path("queue/<int:pk>/send-again/", queue_views.send_again, name="queue_send_again"),
    # "Add to my dictionary" from a spelling warning on a card.
    path("queue/<int:pk>/add-word/", queue_views.add_word, name="queue_add_word"),
]
