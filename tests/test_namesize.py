"""The size in a model's id: what people mean by its size when the registry records no count."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from llmcat.cli import app
from llmcat.namesize import name_size, nominal_params, params_of


@pytest.mark.parametrize(
    ("model_id", "size"),
    [
        ("llama-3.1-swallow-8b-v0.5", 8.0),
        ("Qwen2.5-1.5B-Instruct", 1.5),
        ("qwen3-swallow-30b-a3b-cpt-v0.2", 30.0),  # a3b: the active parameters, not the size
        ("gemma-4-26b-a4b-it", 26.0),
        ("blip2-opt-2.7b", 2.7),
        ("mixtral-8x7b-instruct-v0.1", None),  # eight experts of 7B: not a 7B model
        ("qwen1.5-moe-a2.7b", None),  # the ".7b" of "a2.7b" is not a size
        ("llama-2-70b-chat-4bit-japanese", 70.0),  # "4bit" is not a size
        ("x-7b-13b", None),  # two sizes: which one?
        ("x-7b-merge-7b", 7.0),
        ("deepseek-v2-lite", None),
        ("model-0b", None),
        ("model-1000000b", 1_000_000.0),
        ("model-1000001b", None),  # beyond the bound a recorded count has: not a size
        ("x-" + "9" * 115 + "b", None),
    ],
)
def test_the_size_in_an_id(model_id: str, size: float | None) -> None:
    assert name_size(model_id) == size


@given(st.text(max_size=80))
def test_name_size_never_fails(text: str) -> None:
    size = name_size(text)
    assert size is None or size > 0


@given(st.decimals(min_value="0.1", max_value="9999", places=1), st.sampled_from(["", "-chat", "_Instruct", "-v0.1"]))
def test_a_size_written_after_a_name_is_read_back(size: object, tail: str) -> None:
    assert name_size(f"model-{size}b{tail}") == float(str(size))


def test_a_recorded_count_comes_first_and_the_name_only_stands_in_as_nominal() -> None:
    assert params_of("llama-2-7b-hf", 6.74) == 6.74
    assert not nominal_params("llama-2-7b-hf", 6.74)
    assert params_of("llama-2-7b-hf", None) == 7.0
    assert nominal_params("llama-2-7b-hf", None)  # only the size in its name
    assert nominal_params("llama-2-7b-hf", 7.0)
    assert params_of("deepseek-v2-lite", None) is None
    assert not nominal_params("deepseek-v2-lite", None)


REGISTRY = """schema_version: 1
models:
  - {id: nocount-8b-chat, name: NoCount 8B Chat, family: nc, org: Acme, license: mit, sources: [https://a.example]}
  - {id: nocount-lite, name: NoCount Lite, family: nc, org: Acme, license: mit, sources: [https://a.example]}
  - {id: counted-8b, name: Counted 8B, family: nc, org: Acme, license: mit, params_b: 8.03,
     sources: [https://a.example]}
"""


def _reg(tmp_path: Path) -> str:
    path = tmp_path / "sizes.yaml"
    path.write_text(REGISTRY, encoding="utf-8")
    return str(path)


def test_size_filters_judge_a_model_by_the_size_in_its_id(runner: CliRunner, tmp_path: Path) -> None:
    reg = _reg(tmp_path)
    both = runner.invoke(app, ["list", "--family", "nc", "--min-params", "7B", "--ids", "-r", reg])
    assert both.exit_code == 0, both.stderr
    assert set(both.stdout.split()) == {"nocount-8b-chat", "counted-8b"}
    assert "1 model left out: parameter count unknown" in both.stderr  # nocount-lite: nothing to go by


def test_json_show_why_and_fit_say_the_size_is_only_the_name(runner: CliRunner, tmp_path: Path) -> None:
    reg = _reg(tmp_path)
    rows = {r["id"]: r for r in json.loads(runner.invoke(app, ["list", "--family", "nc", "--json", "-r", reg]).stdout)}
    assert (rows["nocount-8b-chat"]["params_b"], rows["nocount-8b-chat"]["params_nominal"]) == (8.0, True)
    assert (rows["counted-8b"]["params_b"], rows["counted-8b"]["params_nominal"]) == (8.03, False)
    assert (rows["nocount-lite"]["params_b"], rows["nocount-lite"]["params_nominal"]) == (None, False)
    shown = runner.invoke(app, ["show", "nocount-8b-chat", "-r", reg], env={"COLUMNS": "200"}).stdout
    assert "8B (the size in its name: no exact count recorded)" in shown
    why = runner.invoke(app, ["why", "nocount-8b-chat", "--max-params", "3B", "-r", reg]).stdout
    assert "parameter count 8B (the size in its name; no count recorded)" in why
    fit = json.loads(runner.invoke(app, ["fit", "nocount-8b-chat", "--json", "-r", reg]).stdout)
    assert fit["estimated"] is True
    assert any("the size in its name (8B)" in a for a in fit["basis"]["assumptions"])
    nothing = runner.invoke(app, ["fit", "nocount-lite", "-r", reg])
    assert nothing.exit_code == 1


def test_the_bound_on_a_size_in_an_id_is_the_registrys_bound_on_a_count() -> None:
    from pydantic import TypeAdapter, ValidationError

    from llmcat.namesize import MAX_BILLIONS
    from llmcat.schema import Billions

    check = TypeAdapter(Billions)
    assert check.validate_python(MAX_BILLIONS) == MAX_BILLIONS
    with pytest.raises(ValidationError):
        check.validate_python(MAX_BILLIONS * 1.000001)
