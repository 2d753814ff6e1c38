"""The CLI through Typer's CliRunner: filters, formats, show/resolve/suggest, errors, hostile text."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from llmcat.cli import app

from .conftest import SMALL

R = ["--registry", str(SMALL)]
FIXTURE_FAMILIES = ["--family", "fam-a", "--family", "fam-c", "--family", "fam-r", "--family", "fam-l"]


def run_ok(runner: CliRunner, *args: str, env: dict[str, str] | None = None) -> Any:
    result = runner.invoke(app, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def list_json(runner: CliRunner, *args: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = json.loads(run_ok(runner, "list", "--json", *R, *args).stdout)
    return out


def test_list_json_fields_and_derived_status(runner: CliRunner) -> None:
    rows = {r["id"]: r for r in list_json(runner, *FIXTURE_FAMILIES)}
    assert set(rows) == {"base-a", "tune-b", "tune-c", "tune-d", "research-r", "r-child", "cond-l", "l-child"}
    d = rows["tune-d"]
    assert d["commercial"] == "no"
    assert d["commercial_reason"].startswith("no: the publisher of Tune C 7B (tune-c)")
    assert "commercial_chain" not in d  # the explanation is in `show`
    assert rows["tune-b"]["caveats"] == ["Tuned on ChatGPT outputs."]
    assert rows["r-child"]["image_input"] is True
    assert rows["base-a"]["license_class"] == "permissive"
    assert list(rows["base-a"])[:3] == ["id", "name", "aliases"]


def test_json_shorthand_equals_format_json(runner: CliRunner) -> None:
    a = run_ok(runner, "list", "--json", *R, "tune-").stdout
    b = run_ok(runner, "list", "-f", "json", *R, "tune-").stdout
    assert a == b


def test_ids_format(runner: CliRunner) -> None:
    out = run_ok(runner, "list", "-q", *R, "tune-").stdout
    assert out == "tune-b\ntune-c\ntune-d\n"


def test_csv_round_trips(runner: CliRunner) -> None:
    out = run_ok(runner, "list", "-f", "csv", *R, *FIXTURE_FAMILIES).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    by_id = {r["id"]: r for r in rows}
    assert by_id["tune-d"]["commercial"] == "no"
    assert by_id["base-a"]["languages"] == "ja;en"
    assert by_id["base-a"]["params_b"] == "7"
    assert by_id["r-child"]["modalities"] == "text;image"
    js = {r["id"]: r for r in list_json(runner, *FIXTURE_FAMILIES)}
    for rid, row in by_id.items():
        assert row["commercial_reason"] == js[rid]["commercial_reason"]


def test_jsonl_and_yaml(runner: CliRunner) -> None:
    lines = run_ok(runner, "list", "-f", "jsonl", *R, "tune-").stdout.splitlines()
    assert [json.loads(x)["id"] for x in lines] == ["tune-b", "tune-c", "tune-d"]
    docs = yaml.safe_load(run_ok(runner, "list", "-f", "yaml", *R, "tune-").stdout)
    assert [d["id"] for d in docs] == ["tune-b", "tune-c", "tune-d"]


def test_empty_result(runner: CliRunner) -> None:
    res = run_ok(runner, "list", "--json", "no-such-model-anywhere")
    assert res.stdout == "[]\n"
    assert res.stderr == ""
    res = run_ok(runner, "list", "no-such-model-anywhere")
    assert res.stdout == ""
    assert res.stderr == "No models match.\n"


def test_table_lists_models(runner: CliRunner) -> None:
    out = run_ok(runner, "list", *R, "tune-").stdout
    assert "tune-d" in out
    assert "Commercial" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--min-params", "7X"], "not a parameter count"),
        (["--min-context", "8b"], "not a context length"),
        (["--released-after", "2024-13"], "not a date"),
        (["--sort", "popularity"], "popularity"),
        (["--limit", "0"], "greater than or equal to 1"),
        (["--json", "-q"], "choose one output format"),
    ],
)
def test_bad_flag_values_exit_2_without_traceback(runner: CliRunner, args: list[str], needle: str) -> None:
    result = runner.invoke(app, ["list", *args])
    assert result.exit_code == 2
    assert needle in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_filters_through_the_cli(runner: CliRunner) -> None:
    def got(*args: str) -> set[str]:
        return {r["id"] for r in list_json(runner, *FIXTURE_FAMILIES, *args)}

    assert got("--commercial") == {"base-a", "tune-b", "cond-l", "l-child"}
    assert got("--unconditional") == {"base-a", "tune-b"}
    assert got("--ja") == {"base-a", "tune-b", "cond-l", "l-child"}
    assert got("--ja-level", "continued") == {"base-a", "l-child"}
    assert got("--lang", "ja", "--lang", "en") == {"base-a", "cond-l"}
    assert got("--image") == {"r-child"}
    assert got("--base", ["Base", "A", "7B"][0].lower() + "-a") == {"tune-b", "tune-c", "tune-d"}
    assert got("--base", "fam-a") == {"tune-b", "tune-c", "tune-d"}  # a family: descendants of any member
    assert got("--license", "t-conditional") == {"cond-l"}
    assert got("--license-class", "research-only") == {"research-r"}
    assert got("--org", "org two") == {"tune-b", "tune-c", "r-child"}
    assert got("--min-params", "13B", "--max-params", "20000M") == {"research-r", "r-child"}
    assert got("--min-context", "8k") == {"tune-b", "cond-l", "l-child"}
    assert got("--released-after", "2023-06", "--released-before", "2025") == {"tune-c", "tune-d", "cond-l"}
    assert got("--tag", "chat") == {"tune-b", "tune-c", "r-child"}


def test_sort_and_limit(runner: CliRunner) -> None:
    rows = list_json(runner, *FIXTURE_FAMILIES, "--sort", "params", "--desc", "-n", "2")
    assert [r["id"] for r in rows] == ["cond-l", "l-child"]


def test_show_explains_the_chain(runner: CliRunner) -> None:
    out = run_ok(runner, "show", *R, "tune-d").stdout
    assert "the publisher of Tune C 7B (tune-c) states a binding restriction" in out
    assert "tune-c → tune-b → base-a" in out
    assert "https://example.org/tune-d" in out


def test_show_json_has_lineage_and_the_explanation(runner: CliRunner) -> None:
    rec = json.loads(run_ok(runner, "show", "--json", *R, "tune-b").stdout)
    assert rec["ancestors"] == ["base-a"]
    assert rec["descendants"] == ["tune-c", "tune-d"]
    rec = json.loads(run_ok(runner, "show", "--json", *R, "tune-d").stdout)
    assert [s["model"] for s in rec["commercial_chain"]] == ["tune-d", "tune-c", "tune-c", "tune-b", "base-a"]
    assert [s["source"] for s in rec["commercial_chain"]][:3] == ["license", "license", "restriction"]
    rec = json.loads(run_ok(runner, "show", "--json", *R, "l-child").stdout)
    assert rec["conditions"] == [
        {
            "license": "t-conditional",
            "kind": "user-cap",
            "text": "More than 700 million monthly active users need another licence.",
        }
    ]
    assert rec["condition_kinds"] == ["user-cap"]


@pytest.mark.parametrize("name", ["BASEA", "org-one/base-a-7b", "Base-A", "  base-a "])
def test_show_resolves_alias_repo_and_case(runner: CliRunner, name: str) -> None:
    rec = json.loads(run_ok(runner, "show", "--json", *R, name).stdout)
    assert rec["id"] == "base-a"


def test_show_family_lists_members(runner: CliRunner) -> None:
    recs = json.loads(run_ok(runner, "show", "--json", *R, "fam-c").stdout)
    assert [r["id"] for r in recs] == ["tune-c", "tune-d"]
    out = run_ok(runner, "show", *R, "fam-c").stdout
    assert "Family fam-c: 2 models" in out


def test_show_unknown_suggests_and_exits_1(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", *R, "tune-x"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: unknown model or family 'tune-x'. Did you mean: ")
    assert "tune-b" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_licenses_command(runner: CliRunner) -> None:
    recs = json.loads(run_ok(runner, "licenses", "--json", *R).stdout)
    by_id = {r["id"]: r for r in recs}
    assert by_id["t-conditional"]["commercial"] == "conditional"
    assert by_id["t-permissive"]["models"] == 6
    assert "t-copyleft" in run_ok(runner, "licenses", *R).stdout


def test_stats_command(runner: CliRunner) -> None:
    data = json.loads(run_ok(runner, "stats", "--json", *R).stdout)
    assert data["totals"]["models"] >= 11
    assert data["family"]["fam-a"] == 2
    assert "japanese level" in run_ok(runner, "stats").stdout


def test_user_registry_from_env_and_replacement(runner: CliRunner, tmp_path: Path) -> None:
    own = tmp_path / "own.yaml"
    own.write_text(
        "schema_version: 1\nmodels:\n"
        "  - id: base-a\n    name: Our Base A\n    family: fam-a\n    org: Us\n    license: t-research\n"
        "    sources: [https://intranet.example/base-a]\n"
    )
    env = {"LLMCAT_REGISTRY": str(SMALL)}
    rec = json.loads(run_ok(runner, "show", "--json", "--registry", str(own), "base-a", env=env).stdout)
    assert rec["name"] == "Our Base A"
    assert rec["origin"] == str(own)
    assert rec["commercial"] == "no"
    # The replacement flows down the lineage: tune-b is now built on a research-only model.
    rec = json.loads(run_ok(runner, "show", "--json", "--registry", str(own), "tune-b", env=env).stdout)
    assert rec["commercial"] == "no"


def test_validate_bundled_ok(runner: CliRunner) -> None:
    result = run_ok(runner, "validate")
    assert result.stderr.startswith("OK: bundled registry: ")


def test_version(runner: CliRunner) -> None:
    from llmcat import __version__

    assert run_ok(runner, "--version").stdout == f"llmcat {__version__}\n"


# ---------------------------------------------------------------- hostile text

HOSTILE_NAME = "Hostile [red]H[/red] \\x1b[2J\\x1b]0;pwned\\x07"


@pytest.mark.parametrize("force_color", [False, True])
def test_markup_and_escapes_print_literally_in_tables(runner: CliRunner, force_color: bool) -> None:
    env = {"FORCE_COLOR": "1"} if force_color else {}
    out = run_ok(runner, "show", *R, "hostile-h", env=env).stdout
    assert HOSTILE_NAME in out
    assert "[bold]Evil[/bold] Org" in out
    assert "\\x1b[31mred\\x1b[0m and [link=https://evil.example]click[/link]" in out
    assert "\x1b[2J" not in out
    assert "\x1b]" not in out
    assert "\x07" not in out
    listing = run_ok(runner, "list", *R, "--family", "fam-h", env=env).stdout
    assert "\x1b[2J" not in listing


def test_hostile_text_in_machine_formats(runner: CliRunner) -> None:
    rec = json.loads(run_ok(runner, "show", "--json", *R, "hostile-h").stdout)
    assert rec["name"] == "Hostile [red]H[/red] \x1b[2J\x1b]0;pwned\x07"  # JSON keeps the data, escaped
    raw = run_ok(runner, "show", "--json", *R, "hostile-h").stdout
    assert "\x1b" not in raw
    csv_out = run_ok(runner, "list", "-f", "csv", *R, "--family", "fam-h").stdout
    assert "\x1b" not in csv_out
    assert HOSTILE_NAME in csv_out


def test_no_color_is_read_per_call(runner: CliRunner) -> None:
    colour = run_ok(runner, "list", *R, "tune-", env={"FORCE_COLOR": "1"}).stdout
    plain = run_ok(runner, "list", *R, "tune-", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    assert "\x1b[31m" in colour  # "no" in red
    assert "\x1b[31m" not in plain


@pytest.mark.parametrize(
    "args",
    [
        ["nosuch"],
        ["list", "--nosuch"],
        ["list", "--min-context", "lots"],
        ["list", "--license-class", "free"],
        ["show"],
        ["show", "x", "--format", "xml"],
        ["fit", "--mode", "train"],
        ["recommend", "--for", "poetry"],
        ["hub", "drift", "--tolerance", "-1"],
    ],
)
def test_a_bad_command_line_is_one_error_line_with_exit_2(runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert "--help')" in lines[0]
    assert result.stdout == ""
