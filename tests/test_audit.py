"""The dependency audit (.ci/audit.py) against a vulnerability feed of our own on 127.0.0.1.

The real pip-audit runs over the real virtualenv; only the feed is ours, an OSV-compatible
server that knows one vulnerability in the installed Django, so the test can tell a failed
audit from a passed one and an allow-listed id from an unknown one.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / ".ci" / "audit.py"
VULN_ID = "GHSA-fake-0000-test"
DJANGO = importlib.metadata.version("django")


class _Feed(BaseHTTPRequestHandler):
    """OSV's /v1/query: Django at the installed version has VULN_ID, nothing else has any."""

    queried: list[str]

    def do_POST(self) -> None:
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        name, version = query["package"]["name"], query["version"]
        self.queried.append(name)
        answer: dict = {}
        if name == "django" and version == DJANGO:
            answer = {
                "vulns": [
                    {
                        "id": VULN_ID,
                        "summary": "A made-up flaw for the audit's test",
                        "affected": [
                            {
                                "package": {"name": "django", "ecosystem": "PyPI"},
                                "ranges": [
                                    {
                                        "type": "ECOSYSTEM",
                                        "events": [{"introduced": "0"}, {"fixed": "99.0"}],
                                    }
                                ],
                            }
                        ],
                    }
                ]
            }
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def feed() -> Iterator[tuple[str, list[str]]]:
    queried: list[str] = []
    handler = type("Feed", (_Feed,), {"queried": queried})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/query", queried
    server.shutdown()


def _audit(tmp_path: Path, *, osv_url: str, allow: str = "") -> subprocess.CompletedProcess:
    allow_file = tmp_path / "allow.txt"
    allow_file.write_text(allow)
    env = {
        **os.environ,
        "AUDIT_OSV_URL": osv_url,
        "AUDIT_PYPI_URL": "http://127.0.0.1:9/pypi",  # the discard port: nothing answers
        "AUDIT_ALLOW_FILE": str(allow_file),
    }
    return subprocess.run(
        [sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=300
    )


def test_a_known_vulnerability_in_a_pinned_dependency_fails_the_audit(tmp_path, feed):
    url, queried = feed

    result = _audit(tmp_path, osv_url=url)

    assert result.returncode == 1, result.stdout + result.stderr
    assert VULN_ID in result.stdout
    assert "django" in result.stdout.lower()
    # Every installed package was asked about, not only Django.
    assert {"celery", "django-anymail", "requests"} <= set(queried)


def test_an_allow_listed_vulnerability_passes_with_its_reason_beside_it(tmp_path, feed):
    url, _ = feed

    result = _audit(
        tmp_path, osv_url=url, allow=f"# accepted for the test\n{VULN_ID}  # not our use of it\n"
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No known vulnerabilities found" in result.stdout + result.stderr


def test_an_unreachable_feed_is_never_a_pass(tmp_path):
    result = _audit(tmp_path, osv_url="http://127.0.0.1:9/v1/query")

    assert result.returncode == 3
    assert "NOT AUDITED" in result.stderr
