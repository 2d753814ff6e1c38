"""Filter values are checked: a value that matches nothing is a usage error with did-you-mean."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from llmcat import vocab
from llmcat.cli import app
from llmcat.errors import UsageError
from llmcat.registry import load_registry
from llmcat.units import parse_duration, parse_params, parse_tokens

REG = load_registry(use_cache=False)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--family", "vicunna"], "--family 'vicunna' matches no family in the registry. Did you mean: vicuna?"),
        (["--tag", "instrct"], "--tag 'instrct' matches no tag in the registry. Did you mean: instruct?"),
        (
            ["--license", "apache-3"],
            "--license 'apache-3' matches no licence in the registry. Did you mean: apache-2.0",
        ),
        (["--lang", "klingon"], "--lang 'klingon' matches no language in the registry"),
        (["--org", "zzzz-nobody"], "--org 'zzzz-nobody' matches no organisation in the registry"),
    ],
)
def test_a_value_that_matches_nothing_is_a_usage_error(runner: CliRunner, args: list[str], needle: str) -> None:
    for cmd in (["list", "--json"], ["why", "vicuna-13b-v1.3"]):
        res = runner.invoke(app, [*cmd, *args])
        assert res.exit_code == 2, res.output
        assert res.stdout == ""
        assert res.stderr.startswith(f"Error: {needle}")
        assert len(res.stderr.splitlines()) == 1


def ids(runner: CliRunner, *args: str) -> set[str]:
    res = runner.invoke(app, ["list", "--json", *args])
    assert res.exit_code == 0, res.output
    return {r["id"] for r in json.loads(res.stdout)}


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        (["--license", "llama-2"], ["--license", "llama2"]),
        (["--license", "Apache-2.0"], ["--license", "apache-2.0"]),
        (["--family", "Llama 3"], ["--family", "llama-3"]),
        (["--tag", "INSTRUCT"], ["--tag", "instruct"]),
        (["--lang", "japanese"], ["--lang", "ja"]),
        (["--lang", "English"], ["--lang", "en"]),
        (["--license-class", "PERMISSIVE"], ["--license-class", "permissive"]),
        (["--ja-level", "Continued"], ["--ja-level", "continued"]),
        (["--org", "META"], ["--org", "meta"]),
        (["--min-params", "7000000000"], ["--min-params", "7B"]),
        (["--max-params", "350000000"], ["--max-params", "350M"]),
    ],
)
def test_values_as_people_type_them(runner: CliRunner, typed: list[str], canonical: list[str]) -> None:
    got = ids(runner, *typed)
    assert got
    assert got == ids(runner, *canonical)


def test_language_names_map_to_codes() -> None:
    assert vocab.languages(REG, ["Japanese", "ja", "english"]) == ("ja", "en")
    with pytest.raises(UsageError, match="Did you mean"):
        vocab.languages(REG, ["japanes"])


def test_absurd_numbers_are_clean_usage_errors(runner: CliRunner) -> None:
    nines = "9" * 400
    for opt in ("--min-params", "--max-params", "--min-context"):
        res = runner.invoke(app, ["list", opt, nines])
        assert res.exit_code == 2, opt
        assert "too large" in res.stderr
        assert "Traceback" not in res.output
    for parse in (parse_params, parse_tokens, parse_duration):
        with pytest.raises(ValueError, match="too large"):
            parse(nines)


@given(st.integers(min_value=1_000_000, max_value=10**15))
def test_a_bare_size_of_a_million_or_more_is_a_count(n: int) -> None:
    assert parse_params(str(n)) == round(n / 1e9, 9)


@given(st.floats(min_value=0.001, max_value=999_999, allow_nan=False))
def test_a_small_bare_size_is_billions(b: float) -> None:
    text = f"{b:.3f}"
    assert parse_params(text) == round(float(text), 9)
