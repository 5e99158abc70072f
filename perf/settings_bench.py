"""The app's own settings, plus a count of the SQL statements each worker process runs.

Used by `make bench` for its workers only: every statement on every connection is counted
in the process, and the count is added to a Redis key after each task (perf.instrument).
Nothing else differs from followup.settings.
"""

import perf.instrument  # noqa: F401  (connects the counters)
from followup.settings import *  # noqa: F403
