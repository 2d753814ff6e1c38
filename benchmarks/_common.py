"""Shared helpers for the benchmarks: paired wall-clock timing of whole commands."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path


def llmcat_command() -> list[str]:
    """The installed entry point, run by this interpreter (as a user's shell would run it)."""
    script = shutil.which("llmcat", path=str(Path(sys.executable).parent)) or shutil.which("llmcat")
    if script is None:
        sys.exit("llmcat is not installed in this environment: pip install -e '.[test]'")
    return [sys.executable, script]


def run_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a timed run gets: this one, with bytecode caching on.

    An installed llmcat has its modules compiled (pip writes the .pyc files at install time); a shell
    with PYTHONDONTWRITEBYTECODE set would have every run compile each module from source again, which
    a user never pays. The first, untimed run of each benchmark writes the .pyc files.
    """
    out = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**out, **(env or {})}


def wall(cmd: Sequence[str], env: Mapping[str, str] | None = None) -> float:
    start = time.perf_counter()
    # stderr too: notes (e.g. models left out for an unknown value) are not what is being timed
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=run_env(env))
    return time.perf_counter() - start


def paired(a: Sequence[str], b: Sequence[str], runs: int, env: Mapping[str, str] | None = None) -> tuple[float, float]:
    """Median wall time of ``a`` and of ``b``, run alternately so both see the same machine state."""
    ta: list[float] = []
    tb: list[float] = []
    for _ in range(runs):
        ta.append(wall(a, env))
        tb.append(wall(b, env))
    return statistics.median(ta), statistics.median(tb)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"
