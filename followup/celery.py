"""The Celery app, wired as in Celery's "First steps with Django" guide."""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "followup.settings")

app = Celery("followup")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.on_after_configure.connect
def _prepare_filesystem_broker(sender: Celery, **kwargs: object) -> None:
    """Create the folders of the embedded filesystem broker before anyone uses them."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


app.autodiscover_tasks()
