"""Run the real ``sitrep`` command line in a subprocess, as a user would, for the CLI tests.

A test sees only what it sets up: the command runs in a fresh empty folder unless the test names
one (so the developer's own ./config/sitrep.toml is never read), and without the variables that
would change what it does (:func:`clean_env`) unless the test passes them itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITREP = [sys.executable, "-m", "bot.cli"]

# sitrep's own variables that only say where a cache lives, not what a command does.
KEPT = frozenset({"SITREP_CACHE_DIR"})


def clean_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without ``DISCORD_TOKEN`` and the ``SITREP_*`` variables
    (``SITREP_CONFIG``, ``SITREP_DEBUG``, ``SITREP_WEBHOOK_URL``, ``SITREP_DISCORD_URL``, and any
    added later) but those of ``KEPT``; then ``env``, the test's own, on top."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k != "DISCORD_TOKEN" and (not k.startswith("SITREP_") or k in KEPT)
    }
    return {**base, "PYTHONPATH": str(ROOT), **(env or {})}


def sitrep(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``sitrep ARGS`` in ``cwd`` (a fresh empty folder, removed afterwards, when None) with the
    :func:`clean_env` of ``env``, ``stdin`` as its input; a command still running after
    ``timeout`` seconds fails the test (``TimeoutExpired``)."""
    if cwd is None:
        with tempfile.TemporaryDirectory(prefix="sitrep-cli-") as folder:
            return sitrep(*args, cwd=Path(folder), env=env, stdin=stdin, timeout=timeout)
    return subprocess.run(
        [*SITREP, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=clean_env(env),
    )
