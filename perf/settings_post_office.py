"""Settings for the django-post-office side of `make bench` only (never the app's).

The app's settings with post_office added, on the bench's scratch database: its
send_queued() sends the same messages through the same Anymail backend and fake ESP.
POST_OFFICE's THREADS_PER_PROCESS is 1 so its total concurrency is the bench's (8 processes),
as Followup's; everything else is post_office's default.
"""

from followup.settings import *  # noqa: F403
from followup.settings import EMAIL_BACKEND, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "post_office"]
POST_OFFICE = {
    "BACKENDS": {"default": EMAIL_BACKEND},
    "THREADS_PER_PROCESS": 1,
    "LOG_LEVEL": 0,
    "CELERY_ENABLED": False,
}
