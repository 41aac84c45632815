"""Run the real ``sitrep`` command line in a subprocess, as a user would, for the CLI tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITREP = [sys.executable, "-m", "bot.cli"]


def sitrep(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``sitrep ARGS`` in ``cwd``, without the caller's token or configuration variable; a
    command still running after ``timeout`` seconds fails the test (``TimeoutExpired``)."""
    base = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "SITREP_CONFIG")}
    return subprocess.run(
        [*SITREP, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**base, "PYTHONPATH": str(ROOT), **(env or {})},
    )
