"""Start-up cost: `llmcat list --commercial --ja --json` against a minimal Typer app (two commands).

Target (issue "llmcat core"): llmcat's wall time <= 1.3 x the minimal app's, same Python, same typer,
measured paired in one run. Usage: python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import typer

from _common import llmcat_command, paired, verdict, wall

MINIMAL_APP = """\
import typer

app = typer.Typer()


@app.command()
def hello() -> None:
    print("hello")


@app.command()
def bye() -> None:
    print("bye")


if __name__ == "__main__":
    app()
"""

TARGET = 1.3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        mini = Path(tmp) / "mini.py"
        mini.write_text(MINIMAL_APP)
        env = {"LLMCAT_CACHE_DIR": str(Path(tmp) / "cache")}
        llmcat = [*llmcat_command(), "list", "--commercial", "--ja", "--json"]
        floor = [sys.executable, str(mini), "hello"]
        cold = wall(llmcat, env)  # the first run compiles the registry index; later runs read it
        for _ in range(3):
            wall(llmcat, env)
            wall(floor, env)
        t_llmcat, t_floor = paired(llmcat, floor, args.runs, env)
    ratio = t_llmcat / t_floor
    print(f"python {sys.version.split()[0]}, typer {typer.__version__}, {args.runs} paired runs (medians)")
    print(f"minimal typer app      {t_floor * 1000:7.1f} ms")
    print(f"llmcat list --json ... {t_llmcat * 1000:7.1f} ms  (first, index-compiling run: {cold * 1000:.0f} ms)")
    print(f"ratio                  {ratio:7.2f}  (target <= {TARGET})  {verdict(ratio <= TARGET)}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
