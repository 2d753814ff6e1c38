"""Names as people type them: case and separators, URLs, family prefixes, brands, ambiguity; whole words."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from llmcat.cli import app
from llmcat.errors import AmbiguousNameError, UnknownModelError
from llmcat.registry import load_registry
from llmcat.registry.resolve import normalise, repo_from_url

BUNDLED = load_registry(use_cache=False)


def show_json(runner: CliRunner, name: str) -> Any:
    res = runner.invoke(app, ["show", "--json", name])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("Falcon 40B", "falcon-40b"),
        ("falcon_40b", "falcon-40b"),
        ("FALCON.40B", "falcon-40b"),
        ("https://huggingface.co/Qwen/Qwen2.5-7B-Instruct", "qwen2.5-7b-instruct"),
        ("https://huggingface.co/Qwen/Qwen2.5-7B-Instruct/tree/main", "qwen2.5-7b-instruct"),
        ("huggingface.co/qwen/qwen2.5-7b-instruct/blob/main/config.json?x=1#top", "qwen2.5-7b-instruct"),
        ("https://hf.co/Qwen/Qwen2.5-7B-Instruct/", "qwen2.5-7b-instruct"),
        ("Qwen 2.5 7B Instruct", "qwen2.5-7b-instruct"),
    ],
)
def test_show_resolves_models_as_typed(runner: CliRunner, name: str, model: str) -> None:
    assert show_json(runner, name)["id"] == model


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("Llama 3", "llama-3"),
        ("llama3", "llama-3"),
        ("LLAMA-3", "llama-3"),
        ("OpenLLaMA", "open-llama"),
        ("openllama", "open-llama"),
        ("redpajama", "redpajama-incite"),
        ("japanese-gpt-neox", "rinna-japanese-gpt-neox"),
        ("vicuna", "vicuna"),
    ],
)
def test_show_resolves_families_as_typed(runner: CliRunner, name: str, family: str) -> None:
    recs = show_json(runner, name)
    assert isinstance(recs, list)
    assert {r["family"] for r in recs} == {family}
    assert {r["id"] for r in recs} == set(BUNDLED.families[family])


@pytest.mark.parametrize(
    ("brand", "some"),
    [
        ("elyza", {"elyza-japanese-llama-2", "elyza-qwen", "llama-3-elyza-jp"}),
        ("swallow", {"swallow", "swallow-ms", "llama-3-swallow", "llama-3.1-swallow"}),
        ("llama", {"llama", "llama-2", "llama-3", "llama-3.1", "llama-4"}),
    ],
)
def test_a_brand_shows_its_families_newest_first(runner: CliRunner, brand: str, some: set[str]) -> None:
    recs = show_json(runner, brand)
    families = list(dict.fromkeys(r["family"] for r in recs))
    assert some <= set(families)
    assert "code-llama" not in families  # a brand is a leading word, not any substring
    newest = [max((r["released"] or "" for r in recs if r["family"] == f), default="") for f in families]
    floors = [(d + "-01-01")[:10] if len(d) == 4 else (d + "-01")[:10] if d else "" for d in newest]
    assert floors == sorted(floors, reverse=True)
    out = runner.invoke(app, ["show", brand]).stdout
    assert out.startswith(f"{brand}: {len(families)} families")
    assert all(f"Family {f}:" in out for f in families)


def test_an_ambiguous_name_exits_1_listing_the_candidates(runner: CliRunner) -> None:
    res = runner.invoke(app, ["show", "jap"])
    assert res.exit_code == 1
    assert res.stdout == ""
    assert res.stderr.startswith("Error: 'jap' is ambiguous: it could be ")
    assert "japanese-stablelm" in res.stderr
    assert "rinna-japanese-gpt-neox" in res.stderr
    assert len(res.stderr.splitlines()) == 1


def test_decimal_points_count() -> None:
    assert normalise("OPT 1.3B") == "opt1.3b" != normalise("opt-13b")
    assert BUNDLED.resolve("OPT 1.3B").id == "opt-1.3b"  # type: ignore[union-attr]
    assert BUNDLED.resolve("opt 13b").id == "opt-13b"  # type: ignore[union-attr]


def test_unknown_still_suggests() -> None:
    with pytest.raises(UnknownModelError) as e:
        BUNDLED.resolve("vicunna-13b")
    assert e.value.suggestions
    with pytest.raises(UnknownModelError):
        BUNDLED.resolve("https://huggingface.co/nobody/nothing")
    with pytest.raises(AmbiguousNameError):
        BUNDLED.resolve("jap")


@pytest.mark.parametrize(
    ("url", "repo"),
    [
        ("https://huggingface.co/a/b", "a/b"),
        ("http://www.huggingface.co/a/b/tree/main/sub", "a/b"),
        ("https://huggingface.co/datasets/a/b", None),
        ("https://huggingface.co/a", None),
        ("https://example.org/a/b", None),
        ("a/b", None),
    ],
)
def test_repo_from_url(url: str, repo: str | None) -> None:
    assert repo_from_url(url) == repo


separators = st.sampled_from([" ", "-", "_", "  ", " - "])


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(BUNDLED.models)), separators, st.booleans())
def test_every_id_resolves_whatever_the_case_and_separators(model_id: str, sep: str, upper: bool) -> None:
    typed = model_id.replace("-", sep)
    typed = typed.upper() if upper else typed.title()
    got = BUNDLED.resolve(typed)
    assert not isinstance(got, list)
    assert got.id == model_id


def test_names_work_everywhere_a_model_is_named(runner: CliRunner) -> None:
    base = runner.invoke(app, ["list", "-q", "--base", "Llama 2 7B hf"])
    assert base.exit_code == 0, base.output
    exact = runner.invoke(app, ["list", "-q", "--base", "llama-2-7b-hf"])
    assert base.stdout == exact.stdout != ""
    why = runner.invoke(app, ["why", "https://huggingface.co/tiiuae/falcon-40b", "--commercial"])
    assert why.exit_code == 0, why.output
    assert why.stdout.startswith("falcon-40b ")
    amb = runner.invoke(app, ["list", "--base", "jap"])
    assert amb.exit_code == 1


# ---------------------------------------------------------------- list words are whole words


def list_ids(runner: CliRunner, *words: str) -> list[str]:
    res = runner.invoke(app, ["list", "-q", *words])
    assert res.exit_code == 0, res.output
    return res.stdout.split()


def test_list_words_match_whole_words(runner: CliRunner) -> None:
    llama3 = list_ids(runner, "Llama 3")
    assert llama3
    assert not [i for i in llama3 if i.startswith("codellama")]
    assert {"meta-llama-3-8b", "idefics3-8b-llama3"} <= set(llama3)
    assert "open-llama-3b" not in llama3  # 3b is a size, not Llama 3
    assert list_ids(runner, "llama3") == llama3  # a number after a name is a word of its own
    assert "open-llama-3b" in list_ids(runner, "llama", "3b")
    assert not list_ids(runner, "lam")  # a part of a word is not a word
