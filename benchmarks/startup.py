"""Start-up cost: `llmcat list --commercial --ja --json`, `llmcat show ID --json` and `show` of a name as
people type it (the normalised lookup), each against a minimal Typer app (two commands).

Target (issues "llmcat core" and 8): llmcat's wall time <= 1.3 x the minimal app's, same Python, same
typer, measured paired in one run. Usage: python benchmarks/startup.py [--runs N]
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
        base = llmcat_command()
        floor = [sys.executable, str(mini), "hello"]
        cases = {
            "list --commercial --ja --json": [*base, "list", "--commercial", "--ja", "--json"],
            "show vicuna-13b-v1.3 --json": [*base, "show", "vicuna-13b-v1.3", "--json"],
            "show 'Falcon 40B' --json": [*base, "show", "Falcon 40B", "--json"],
        }
        cold = wall(cases["list --commercial --ja --json"], env)  # the first run compiles the registry index
        for _ in range(3):
            for cmd in cases.values():
                wall(cmd, env)
            wall(floor, env)
        results = {name: paired(cmd, floor, args.runs, env) for name, cmd in cases.items()}
    print(f"python {sys.version.split()[0]}, typer {typer.__version__}, {args.runs} paired runs (medians)")
    print(f"first, index-compiling run of list: {cold * 1000:.0f} ms")
    ok = True
    for name, (t_llmcat, t_floor) in results.items():
        ratio = t_llmcat / t_floor
        ok &= ratio <= TARGET
        print(
            f"{name:30} {t_llmcat * 1000:6.1f} ms vs minimal app {t_floor * 1000:6.1f} ms"
            f"  ratio {ratio:4.2f} (target <= {TARGET})  {verdict(ratio <= TARGET)}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
