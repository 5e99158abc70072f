"""The dependency audit (`make audit`, run by .ci/run): known vulnerabilities in what we pin.

pip-audit checks every package installed in the virtualenv at its installed version (the
pinned dependencies and the test tools) against a vulnerability feed and fails on any it
knows, except the ids accepted in .ci/audit-allow.txt. Exit status:
  0  audited: no known vulnerability, or only accepted ones;
  1  a known vulnerability (pip-audit lists it) or a package the feed could not answer for;
  3  no feed could be reached: nothing was audited, which is never reported as a pass.

The feed is OSV's query API (AUDIT_OSV_URL, default https://api.osv.dev/v1/query; any
OSV-compatible mirror works), else PyPI's per-version JSON (AUDIT_PYPI_URL, default
https://pypi.org/pypi), whichever answers first for the installed Django.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OSV_URL = os.environ.get("AUDIT_OSV_URL", "https://api.osv.dev/v1/query")
PYPI_URL = os.environ.get("AUDIT_PYPI_URL", "https://pypi.org/pypi").rstrip("/")
ALLOW_FILE = Path(os.environ.get("AUDIT_ALLOW_FILE", ROOT / ".ci" / "audit-allow.txt"))
UNREACHABLE = 3
TIMEOUT = 20


def allowed_ids(path: Path) -> list[str]:
    """The accepted ids: the first word of each line, comments and blank lines ignored."""
    ids = []
    for line in path.read_text(encoding="utf-8").splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            ids.append(words[0])
    return ids


def _answers(request: urllib.request.Request) -> bool:
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            json.load(response)
            return True
    except (OSError, ValueError, urllib.error.URLError):
        return False


def feed() -> list[str] | None:
    """pip-audit's arguments for the first feed that answers about Django, or None."""
    version = importlib.metadata.version("django")
    query = json.dumps({"package": {"name": "django", "ecosystem": "PyPI"}, "version": version})
    osv = urllib.request.Request(
        OSV_URL, data=query.encode(), headers={"Content-Type": "application/json"}
    )
    if _answers(osv):
        return ["--vulnerability-service", "osv", "--osv-url", OSV_URL]
    if _answers(urllib.request.Request(f"{PYPI_URL}/django/{version}/json")):
        return ["--vulnerability-service", "pypi"]
    return None


def main() -> int:
    source = feed()
    if source is None:
        print(
            f"audit: NOT AUDITED. Neither OSV ({OSV_URL}) nor PyPI's per-version data "
            f"({PYPI_URL}/<name>/<version>/json) answered from this machine.",
            file=sys.stderr,
        )
        return UNREACHABLE
    bin_dir = Path(sys.executable).parent
    # Every installed distribution at its exact version, except this project itself (an
    # editable install no feed knows): the pins as they are, not as pyproject.toml hopes.
    frozen = subprocess.run(
        [str(bin_dir / "pip"), "freeze", "--exclude-editable", "--all"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as pins:
        pins.write(frozen)
        pins.flush()
        command = [
            str(bin_dir / "pip-audit"),
            "--requirement",
            pins.name,
            "--no-deps",  # the file already lists every installed package
            "--disable-pip",
            "--strict",  # a package the feed cannot answer for fails the audit too
            "--progress-spinner",
            "off",
            *source,
        ]
        for vuln_id in allowed_ids(ALLOW_FILE):
            command += ["--ignore-vuln", vuln_id]
        print("audit:", len(frozen.splitlines()), "packages;", " ".join(command[3:]), flush=True)
        return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
