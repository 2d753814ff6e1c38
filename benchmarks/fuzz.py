"""The long fuzz run: the fuzz tests of tests/test_fuzz_*.py (loader, command lines, cache bytes) with many
more cases than CI runs.

Usage: python benchmarks/fuzz.py [--examples N]   (N per fuzz test; default 2000, about 12,000 cases)

Every case must end in exit 0, 1 or 2 (the loader: a Registry or a RegistryError with one-line located
issues), with no traceback, within the time and memory bounds of tests/fuzzing.py. Prints the number of
cases checked and pytest's verdict; exits non-zero if any case failed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=2000, help="cases per fuzz test")
    args = parser.parse_args()
    os.environ["LLMCAT_FUZZ_EXAMPLES"] = str(args.examples)
    sys.path.insert(0, str(ROOT))
    import pytest
    from tests import fuzzing

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        code = pytest.main(
            [
                "-q",
                "-p",
                "no:cacheprovider",
                "--basetemp",
                str(Path(tmp) / "pytest"),
                "--hypothesis-show-statistics",
                str(ROOT / "tests" / "test_fuzz_loader.py"),
                str(ROOT / "tests" / "test_fuzz_cli.py"),
                str(ROOT / "tests" / "test_fuzz_cache.py"),
            ]
        )
    elapsed = time.perf_counter() - started

    total = sum(fuzzing.CASES.values())
    print(
        f"fuzz: {total:,} cases ({fuzzing.CASES['loader']:,} loader and cache, {fuzzing.CASES['cli']:,} command lines) "
        f"in {elapsed:.0f} s: {'all passed' if code == 0 else 'FAILURES (see above)'}"
    )
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
