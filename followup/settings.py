"""Django settings for Followup, read from the environment only.

Two ways to run, one code base:
- embedded default (no variables set): SQLite and Celery's filesystem broker
  under var/, email written to the local outbox that the app shows;
- production: DATABASE_URL (PostgreSQL), REDIS_URL, an Anymail ESP backend.
Every variable is documented in .env.example.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from followup import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.string("VAR_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = env.boolean("DEBUG", False)

_secret = env.raw("SECRET_KEY", None)
if not _secret:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Generate one with: python -c "
            '"import secrets; print(secrets.token_urlsafe(50))"'
        )
    # Only for local development: a fixed key is fine when nothing is public.
    _secret = "django-insecure-local-development-key-do-not-use-in-production"
SECRET_KEY = _secret

ALLOWED_HOSTS = env.string_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.string_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "anymail",
    "csp",
    "axes",
    "followup.accounts",
    "interviews",
    "messaging",
]

MIDDLEWARE = [
    # First: container health checks reach /healthz/ by IP over plain HTTP.
    "followup.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The Content-Security-Policy header on every page, error pages included.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: private, no-store on whatever a signed-in user is answered.
    "followup.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Counts failed log-ins and locks one address out from one client for a while (last:
    # it answers the log-in view's failures).
    "axes.middleware.AxesMiddleware",
    "followup.accounts.middleware.UserTimezoneMiddleware",
]

ROOT_URLCONF = "followup.urls"
WSGI_APPLICATION = "followup.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "followup.context_processors.site",
                "followup.context_processors.attention",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
_DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASE_URL = env.string("DATABASE_URL", _DEFAULT_DATABASE_URL)
DATABASES = {"default": environ.Env.db_url_config(DATABASE_URL)}
if DATABASE_URL == _DEFAULT_DATABASE_URL:
    # SQLite creates the file but not its folder: a fresh VAR_DIR would make the first
    # `manage.py migrate` fail with "unable to open database file".
    VAR_DIR.mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default shares one file between the web server and the
    # Celery worker: WAL lets readers and a writer overlap, IMMEDIATE takes the
    # write lock at BEGIN so two writers queue instead of failing mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.integer("CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, Celery ---------------------------------------------------------
REDIS_URL = env.string("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env.string("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Celery's filesystem transport: one folder that producers and consumers
    # share, so the embedded default needs no broker service at all.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        # Broadcast/control messages (celery inspect, remote control) live here too,
        # not in a "control" folder of whatever directory the worker started in.
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.boolean("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.integer("CELERY_TASK_TIME_LIMIT", 120, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env.integer("CELERY_TASK_SOFT_TIME_LIMIT", 90, minimum=1)
CELERY_BEAT_SCHEDULE_FILENAME = env.string(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(VAR_DIR / "celerybeat-schedule")
)
CELERY_TIMEZONE = "UTC"

# How often Celery beat looks for approved messages whose time has come. A tick is cheap at
# any size (indexed, flat in the number of scheduled messages), so it comes often: a task
# lost with the broker delays sending by seconds.
FOLLOWUP_DISPATCH_INTERVAL_SECONDS = env.integer(
    "FOLLOWUP_DISPATCH_INTERVAL_SECONDS", 10, minimum=1
)
# Messages claimed, re-checked, gated and recorded together; each sender task sends its
# chunk over one HTTP session, then claims the next at once (messaging.dispatch.chunks).
FOLLOWUP_DISPATCH_CHUNK_SIZE = env.integer("FOLLOWUP_DISPATCH_CHUNK_SIZE", 50, minimum=1)
# Sender tasks a tick starts when messages are due: the workers' total concurrency.
FOLLOWUP_DISPATCH_SENDERS = env.integer("FOLLOWUP_DISPATCH_SENDERS", 8, minimum=1)
# A sender hands over to a fresh task after this long (what is queued gets a slot).
FOLLOWUP_DISPATCH_DRAIN_SECONDS = env.integer("FOLLOWUP_DISPATCH_DRAIN_SECONDS", 20, minimum=1)
# A chunk hands no more emails to the ESP after this long; the rest go back to approved.
FOLLOWUP_DISPATCH_CHUNK_SECONDS = env.integer("FOLLOWUP_DISPATCH_CHUNK_SECONDS", 45, minimum=1)
# A claim not started this long after it was made has nobody behind it (a lost task, a
# killed worker): the sweep gives it back (messaging.dispatch.claims.recover_stale_claims).
FOLLOWUP_CLAIM_RELEASE_SECONDS = env.integer("FOLLOWUP_CLAIM_RELEASE_SECONDS", 30, minimum=1)
# An unconfirmed send is looked up in the ESP's own records (Postmark's search) this long
# after it started (messaging.dispatch.reconcile), and again on every run until it settles.
FOLLOWUP_RECONCILE_AFTER_SECONDS = env.integer("FOLLOWUP_RECONCILE_AFTER_SECONDS", 120, minimum=1)
FOLLOWUP_RECONCILE_INTERVAL_SECONDS = env.integer(
    "FOLLOWUP_RECONCILE_INTERVAL_SECONDS", 60, minimum=1
)
# The tick and the reconciliation run on a queue of their own, the senders on another:
# a backlog of sends never delays the sweep. Every worker consumes all three by default.
CELERY_TASK_QUEUES = {"celery": {}, "dispatch": {}, "send": {}}
CELERY_TASK_ROUTES = {
    "messaging.tasks.dispatch_due_messages": {"queue": "dispatch"},
    "messaging.tasks.reconcile_unconfirmed": {"queue": "dispatch"},
    "messaging.tasks.send_due_messages": {"queue": "send"},
    "messaging.tasks.send_message": {"queue": "send"},
}
# Celery closes the database connection around every task unless told to reuse it.
CELERY_DB_REUSE_MAX = env.integer("CELERY_DB_REUSE_MAX", 1000, minimum=0)
# Webhook payloads (an inbound reply's raw message, a delivery report) are emptied after this
# many days; the reply's text on the timeline and the message's delivery status stay.
FOLLOWUP_RAW_MAIL_RETENTION_DAYS = env.integer("FOLLOWUP_RAW_MAIL_RETENTION_DAYS", 180, minimum=1)
# Seconds between two readings of the users' own inboxes (messaging.mailbox_tasks).
FOLLOWUP_IMAP_POLL_SECONDS = env.integer("FOLLOWUP_IMAP_POLL_SECONDS", 300, minimum=30)
CELERY_BEAT_SCHEDULE = {
    "dispatch-due-messages": {
        "task": "messaging.tasks.dispatch_due_messages",
        "schedule": FOLLOWUP_DISPATCH_INTERVAL_SECONDS,
        # A tick still queued when the next one is due is dropped, not piled up.
        "options": {"expires": FOLLOWUP_DISPATCH_INTERVAL_SECONDS},
    },
    # Out-of-office holds whose return date has come: the check-ins go again.
    "end-out-of-office-holds": {
        "task": "messaging.tasks.end_out_of_office_holds",
        "schedule": FOLLOWUP_DISPATCH_INTERVAL_SECONDS,
        "options": {"expires": FOLLOWUP_DISPATCH_INTERVAL_SECONDS},
    },
    # Unconfirmed sends the ESP can tell about (messaging.dispatch.reconcile).
    "reconcile-unconfirmed": {
        "task": "messaging.tasks.reconcile_unconfirmed",
        "schedule": FOLLOWUP_RECONCILE_INTERVAL_SECONDS,
        "options": {"expires": FOLLOWUP_RECONCILE_INTERVAL_SECONDS},
    },
    # Webhook events whose processing failed or was lost (messaging.webhooks.processing).
    "requeue-email-events": {
        "task": "messaging.tasks.requeue_email_events",
        "schedule": 10 * 60,
        "options": {"expires": 10 * 60},
    },
    # Forwards of replies to the user whose task was lost, or stuck (messaging.forwarding).
    "requeue-forwards": {
        "task": "messaging.forwarding.requeue_forwards",
        "schedule": 10 * 60,
        "options": {"expires": 10 * 60},
    },
    # Raw mail past FOLLOWUP_RAW_MAIL_RETENTION_DAYS (messaging.webhooks.retention).
    "prune-raw-mail": {
        "task": "messaging.tasks.prune_raw_mail",
        "schedule": 24 * 60 * 60,
        "options": {"expires": 60 * 60},
    },
    # Replies in the users' own inboxes (messaging.mailbox_tasks), stored like webhook events.
    "poll-mailboxes": {
        "task": "messaging.mailbox_tasks.poll_mailboxes",
        "schedule": FOLLOWUP_IMAP_POLL_SECONDS,
        "options": {"expires": FOLLOWUP_IMAP_POLL_SECONDS},
    },
    # Three unanswered messages: the application goes quiet (a matter of days, not minutes).
    "mark-quiet-applications": {
        "task": "messaging.tasks.mark_quiet_applications",
        "schedule": 15 * 60,
        "options": {"expires": 15 * 60},
    },
}
# Answers that certainly mean "not taken" (no connection, 429, the ESP's own 503) are tried
# again: about BACKOFF_SECONDS * 2**n later (randomised), at most BACKOFF_MAX, MAX_RETRIES
# times; after that the message is marked failed. Anything else that may have been taken
# (another 5xx, a timeout, a reset) leaves it unconfirmed, never resent by itself.
FOLLOWUP_SEND_MAX_RETRIES = env.integer("FOLLOWUP_SEND_MAX_RETRIES", 5, minimum=0)
FOLLOWUP_SEND_RETRY_BACKOFF_SECONDS = env.integer(
    "FOLLOWUP_SEND_RETRY_BACKOFF_SECONDS", 30, minimum=1
)
FOLLOWUP_SEND_RETRY_BACKOFF_MAX = env.integer("FOLLOWUP_SEND_RETRY_BACKOFF_MAX", 600, minimum=1)
# A message whose send started this long ago and is still "sending" has no live task
# behind it (a worker died mid-send): the sweep makes it unconfirmed
# (messaging.dispatch.claims.recover_stale_claims). It must outlast a task's time limit.
FOLLOWUP_CLAIM_TIMEOUT_SECONDS = env.integer("FOLLOWUP_CLAIM_TIMEOUT_SECONDS", 300, minimum=1)
if FOLLOWUP_CLAIM_TIMEOUT_SECONDS <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"FOLLOWUP_CLAIM_TIMEOUT_SECONDS ({FOLLOWUP_CLAIM_TIMEOUT_SECONDS}) must be longer than "
        f"CELERY_TASK_TIME_LIMIT ({CELERY_TASK_TIME_LIMIT}), or a send still running would "
        "be taken for a crashed one."
    )

# --- Email ---------------------------------------------------------------------
# Embedded default: the local outbox (a table the app shows at /outbox/).
# Production: any Anymail backend, e.g. anymail.backends.postmark.EmailBackend,
# configured by ANYMAIL_* variables (ANYMAIL_POSTMARK_SERVER_TOKEN=... becomes
# ANYMAIL["POSTMARK_SERVER_TOKEN"]).
EMAIL_BACKEND = env.string("EMAIL_BACKEND", "messaging.outbox.OutboxEmailBackend")
ANYMAIL = env.prefixed("ANYMAIL_")
# Anyone can POST to the webhook URLs: without a secret (basic auth in the URL the ESP
# calls) a stranger could mark messages delivered or bounced, or fake a reply.
if EMAIL_BACKEND.startswith("anymail.") and not ANYMAIL.get("WEBHOOK_SECRET"):
    raise ImproperlyConfigured(
        f"EMAIL_BACKEND is {EMAIL_BACKEND}, so ANYMAIL_WEBHOOK_SECRET must be set "
        '(e.g. "user:long-random-password", also configured in the ESP\'s webhook URL).'
    )
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "Followup <followup@localhost>")
SERVER_EMAIL = env.string("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = env.integer("EMAIL_TIMEOUT", 20, minimum=1)
# Anymail needs a number here (ANYMAIL_* variables arrive as text); well under the task
# time limits so a hung ESP call ends as a retryable timeout.
ANYMAIL["REQUESTS_TIMEOUT"] = env.integer("ANYMAIL_REQUESTS_TIMEOUT", EMAIL_TIMEOUT, minimum=1)
# The authserv-id our ESP's inbound server writes into Authentication-Results (e.g.
# "mx.postmarkapp.com"). A reply outside our threads, matched only by its From address,
# acts only when a header with this id says SPF or DKIM passed for that address; empty:
# such emails are never acted on, only noted on the timeline (messaging.webhooks.inbound).
FOLLOWUP_INBOUND_AUTHSERV_ID = env.string("FOLLOWUP_INBOUND_AUTHSERV_ID", "")
# A domain whose mail the ESP's inbound routes to /anymail/<esp>/inbound/ (e.g.
# "replies.followup.example"). Set: every email gives reply-<token>@<domain> as Reply-To, so
# answers reach Followup, stop the check-ins and are forwarded to the user
# (messaging.reply_addresses). Empty: Reply-To is the user's own address.
FOLLOWUP_REPLY_DOMAIN = env.string("FOLLOWUP_REPLY_DOMAIN", "").strip().strip(".").lower()
if FOLLOWUP_REPLY_DOMAIN and not re.fullmatch(
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", FOLLOWUP_REPLY_DOMAIN
):
    raise ImproperlyConfigured(
        f"FOLLOWUP_REPLY_DOMAIN must be a domain name like replies.example.com, "
        f"not {FOLLOWUP_REPLY_DOMAIN!r}."
    )
# The largest webhook body the ESP's URLs read (bytes); larger ones answer 413 unread. An
# inbound email arrives whole, attachments included (messaging.webhook_views).
FOLLOWUP_WEBHOOK_MAX_BYTES = env.integer(
    "FOLLOWUP_WEBHOOK_MAX_BYTES", 10 * 1024 * 1024, minimum=64 * 1024
)
# Send with the user's own address as From. Only when the ESP has verified the users'
# domains; by default mail comes from DEFAULT_FROM_EMAIL's address under the user's
# name, with Reply-To set to the user (messaging.dispatch.outgoing.build_email).
FOLLOWUP_SEND_AS_USER = env.boolean("FOLLOWUP_SEND_AS_USER", False)


def _fernet_keys(keys: list[str], *, name: str) -> list[str]:
    """The keys, each checked to be a Fernet key (32 bytes, url-safe base64): else an error."""
    for key in keys:
        try:
            length = len(base64.urlsafe_b64decode(key.encode("ascii")))
        except (ValueError, UnicodeEncodeError):
            length = 0
        if length != 32:
            raise ImproperlyConfigured(
                f"{name} holds a value that is not a Fernet key. Generate one with: python -c "
                '"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
            )
    return keys


# Own-mailbox mode (messaging.mailbox): the app password of a user's own SMTP/IMAP account is
# stored encrypted with these keys. The first encrypts; every one decrypts, so a new key goes
# in front to rotate. Unset with DEBUG off: nobody can save a mailbox password (the profile
# says why). Unset with DEBUG on, for local development only: a key derived from SECRET_KEY,
# so the embedded default works as it is.
FOLLOWUP_FIELD_ENCRYPTION_KEYS = _fernet_keys(
    env.string_list("FOLLOWUP_FIELD_ENCRYPTION_KEY", []), name="FOLLOWUP_FIELD_ENCRYPTION_KEY"
)
if not FOLLOWUP_FIELD_ENCRYPTION_KEYS and DEBUG:
    _derived = hashlib.sha256(f"followup-field-encryption:{SECRET_KEY}".encode()).digest()
    FOLLOWUP_FIELD_ENCRYPTION_KEYS = [base64.urlsafe_b64encode(_derived).decode("ascii")]
# Whether a user's mailbox may be on a private, loopback or link-local address. Off, "Test
# connection" cannot be used to probe the machines around this server. Default: DEBUG.
FOLLOWUP_MAILBOX_PRIVATE_HOSTS = env.boolean("FOLLOWUP_MAILBOX_PRIVATE_HOSTS", DEBUG)

# --- Auth ----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
# Nothing can be approved until the user opened the link emailed to their login address
# (followup.accounts.verification); in the embedded default it lands in the outbox.
FOLLOWUP_REQUIRE_EMAIL_VERIFICATION = env.boolean("FOLLOWUP_REQUIRE_EMAIL_VERIFICATION", True)
# The most emails one user sends in one of their local days (midnight to midnight); more wait,
# approved, for the next day's window (messaging.dispatch.claims.messages_within_cap).
FOLLOWUP_DAILY_SEND_CAP = env.integer("FOLLOWUP_DAILY_SEND_CAP", 50, minimum=1)
# django-axes: failed log-ins lock one address out from one client address for a while; its
# records live in the database (the axes app's tables), so a restart forgets none.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.integer("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env.integer("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "followup.accounts.throttle.axes_username"
AXES_CLIENT_IP_CALLABLE = "followup.accounts.throttle.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "followup.web.accounts.locked_out"
LOGIN_REDIRECT_URL = "interviews:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
# A session ends after this many minutes without a request; every request starts the
# count again (the cookie's age is renewed each time). 8 hours: a working day of coming
# back to the queue between other things without logging in again, while a browser left
# signed in on a shared computer overnight is signed out by morning (Django's default
# is two weeks from the log-in, however idle).
FOLLOWUP_SESSION_IDLE_MINUTES = env.integer("FOLLOWUP_SESSION_IDLE_MINUTES", 480, minimum=5)
SESSION_COOKIE_AGE = FOLLOWUP_SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation --------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.string("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Who gets an email for each server error (500) when DEBUG is off, through EMAIL_BACKEND
# from SERVER_EMAIL (Django's "django" logger, kept by LOGGING below): "Name <address>,
# other@example.com". Default: nobody.
ADMINS = env.admins("ADMINS")

# --- Security (production) -------------------------------------------------------
if not DEBUG:
    SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env.boolean("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env.boolean("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.boolean("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env.boolean("SECURE_HSTS_PRELOAD", True)
    if env.boolean("BEHIND_TLS_PROXY", False):
        # Only when a proxy in front terminates TLS and always sets this header.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True


def _inline_style_hash(template: Path) -> str:
    """The CSP source allowing the one <style> block of `template` (and nothing else)."""
    block = re.search(r"<style>(.*?)</style>", template.read_text(), re.S)
    if block is None:
        raise ImproperlyConfigured(f"{template} has no <style> block to allow.")
    digest = hashlib.sha256(block.group(1).encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


# Content-Security-Policy (django-csp): scripts, styles, fonts and images from our own
# static files only. No inline script, no event-handler attribute, no eval: the pages'
# JavaScript lives in static/js/, and htmx runs with allowEval off (base.html's
# htmx-config: no hx-on, no js: values, no indicator <style> it would inject).
# No inline styles either: no style="..." attributes in our templates (classes in
# static/css/app.css). Bootstrap's JavaScript sets positions through element.style,
# which CSP does not govern, so style-src needs no 'unsafe-inline'. The one exception is
# the error pages' own <style> block (templates/_error_layout.html renders a 500 without
# static files), allowed by its hash, computed here so an edit cannot drift from it.
# img-src allows data: for the SVG icons inside Bootstrap's CSS (select arrows, close
# buttons, the navbar toggler). The outbox shows sanitised email HTML in a sandboxed
# <iframe srcdoc>: it inherits this policy, so it can load nothing from elsewhere either.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, _inline_style_hash(BASE_DIR / "templates" / "_error_layout.html")],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
