"""Headless Chromium for the page tests: found, or the test skips (fails in CI) with the reason."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--hide-scrollbars",
    "--virtual-time-budget=15000",
]


def chromium():
    path = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    if path is None:
        reason = "headless Chromium not found (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def run_chromium(tmp_path, *args, until=lambda out: True):
    """Chromium's output; one more try when a busy machine made it exit early or dump too soon."""
    for attempt in range(2):
        profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
        proc = subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=120)
        if proc.returncode == 0 and until(proc.stdout):
            break
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout
