"""Filters that leave models out for want of a value say so, with the exact count; `llmcat why`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from llmcat.cli import app
from llmcat.explain import LEFT_OUT, PASSES, UNKNOWN, explain
from llmcat.query import FieldCheck, Query, SortKey, select
from llmcat.records import JapaneseLevel

from .conftest import SMALL, small_registry

REG = small_registry()
R = ["--registry", str(SMALL)]
FAMS = [a for f in ("fam-a", "fam-c", "fam-r", "fam-l", "fam-s", "fam-m", "fam-h") for a in ("--family", f)]
RF = [*R, *FAMS]  # the fixture's models only (a user registry is layered on the bundled one)


def _ids(models: Any) -> set[str]:
    return {m.id for m in models}


def test_select_counts_models_left_out_for_an_unknown_value() -> None:
    got = select(REG, Query(min_context=5000))
    assert _ids(got.models) == {"tune-b", "cond-l", "l-child"}
    unknown_ctx = {m.id for m in REG.models.values() if m.context_tokens is None}
    assert got.unknown == {"context length": len(unknown_ctx)}
    kept = select(REG, Query(min_context=5000, include_unknown=True))
    assert _ids(kept.models) == _ids(got.models) | unknown_ctx
    assert kept.unknown == got.unknown


def test_a_known_failure_is_not_counted_as_unknown() -> None:
    # research-r: context 2048 fails; its other fields are known. mystery-m: nothing known.
    got = select(REG, Query(min_context=5000, min_params_b=10))
    assert _ids(got.models) == {"cond-l", "l-child"}
    # unknown context and params >= 10 (r-child); unknown params: mystery-m, hostile-h (context unknown too)
    assert got.unknown == {"parameter count": 2, "context length": 3}
    both = select(REG, Query(min_context=5000, min_params_b=10, include_unknown=True))
    assert _ids(both.models) == {"cond-l", "l-child", "r-child", "mystery-m", "hostile-h"}


def test_min_and_max_on_one_field_are_one_line() -> None:
    got = select(REG, Query(min_params_b=1, max_params_b=100))
    assert list(got.unknown) == ["parameter count"]
    assert got.unknown["parameter count"] == 2


def test_release_date_and_japanese_level_are_counted() -> None:
    dates = select(REG, Query(released_after="2023"))
    assert dates.unknown == {"release date": sum(m.released is None for m in REG.models.values())}
    ja = select(REG, Query(japanese=JapaneseLevel.MULTILINGUAL))
    assert ja.unknown == {"Japanese level": sum(m.japanese is None for m in REG.models.values())}
    assert "research-r" not in _ids(ja.models)  # "none" is known: left out, not counted


def test_a_further_field_check_plugs_in() -> None:
    """A filter to come (a memory fit) is a FieldCheck in Query.checks, counted like the others."""
    fits = FieldCheck("memory need", "--fits 8GB", lambda m: m[8], lambda v: v <= 7, lambda v: f"{v}B")
    got = select(REG, Query(checks=(fits,)))
    assert got.unknown == {"memory need": 2}
    assert all(m.params_b is not None and m.params_b <= 7 for m in got.models)
    why = explain(REG, REG.models["cond-l"], Query(checks=(fits,)))
    assert why.verdicts[0] == (fits.option, LEFT_OUT, "memory need 70.0B")


def test_cli_prints_one_note_per_field_with_the_exact_count(runner: CliRunner) -> None:
    res = runner.invoke(app, ["list", "--json", "--min-context", "5k", "--min-params", "10B", *RF])
    assert res.exit_code == 0
    assert res.stderr.splitlines() == [
        "note: 2 models left out: parameter count unknown (--include-unknown keeps them)",
        "note: 3 models left out: context length unknown (--include-unknown keeps them)",
    ]
    assert {r["id"] for r in json.loads(res.stdout)} == {"cond-l", "l-child"}
    kept = runner.invoke(
        app, ["list", "--json", "--min-context", "5k", "--min-params", "10B", "--include-unknown", *RF]
    )
    assert {r["id"] for r in json.loads(kept.stdout)} == {"cond-l", "l-child", "r-child", "mystery-m", "hostile-h"}
    assert "kept with context length unknown" in kept.stderr


def test_no_note_without_a_field_filter(runner: CliRunner) -> None:
    res = runner.invoke(app, ["list", "--json", "--commercial", *R])
    assert res.exit_code == 0
    assert res.stderr == ""


def test_table_shows_unknown_cells(runner: CliRunner) -> None:
    res = runner.invoke(app, ["list", "--min-context", "100k", "--include-unknown", "--family", "fam-m", *R])
    line = next(x for x in res.stdout.splitlines() if x.startswith("mystery-m"))
    assert line.count("?") == 4  # size, context, Japanese, released


def test_bundled_counts_match_the_data(runner: CliRunner) -> None:
    """The issue's case: --min-context 8k on the commercial Japanese list."""
    every = json.loads(runner.invoke(app, ["list", "--json", "--commercial", "--ja", "--include-unknown"]).stdout)
    res = runner.invoke(app, ["list", "--json", "--commercial", "--ja", "--min-context", "8k"])
    no_ctx = sum(r["context_tokens"] is None for r in every)
    assert f"note: {no_ctx} models left out: context length unknown (--include-unknown keeps them)" in res.stderr


# ---------------------------------------------------------------- why


def test_why_names_the_filter_and_the_value(runner: CliRunner) -> None:
    res = runner.invoke(app, ["why", "research-r", "--min-context", "5k", "--ja", "--commercial", *R])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == "research-r is not listed: 3 filters leave it out."
    assert "  left out  --commercial: commercial status no (needs yes or conditional)" in lines
    assert "  left out  --min-context 5000: context length 2048" in lines
    assert "  left out  --ja: Japanese level none" in lines


def test_why_says_unknown_and_listed(runner: CliRunner) -> None:
    res = runner.invoke(app, ["why", "tune-c", "--min-context", "5k", *R])
    assert res.exit_code == 0
    assert "unknown   --min-context 5000: context length unknown (--include-unknown keeps it)" in res.stdout
    ok = runner.invoke(app, ["why", "tune-b", "--min-context", "5k", "--tag", "chat", *R])
    assert ok.exit_code == 0
    assert ok.stdout.startswith("tune-b is listed: it passes every filter.")
    kept = runner.invoke(app, ["why", "tune-c", "--min-context", "5k", "--include-unknown", *R])
    assert kept.stdout.startswith("tune-c is listed")


@pytest.mark.parametrize(
    "filters",
    [
        ["--min-params", "7B", "--max-params", "14B", "--released-after", "2023-03"],
        ["--commercial", "--ja-level", "continued"],
        ["--unconditional", "--tag", "chat"],
        ["--base", "base-a", "--min-context", "8k", "--include-unknown"],
        ["--license-class", "permissive", "--lang", "japanese"],
        ["tune", "--org", "org two", "--released-before", "2024"],
        ["--image", "--license", "t-permissive"],
        ["--sort", "params", "--desc", "-n", "3"],
    ],
)
def test_why_agrees_with_list(runner: CliRunner, filters: list[str]) -> None:
    args = [*filters, *RF]
    listed = {r["id"] for r in json.loads(runner.invoke(app, ["list", "--json", *args]).stdout)}
    assert listed != set(REG.models)  # the filters do leave something out
    for mid in REG.models:
        res = runner.invoke(app, ["why", mid, "--json", *args])
        assert res.exit_code == 0, res.output
        got = json.loads(res.stdout)
        assert got["listed"] == (mid in listed), (mid, got)
        assert got["listed"] == all(f["outcome"] == "passes" for f in got["filters"]) or "--limit" in got["summary"]


def test_why_json_and_limit(runner: CliRunner) -> None:
    res = runner.invoke(app, ["why", "cond-l", "--json", "--sort", "params", "--desc", "-n", "1", *RF])
    got = json.loads(res.stdout)
    assert got["listed"] is True  # cond-l and l-child tie at 70B; id order puts cond-l first
    res = runner.invoke(app, ["why", "l-child", "--json", "--sort", "params", "--desc", "-n", "1", *RF])
    got = json.loads(res.stdout)
    assert got["listed"] is False
    assert "number 2" in got["summary"]


@pytest.mark.parametrize(("args", "code"), [(["--bogus"], 2), (["--min-context", "lots"], 2)])
def test_why_bad_filters_are_usage_errors(runner: CliRunner, args: list[str], code: int) -> None:
    res = runner.invoke(app, ["why", "tune-b", *args, *R])
    assert res.exit_code == code
    assert "Traceback" not in res.output


def test_explain_outcomes() -> None:
    v = explain(REG, REG.models["mystery-m"], Query(min_params_b=1)).verdicts
    assert v[0].outcome == UNKNOWN
    v = explain(REG, REG.models["base-a"], Query(min_params_b=1)).verdicts
    assert v[0].outcome == PASSES


@pytest.mark.parametrize(("key", "words"), [("released", "release date"), ("context", "context length")])
def test_a_sort_says_how_many_models_it_could_not_place(runner: CliRunner, key: str, words: str) -> None:
    found = select(REG, Query(sort=SortKey(key)))
    assert found.sorted_by == words
    assert 0 < found.unsorted < found.matched  # the fixture has models with and without the value
    last = {m.id for m in found.models[-found.unsorted :]}
    lacking = {m.id for m in found.models if (m.released if key == "released" else REG.context(m.id)) is None}
    assert last == lacking
    res = runner.invoke(app, ["list", "--ids", "--sort", key, *RF])
    assert res.exit_code == 0
    n = len([m for m in res.stdout.split() if m])
    line = f"note: {found.unsorted} models have no {words}: listed last"
    assert found.matched == n
    assert line in res.stderr
    by_name = runner.invoke(app, ["list", "--ids", *RF])
    assert "listed last" not in by_name.stderr
