"""`llmcat recommend` through the CLI: it ranks by evidence and never breaks the filters it was given."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from llmcat.cli import app


def _recommend(runner: CliRunner, *args: str) -> tuple[list[dict[str, Any]], str]:
    r = runner.invoke(app, ["recommend", "--json", *args])
    assert r.exit_code == 0, r.output
    rows: list[dict[str, Any]] = json.loads(r.stdout)
    return rows, r.stderr


def test_commercial_japanese_within_24gb_never_breaks_a_bound(runner: CliRunner) -> None:
    rows, err = _recommend(runner, "--commercial", "--ja", "--fits", "24GB", "-n", "50")
    assert rows
    for r in rows:
        assert r["commercial"] in ("yes", "conditional")
        assert r["japanese"] not in (None, "none", "unknown")
        fit = next(c for c in r["components"] if c["name"] == "fit")
        assert "fits 24 GiB" in fit["detail"]
        assert float(fit["detail"].split(" with ")[1].split(" GiB")[0]) >= 0  # headroom
    assert "Swallow LLM Leaderboard (CC-BY-4.0)" in err


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    gib=st.sampled_from(["8GB", "16GB", "24GB", "48GB", "80GB"]),
    quant=st.sampled_from(["bf16", "int8", "int4", "q4_k_m"]),
    purpose=st.sampled_from(["general", "chat", "code", "reasoning", "ja"]),
)
def test_recommend_keeps_every_bound(runner: CliRunner, gib: str, quant: str, purpose: str) -> None:
    rows, _ = _recommend(runner, "--commercial", "--ja", "--fits", gib, "--quant", quant, "--for", purpose, "-n", "30")
    budget = float(gib.removesuffix("GB"))
    listed = {
        r["id"]
        for r in json.loads(
            runner.invoke(app, ["list", "--json", "--commercial", "--ja", "--fits", gib, "--quant", quant]).stdout
        )
    }
    for r in rows:
        assert r["id"] in listed  # recommend never shows a model `list` leaves out
        assert r["commercial"] != "no"
        fit = next(c for c in r["components"] if c["name"] == "fit")
        assert f"fits {budget:g} GiB" in fit["detail"]
    scored = [r["scored"] for r in rows]
    assert scored == sorted(scored, reverse=True)  # every scored model before every unscored one
    ranks = [r["rank_score"] for r in rows if r["scored"]]
    assert ranks == sorted(ranks, reverse=True)


def test_rows_carry_each_component_and_a_reason(runner: CliRunner) -> None:
    rows, _ = _recommend(runner, "--for", "ja", "-n", "5")
    assert len(rows) == 5
    for i, r in enumerate(rows, start=1):
        assert r["rank"] == i
        assert {c["name"] for c in r["components"]} == {"benchmark", "recency", "context"}
        assert r["benchmark"] == "swallow-ja"
        assert r["reason"]
    top = rows[0]
    assert top["scored"] is True
    assert top["reason"].startswith("swallow-ja ")
    assert "Swallow LLM Leaderboard" in top["reason"]


def test_unscored_models_are_marked_and_counted(runner: CliRunner) -> None:
    rows, err = _recommend(runner, "--for", "code", "--org", "rinna", "-n", "50")
    assert rows
    assert all(not r["scored"] for r in rows if "no swallow-en/LCB score" in r["reason"])
    unscored = sum(1 for r in rows if not r["scored"])
    if unscored:
        assert f"{unscored} of the {len(rows)} shown have no swallow-en/LCB score" in err


@pytest.mark.parametrize("args", [["--for", "poetry"], ["--fits", "lots"], ["--license", "nonexistent-licence"]])
def test_bad_options_are_one_line_usage_errors(runner: CliRunner, args: list[str]) -> None:
    r = runner.invoke(app, ["recommend", *args])
    assert r.exit_code == 2, r.output
    assert len(r.stderr.strip().splitlines()) == 1


def test_the_cli_purposes_are_the_cores() -> None:
    from llmcat.cli.recommend import PurposeChoice
    from llmcat.recommend import Purpose

    assert [p.value for p in PurposeChoice] == [p.value for p in Purpose]
