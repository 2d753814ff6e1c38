"""Tables fit the terminal: ids whole on one line, dates never cut, columns drop out in a documented order.

Snapshots of the fixture registry's table at 80, 100, 120 and 200 columns live in tests/snapshots/;
after an intended change, regenerate them with LLMCAT_UPDATE_SNAPSHOTS=1 pytest tests/test_tables.py.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from llmcat import columns
from llmcat.cli import app

from .conftest import SMALL

SNAPSHOTS = Path(__file__).parent / "snapshots"
R = ["--registry", str(SMALL)]
FAMS = [a for f in ("fam-a", "fam-c", "fam-r", "fam-l", "fam-s", "fam-m") for a in ("--family", f)]
WIDTHS = [80, 100, 120, 200]


def table(runner: CliRunner, width: int, *args: str) -> str:
    res = runner.invoke(app, list(args), env={"COLUMNS": str(width)})
    assert res.exit_code == 0, res.output
    return res.stdout


@pytest.mark.parametrize("width", WIDTHS)
def test_snapshot(runner: CliRunner, width: int) -> None:
    got = table(runner, width, "list", *R, *FAMS)
    path = SNAPSHOTS / f"list-{width}.txt"
    if os.environ.get("LLMCAT_UPDATE_SNAPSHOTS"):
        path.write_text(got)
    assert got == path.read_text()


def _ids(runner: CliRunner, *args: str) -> list[str]:
    return runner.invoke(app, ["list", "-q", *args]).stdout.split()


@pytest.mark.parametrize("width", [80, 100, 120])
@pytest.mark.parametrize("args", [[], ["--commercial", "--ja"], ["--live", "--offline"]])
def test_every_id_whole_on_one_line_and_every_line_fits(runner: CliRunner, width: int, args: list[str]) -> None:
    out = table(runner, width, "list", *args)
    lines = out.splitlines()
    assert all(cell_len(line) <= width for line in lines)
    firsts = [line.split(" ", 1)[0] for line in lines[1:]]
    assert firsts == _ids(runner, *[a for a in args if a not in ("--live", "--offline")])


@pytest.mark.parametrize("width", WIDTHS)
def test_dates_are_never_cut(runner: CliRunner, width: int) -> None:
    rows = {r["id"]: r for r in json.loads(runner.invoke(app, ["list", "--json"]).stdout)}
    out = table(runner, width, "list")
    header, *lines = out.splitlines()
    if "Released" not in header:
        return
    for line in lines:
        mid = line.split(" ", 1)[0]
        released = rows[mid]["released"]
        assert line.rstrip().endswith(released or "?"), line


def test_columns_drop_in_the_documented_order(runner: CliRunner) -> None:
    seen = []
    for width in range(130, 8, -3):
        header = table(runner, width, "list", *R, *FAMS, "--live", "--offline").splitlines()[0].split()
        seen.append({columns.ALIASES.get(h.lower(), h.lower()) for h in header})
    dropped: list[str] = []
    for before, after in itertools.pairwise(seen):
        dropped += sorted(before - after, key=columns.DROP_ORDER.index)
        assert after <= before  # narrower never brings a column back
    assert dropped == [k for k in columns.DROP_ORDER if k in dropped]
    assert seen[0] == {*columns.DEFAULT, *columns.HUB}
    assert seen[-1] == {"id"}


def test_columns_option_chooses_like_ps_o(runner: CliRunner) -> None:
    out = table(runner, 80, "list", *R, *FAMS, "--columns", "id,released", "-o", "Licence,name")
    header = out.splitlines()[0].split()
    assert header == ["ID", "Released", "Licence", "Name"]
    bad = runner.invoke(app, ["list", "--columns", "id,nope"])
    assert bad.exit_code == 2
    assert "no column 'nope'" in bad.stderr
    machine = runner.invoke(app, ["list", "--json", "--columns", "id"])
    assert machine.exit_code == 2


def test_licenses_fit_80_columns_with_kinds(runner: CliRunner) -> None:
    out = table(runner, 80, "licenses")
    lines = out.splitlines()
    assert all(cell_len(line) <= 80 for line in lines)
    assert len(lines) < 250  # it was 4,489 lines with the full condition texts
    every = json.loads(runner.invoke(app, ["licenses", "--json"]).stdout)
    ids = [line.split(" ", 1)[0] for line in lines[1:] if not line.startswith(" ")]
    assert ids == [x["id"] for x in every]
    wide = table(runner, 200, "licenses").splitlines()
    assert wide[0].split() == ["ID", "Name", "Class", "Commercial", "Conditions", "Models"]
    assert all(cell_len(line) <= 200 for line in wide)


def test_license_in_full(runner: CliRunner) -> None:
    out = table(runner, 100, "licenses", "llama2")
    assert "Llama 2 Community License Agreement" in out
    assert "700 million" in re.sub(r"[│\s]+", " ", out)
    rec = json.loads(runner.invoke(app, ["licenses", "Llama-2", "--json"]).stdout)
    assert rec["id"] == "llama2"
    assert "llama-2-7b-hf" in rec["model_ids"]
    assert rec["models"] == len(rec["model_ids"])
    bad = runner.invoke(app, ["licenses", "apache3"])
    assert bad.exit_code == 1
    assert bad.stderr == "Error: unknown licence 'apache3'. Did you mean: apache-2.0?\n"


def test_too_narrow_a_terminal_still_never_cuts_an_id_or_a_date(runner: CliRunner) -> None:
    """Below the width of the longest id, or with --columns wider than the terminal, the table is laid
    out as wide as it must be (the terminal wraps the lines) rather than cropped."""
    ids = _ids(runner)
    narrow = table(runner, 30, "list").splitlines()
    assert [line.split(" ", 1)[0] for line in narrow[1:]] == ids
    rows = {r["id"]: r for r in json.loads(runner.invoke(app, ["list", "--json"]).stdout)}
    chosen = table(runner, 60, "list", "-o", "id,name,released,org,license").splitlines()
    assert chosen[0].split() == ["ID", "Name", "Released", "Org", "Licence"]
    for line in chosen[1:]:
        mid = line.split(" ", 1)[0]
        assert f" {rows[mid]['released'] or '?'} " in line
        assert f" {rows[mid]['license']}" in line
