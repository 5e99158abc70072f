#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "followup.settings")
    if not any(name in os.environ for name in ("DEBUG", "SECRET_KEY", "SECRET_KEY_FILE")):
        # A bare shell in a checkout (`manage.py makemigrations`, `shell`): the embedded
        # development default, as `make run` uses. A deployment always sets SECRET_KEY, so
        # this never applies there, and the web server (wsgi.py) never takes this path:
        # without DEBUG or SECRET_KEY it still refuses to start.
        os.environ["DEBUG"] = "true"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
