"""The README is the contract: its JSON field table and command list must match the code."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from llmcat import formats, views
from llmcat.cli import app

from .conftest import small_registry

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _table_keys(after: str) -> list[str]:
    section = README.split(after, 1)[1].split("\n\n", 2)[1]
    keys: list[str] = []
    for line in section.splitlines()[2:]:
        first_cell = line.split("|")[1]
        keys += re.findall(r"`([a-z_]+)`", first_cell)
    return keys


def test_readme_json_fields_match_the_records_in_order() -> None:
    reg = small_registry()
    record = formats.model_record(views.build(reg, reg.models["tune-d"]))
    assert _table_keys("Keys and their order are stable:") == list(record)
    detail = formats.model_record(views.build(reg, reg.models["tune-d"], detail=True), detail=True)
    assert _table_keys("`llmcat show --json` adds the explanation:") == list(detail)[len(record) :]


def test_readme_mentions_every_command_and_every_command_has_help(runner: CliRunner) -> None:
    commands = ["list", "show", "licenses", "stats", "validate", "hub refresh", "hub drift", "cache path", "why"]
    commands += ["cache clear", "licenses llama2"]
    assert "llmcat --install-completion" in README
    commands += ["fit", "compare", "tree", "audit", "check", "scores", "recommend"]
    for cmd in commands:
        assert f"llmcat {cmd}" in README, cmd
        result = runner.invoke(app, [*cmd.split(), "--help"])
        assert result.exit_code == 0, cmd
        assert "Usage:" in result.stdout


def test_readme_set_up_commands_match_ci() -> None:
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    command = "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && python -m pytest"
    assert f"$ {command}\n" in README
    assert f"\n{command}\n" in ci


def test_committed_json_schema_is_current() -> None:
    import json

    from llmcat.schema import json_schema

    committed = json.loads((Path(__file__).resolve().parents[1] / "schema" / "registry.schema.json").read_text())
    assert committed == json_schema(), "regenerate: python -m llmcat.schema > schema/registry.schema.json"


def test_readme_audit_json_keys_match_the_record_in_order() -> None:
    from llmcat.audit import audit_registry

    reg = small_registry()
    record = audit_registry(reg, reg.models["tune-d"]).record()
    assert _table_keys("**`llmcat audit --json`** prints one object. Keys and their order are stable:") == list(record)
    node = _table_keys_of_cell("`chain` | object[]")
    assert node == list(record["chain"][0])


def _table_keys_of_cell(row_start: str) -> list[str]:
    line = next(x for x in README.splitlines() if x.startswith(f"| {row_start}"))
    inner = line.split("`{", 1)[1].split("}`", 1)[0]
    return [k.split(":")[0].strip() for k in inner.split(", ")]


def test_readme_lists_every_policy_rule_and_finding_kind() -> None:
    from llmcat.auditwalk import FINDING_KINDS
    from llmcat.policy import RULES

    for rule in RULES:
        assert f"| `{rule}` |" in README, rule
    for kind in FINDING_KINDS:
        assert f"| `{kind}` |" in README, kind
