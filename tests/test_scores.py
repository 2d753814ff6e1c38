"""Benchmark scores: the import from the source's own file, the bundled values, and ranking by them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from llmcat import recommend, scores
from llmcat.cli import app
from llmcat.errors import UsageError
from llmcat.records import Model, Status

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data" / "scores" / "swallow.json"
IMPORT = ROOT / "scripts" / "import_swallow.py"
# A clone of https://github.com/swallow-llm/leaderboard at the commit the bundled file names. Not part of
# this repository (the leaderboard's data is not ours to copy whole); where it is present, the tests
# below regenerate the bundled file from it and compare every value.
SOURCE_GIT = Path(os.environ.get("LLMCAT_SWALLOW_SOURCE", "/work/.mirror/swallow-llm+leaderboard/repo"))


def _bundled() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(BUNDLED.read_text(encoding="utf-8"))
    return data


def _source_at_commit() -> Path:
    commit = _bundled()["source"]["commit"]
    if not SOURCE_GIT.exists():
        pytest.skip(f"no copy of the leaderboard's repository at {SOURCE_GIT} (set LLMCAT_SWALLOW_SOURCE)")
    head = subprocess.run(["git", "-C", str(SOURCE_GIT), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode != 0 or head.stdout.strip() != commit:
        pytest.skip(f"the leaderboard copy at {SOURCE_GIT} is not at commit {commit}")
    return SOURCE_GIT


def test_import_reproduces_the_bundled_file_from_the_source(tmp_path: Path) -> None:
    git_dir = _source_at_commit()
    retrieved = _bundled()["source"]["retrieved"]
    out = tmp_path / "swallow.json"
    cmd = [sys.executable, str(IMPORT), "--from-git", str(git_dir), "--retrieved", retrieved, "--out", str(out)]
    subprocess.run(cmd, check=True, capture_output=True)
    assert out.read_bytes() == BUNDLED.read_bytes()


def test_every_bundled_value_equals_the_sources_value() -> None:
    git_dir = _source_at_commit()
    text = subprocess.run(
        ["git", "-C", str(git_dir), "show", "HEAD:_data/model.yml"], check=True, capture_output=True, text=True
    ).stdout
    source = {m["model_id"]: m for m in yaml.safe_load(text)}
    bundled = _bundled()
    group_of = {b["id"]: b["group"] for b in bundled["benchmarks"]}
    compared = 0
    for row in bundled["models"]:
        src = source[row["model"]]
        assert row["name"] == src["name"]
        for bench, values in row["results"].items():
            assert values == src["results"][group_of[bench]]
            compared += len(values)
    assert compared > 3000
    assert {r["model"] for r in bundled["models"]} == set(source)


def _write_source(folder: Path) -> None:
    folder.mkdir()
    (folder / "model.yml").write_text(
        "- id: org/m\n  model_id: org/m\n  name: M\n  reasoning: 'on'\n"
        "  results:\n    ja_post: {avg: 0.5, GPQA: 0.25}\n    en_pre: {avg: 0.75}\n"
        "- id: gpt-x\n  model_id: gpt-x\n  name: GPT X\n  results: {}\n"
        "- id: q\n  model_id: tokyotech-llm/Qwen-3-Swallow-8B-RL-v0.2\n  name: Q\n  results: {}\n",
        encoding="utf-8",
    )
    task = (
        "{g}:\n  title: {{en: T {g}, ja: J}}\n  description: {{en: D {g}}}\n"
        "  tasks:\n    - {{name: avg, title: {{en: Average}}, metric: {{en: Average}}}}\n"
        "    - {{name: GPQA, title: GPQA}}\n"
    )
    (folder / "task_post.yml").write_text(
        "".join(task.format(g=g) for g in ("ja_post", "en_post", "ja_mtb", "en_mtb")), encoding="utf-8"
    )
    (folder / "task_pre.yml").write_text("".join(task.format(g=g) for g in ("ja_pre", "en_pre")), encoding="utf-8")


def test_import_copies_values_and_provenance_as_they_are(tmp_path: Path) -> None:
    _write_source(tmp_path / "src")
    out = tmp_path / "out.json"
    args = ["--from-dir", str(tmp_path / "src"), "--commit", "abc123", "--committed", "2026-05-07"]
    cmd = [sys.executable, str(IMPORT), *args, "--retrieved", "2026-12-06", "--out", str(out)]
    subprocess.run(cmd, check=True, capture_output=True)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["source"]["file"] == "https://github.com/swallow-llm/leaderboard/blob/abc123/_data/model.yml"
    assert data["source"]["license"] == "CC-BY-4.0"
    assert data["models"][0] == {
        "model": "org/m",
        "name": "M",
        "reasoning": "on",
        "results": {"swallow-ja": {"avg": 0.5, "GPQA": 0.25}, "swallow-en-pre": {"avg": 0.75}},
    }
    assert [b["id"] for b in data["benchmarks"]][:2] == ["swallow-ja", "swallow-en"]
    # a leaderboard id that is not the Hub repo keeps the source's id, and names the repo llmcat matches
    assert data["models"][2]["model"] == "tokyotech-llm/Qwen-3-Swallow-8B-RL-v0.2"
    assert data["models"][2]["repo"] == "tokyotech-llm/Qwen3-Swallow-8B-RL-v0.2"
    assert "repo" not in data["models"][0]
    # --check: 0 when the file matches, 1 when it does not
    assert subprocess.run([*cmd, "--check"], capture_output=True).returncode == 0
    out.write_text("{}", encoding="utf-8")
    assert subprocess.run([*cmd, "--check"], capture_output=True).returncode == 1


def test_bundled_scores_are_within_their_scales_and_credit_the_source() -> None:
    book = scores.load()
    assert set(book.benchmarks) == {
        "swallow-ja",
        "swallow-en",
        "swallow-ja-mtbench",
        "swallow-en-mtbench",
        "swallow-ja-pre",
        "swallow-en-pre",
    }
    src = book.sources[0]
    assert src.license == "CC-BY-4.0"
    assert src.evidence == "independent"
    assert src.file.startswith("https://github.com/swallow-llm/leaderboard/blob/")
    for row in _bundled()["models"]:
        for bench, values in row["results"].items():
            lo, hi = book.benchmarks[bench].scale
            assert all(lo <= v <= hi for v in values.values()), (row["model"], bench)


def _model(mid: str, repo: str, **kw: Any) -> Model:
    return Model(id=mid, name=mid, family="f", org="o", license="mit", sources=("https://x",), hf_repos=(repo,), **kw)


def _book(values: dict[str, float]) -> scores.ScoreBook:
    src = scores.ScoreSource(
        "s", "S LLM Leaderboard", "u", "f", "c", "2026-01-01", "2026-02-01", "CC-BY-4.0", "a", "independent"
    )
    bench = scores.Benchmark("b", "B", "d", "ja", (0.0, 1.0), (scores.Task("avg", "Average", None),), src)
    entries = [scores._Entry(repo, None, {"b": {"avg": v}}, src) for repo, v in values.items()]
    return scores.ScoreBook([bench], entries)


@given(st.dictionaries(st.sampled_from(["a/1", "a/2", "a/3", "a/4", "a/5"]), st.floats(0, 1), max_size=5))
def test_order_by_score_sorts_by_it_and_puts_the_unscored_last(values: dict[str, float]) -> None:
    models = [_model(f"m{i}", f"a/{i}") for i in range(1, 6)]
    book = _book(values)
    ranked = scores.order_by_score(models, book, scores.ScoreKey("b"), descending=True)
    got = [book.value(m, scores.ScoreKey("b")) for m in ranked.models]
    known = [v for v in got if v is not None]
    assert known == sorted(known, reverse=True)
    assert got[len(known) :] == [None] * (len(got) - len(known))
    assert ranked.missing == 5 - len(values)
    check = scores.min_score_check(book, scores.ScoreKey("b"), 0.5)
    kept = [m for m in models if (v := check.value(m)) is not None and check.keeps(v)]
    assert {m.hf_repos[0] for m in kept} == {r for r, v in values.items() if v >= 0.5}
    assert sum(1 for m in models if check.value(m) is None) == 5 - len(values)


def test_parse_key_and_min_score_errors() -> None:
    book = scores.load()
    assert book.parse_key("SWALLOW-JA") == scores.ScoreKey("swallow-ja")
    assert book.parse_key("swallow-ja/gpqa") == scores.ScoreKey("swallow-ja", "GPQA")
    with pytest.raises(UsageError, match="did you mean swallow-ja"):
        book.parse_key("swallow-jq")
    for bad in ("swallow-ja", "swallow-ja=", "swallow-ja=high", "swallow-ja=1.5", "=0.5"):
        with pytest.raises(UsageError):
            scores.parse_min_score(bad, book)


# --------------------------------------------------------------------------- through the CLI


def _list(runner: CliRunner, *args: str) -> tuple[list[dict[str, Any]], str]:
    r = runner.invoke(app, ["list", "--json", *args])
    assert r.exit_code == 0, r.output
    rows: list[dict[str, Any]] = json.loads(r.stdout)
    return rows, r.stderr


def test_sort_by_score_orders_by_it_and_counts_the_unscored(runner: CliRunner) -> None:
    rows, err = _list(runner, "--sort", "score:swallow-ja-pre")
    book = scores.load()
    by_id = {m.id: m for m in _registry_models()}
    values = [book.value(by_id[r["id"]], scores.ScoreKey("swallow-ja-pre")) for r in rows]
    known = [v for v in values if v is not None]
    assert len(known) >= 20
    assert known == sorted(known, reverse=True)  # best first by default
    assert all(v is None for v in values[len(known) :])
    assert f"note: {len(values) - len(known)} models have no swallow-ja-pre score and are listed last" in err
    assert "Swallow LLM Leaderboard (CC-BY-4.0)" in err
    asc, _ = _list(runner, "--sort", "score:swallow-ja-pre", "--asc")
    assert [r["id"] for r in asc][: len(known)] == [r["id"] for r in rows][: len(known)][::-1] or len(set(known)) < len(
        known
    )


def test_min_score_keeps_only_models_at_or_above_the_bound(runner: CliRunner) -> None:
    rows, err = _list(runner, "--min-score", "swallow-ja-pre=0.5")
    book = scores.load()
    by_id = {m.id: m for m in _registry_models()}
    assert rows
    for r in rows:
        v = book.value(by_id[r["id"]], scores.ScoreKey("swallow-ja-pre"))
        assert v is not None
        assert v >= 0.5
    assert "models left out: swallow-ja-pre score unknown (--include-unknown keeps them)" in err


def test_bad_score_options_are_usage_errors(runner: CliRunner) -> None:
    for args in (["--sort", "score:nope"], ["--min-score", "swallow-ja=2"], ["--sort", "popularity"]):
        r = runner.invoke(app, ["list", *args])
        assert r.exit_code == 2, (args, r.output)
        assert len(r.stderr.strip().splitlines()) == 1


def _registry_models() -> list[Model]:
    from llmcat.registry import load_registry

    return list(load_registry().models.values())


def test_show_has_a_scores_panel_and_json_scores(runner: CliRunner) -> None:
    book = scores.load()
    scored = next(m for m in _registry_models() if book.for_model(m))
    r = runner.invoke(app, ["show", scored.id, "--json"])
    assert r.exit_code == 0, r.output
    rec = json.loads(r.stdout)
    assert rec["scores"]
    assert set(rec["scores"][0]) >= {"benchmark", "task", "value", "scale", "date", "source", "evidence"}
    assert rec["scores"][0]["source"].startswith("https://github.com/swallow-llm/leaderboard/blob/")
    table = runner.invoke(app, ["show", scored.id])
    assert "Scores" in table.stdout
    assert "CC BY 4.0" in table.stdout
    unscored = next(m for m in _registry_models() if not book.for_model(m))
    assert json.loads(runner.invoke(app, ["show", unscored.id, "--json"]).stdout)["scores"] == []


def test_scores_command_lists_benchmarks_with_counts(runner: CliRunner) -> None:
    r = runner.invoke(app, ["scores", "--json"])
    assert r.exit_code == 0, r.output
    rows = {row["id"]: row for row in json.loads(r.stdout)}
    assert rows["swallow-ja"]["license"] == "CC-BY-4.0"
    assert rows["swallow-ja-pre"]["models"] >= 20
    table = runner.invoke(app, ["scores"])
    assert "swallow-ja-mtbench" in table.stdout
    assert "Swallow LLM team" in table.stderr


# --------------------------------------------------------------------------- recommend (core)


def test_rank_puts_scored_models_first_and_explains_each() -> None:
    models = [
        _model("old-scored", "a/1", released="2023-01-01", context_tokens=4096),
        _model("new-unscored", "a/2", released="2026-11-01", context_tokens=1_000_000),
        _model("best", "a/3", released="2025-06-01", context_tokens=32768),
    ]
    book = _book({"a/1": 0.3, "a/3": 0.6})
    recommend.BENCHMARK_FOR[recommend.Purpose.JA] = (scores.ScoreKey("b"), scores.ScoreKey("b"))
    try:
        recs = recommend.rank(
            models,
            book,
            purpose=recommend.Purpose.JA,
            status=lambda _mid: Status.YES,
            license_name=lambda _m: "MIT",
            fit=lambda m: recommend.Fit(18.0, 24.0, "inference at int4") if m.id == "best" else None,
            today=date(2026, 12, 1),
        )
    finally:
        recommend.BENCHMARK_FOR[recommend.Purpose.JA] = (scores.ScoreKey("swallow-ja"), scores.ScoreKey("swallow-ja"))
    assert [r.model.id for r in recs] == ["best", "old-scored", "new-unscored"]
    assert [r.rank for r in recs] == [1, 2, 3]
    reason = "b 0.60 (S LLM Leaderboard 2026-01), fits 24 GiB (inference at int4) with 6.0 GiB headroom"
    assert recs[0].reason == reason + ", MIT (commercial: yes)"
    assert not recs[2].scored
    assert "no b score" in recs[2].reason
    assert {c.name for c in recs[0].components} == {"benchmark", "fit", "recency", "context"}
    assert sum(c.weight for c in recs[0].components) == pytest.approx(1.0)
