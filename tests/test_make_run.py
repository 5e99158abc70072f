"""`make run` end to end: it serves the app, starts a worker, and Ctrl-C stops it all."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _processes_with(marker: str) -> list[int]:
    """Pids of live processes whose environment contains `marker` (our own VAR_DIR)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in environ and state != "Z":
            found.append(int(entry.name))
    return found


def _status(url: str) -> int | None:
    """The HTTP status of `url` without following redirects, or None if nothing answers."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def _wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def test_make_run_serves_the_app_runs_a_worker_and_stops_on_ctrl_c(tmp_path):
    port = _free_port()
    var_dir = str(tmp_path / "var")
    marker = f"VAR_DIR={var_dir}"
    # A clean environment: the embedded default, not the test run's settings.
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "PORT": str(port),
        "VAR_DIR": var_dir,
    }
    log = (tmp_path / "make-run.log").open("w")
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "-C", str(ROOT), "run"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, like a terminal's foreground job
    )
    try:
        base = f"http://127.0.0.1:{port}"
        output = lambda: (tmp_path / "make-run.log").read_text()  # noqa: E731
        assert _wait_until(
            lambda: proc.poll() is not None or _status(f"{base}/accounts/login/") == 200, 180
        ), output()
        assert proc.poll() is None, output()
        assert _status(f"{base}/") == 302
        assert _status(f"{base}/accounts/signup/") == 200
        assert f"http://127.0.0.1:{port}/" in output()
        assert _wait_until(lambda: "ready." in output(), 60), output()
        assert any(
            b"celery" in Path(f"/proc/{pid}/cmdline").read_bytes()
            for pid in _processes_with(marker)
        )

        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
        proc.wait(timeout=60)
        assert _wait_until(lambda: not _processes_with(marker), 30), _processes_with(marker)
        assert _status(f"{base}/accounts/login/") is None
    finally:
        log.close()
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        for pid in _processes_with(marker):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
