"""Cost of the memory filter: `llmcat list --fits 24GB --json` against `llmcat list --json`.

Target (issue "Will it run here?"): --fits over the whole registry adds no more than 10 % to the
plain listing, measured paired in one run (both warm: the compiled index is already in the cache).
Two memory sizes: 24GB (most models fit) and 1024TB (every model with an estimate fits, so every row
is estimated and written with its `fit` object: the most work --fits can add).
Usage: python benchmarks/fits.py [--runs N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from _common import llmcat_command, paired, verdict, wall

TARGET = 1.10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    ok = True
    print(f"python {sys.version.split()[0]}, {args.runs} paired runs (medians)")
    with tempfile.TemporaryDirectory() as tmp:
        env = {"LLMCAT_CACHE_DIR": str(Path(tmp) / "cache")}
        plain = [*llmcat_command(), "list", "--json"]
        wall(plain, env)  # compiles the index
        for size in ("24GB", "1024TB"):
            fits = [*llmcat_command(), "list", "--fits", size, "--json"]
            for _ in range(3):
                wall(plain, env)
                wall(fits, env)
            t_fits, t_plain = paired(fits, plain, args.runs, env)
            ratio = t_fits / t_plain
            ok = ok and ratio <= TARGET
            print(f"llmcat list --json                {t_plain * 1000:7.1f} ms")
            print(f"llmcat list --fits {size:<6} --json   {t_fits * 1000:7.1f} ms")
            print(f"ratio                             {ratio:7.3f}  (target <= {TARGET})  {verdict(ratio <= TARGET)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
