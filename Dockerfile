# One image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. Every version is
# pinned in pyproject.toml; the project itself installs no package of its own.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# Static files are collected once, at build time, for whitenoise to serve. The
# settings need a key to load; this one signs nothing and is thrown away.
RUN DEBUG=false SECRET_KEY=collectstatic-only-not-a-secret \
    python manage.py collectstatic --noinput \
    && useradd --system --create-home --uid 10001 followup \
    && mkdir -p /app/var \
    && chown -R followup:followup /app/var

USER followup

EXPOSE 8000

CMD ["gunicorn", "followup.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--timeout", "30"]
