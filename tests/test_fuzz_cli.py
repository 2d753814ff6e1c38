"""Fuzz the command line: option combinations (valid, invalid and hostile values) always end in exit 0, 1
or 2, never a traceback, with errors in the documented format (see tests/fuzzing.py)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from llmcat.cli import app

from .fuzzing import SEED_JSON, SEED_YAML, SMALL, check_cli, command_lines, fuzz_settings, mutated


@fuzz_settings(60)
@given(command_lines(str(SMALL)))
def test_option_combinations(args: list[str]) -> None:
    check_cli(CliRunner(), app, args)


@fuzz_settings(30)
@given(st.one_of(mutated(SEED_YAML).map(lambda d: ("reg.yaml", d)), mutated(SEED_JSON).map(lambda d: ("reg.json", d))))
def test_mutated_registries_through_the_cli(tmp_path: Path, case: tuple[str, bytes]) -> None:
    name, data = case
    path = tmp_path / name
    path.write_bytes(data)
    runner = CliRunner()
    validated = check_cli(runner, app, ["validate", str(path)])
    listed = check_cli(runner, app, ["list", "--json", "--registry", str(path)])
    assert (validated.exit_code == 0) == (listed.exit_code == 0), (validated.stderr, listed.stderr)
    if listed.exit_code == 0:
        json.loads(listed.stdout)
