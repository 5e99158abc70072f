"""The production stack files, checked by reading them (no Docker engine here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _command(service: dict) -> str:
    command = service["command"]
    return " ".join(command) if isinstance(command, list) else command


def _healthcheck(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else test


def test_it_has_the_database_redis_web_worker_and_beat(compose):
    assert {"db", "redis", "web", "worker", "beat"} <= set(compose["services"])


def test_web_worker_and_beat_run_one_image_built_from_the_dockerfile(compose):
    services = compose["services"]
    images = {services[name]["image"] for name in APP_SERVICES}
    builds = {str(services[name].get("build")) for name in APP_SERVICES}
    assert len(images) == 1
    assert builds == {"."}


def test_the_worker_can_be_scaled(compose):
    worker = compose["services"]["worker"]
    # `docker compose up --scale worker=4` refuses a fixed name or host port.
    assert "container_name" not in worker
    assert "ports" not in worker
    assert "worker" in _command(worker)
    assert "--beat" not in _command(worker) and " -B" not in _command(worker)


def test_no_service_pins_a_container_name(compose):
    assert all("container_name" not in s for s in compose["services"].values())


def test_beat_runs_once_and_apart_from_the_workers(compose):
    beat = compose["services"]["beat"]
    assert re.search(r"\bbeat\b", _command(beat))
    assert "ports" not in beat
    assert beat.get("deploy", {}).get("replicas", 1) == 1


def test_web_serves_gunicorn_and_checks_its_health_on_healthz(compose):
    web = compose["services"]["web"]
    assert "gunicorn" in _command(web) and "followup.wsgi" in _command(web)
    assert "/healthz/" in _healthcheck(web)


def test_the_services_have_health_checks(compose):
    services = compose["services"]
    assert "pg_isready" in _healthcheck(services["db"])
    assert "redis-cli" in _healthcheck(services["redis"])
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")


def test_the_app_waits_for_healthy_services_and_migrations(compose):
    services = compose["services"]
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert "migrate" in _command(services["migrate"])
    assert "migrate" not in services["migrate"]["depends_on"]


def test_data_lives_in_named_volumes(compose):
    named = set(compose["volumes"])
    for name in ("db", "redis"):
        mounts = compose["services"][name]["volumes"]
        sources = {mount.split(":", 1)[0] for mount in mounts}
        assert sources & named, name


def test_the_app_reads_its_settings_from_env_and_points_at_the_services(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["env_file"] == ".env"
        assert "@db:5432/" in service["environment"]["DATABASE_URL"]
        assert service["environment"]["REDIS_URL"].startswith("redis://redis:6379")


def test_the_dockerfile_builds_a_slim_non_root_image_with_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.M)
    user = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert user and user[-1] not in ("root", "0")
    assert "collectstatic --noinput" in dockerfile
    assert re.search(r'^CMD \["gunicorn"', dockerfile, re.M)


def test_secrets_and_local_state_stay_out_of_the_build_context():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".venv", "var", ".git"} <= ignored
