"""Size filters: exact counts in the registry, nominal sizes on the command line (README, "Sizes")."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from llmcat.cli import app
from llmcat.units import SIZE_TOLERANCE, is_nominal_size, parse_params, size_ceiling, size_floor


@pytest.mark.parametrize("text", ["7B", "70b", "235B", "1.5B", "0.5B", "350M", "125M", "13", "1T", "2.7B"])
def test_round_sizes_are_nominal(text: str) -> None:
    assert is_nominal_size(parse_params(text))


@pytest.mark.parametrize("text", ["6.74B", "7.61B", "1.54B", "0.4941B", "13.7B", "3.82b"])
def test_precise_sizes_are_exact(text: str) -> None:
    b = parse_params(text)
    assert not is_nominal_size(b)
    assert size_floor(b) == b == size_ceiling(b)


def test_seven_b_means_the_seven_b_class() -> None:
    assert size_floor(7) == pytest.approx(6.3)
    assert size_ceiling(7) == pytest.approx(7.7)


nominal = st.one_of(
    st.integers(min_value=1, max_value=2000).map(float),  # whole billions
    st.integers(min_value=1, max_value=99).map(lambda n: n / 10),  # 0.1 .. 9.9
    st.integers(min_value=1, max_value=999).map(lambda n: round(n / 1000, 9)),  # 1M .. 999M
)
counts = st.floats(min_value=0.001, max_value=3000, allow_nan=False)


@settings(max_examples=500)
@given(nominal, counts)
def test_a_nominal_bound_keeps_its_class_and_nothing_far_from_it(bound: float, count: float) -> None:
    assert is_nominal_size(bound)
    if abs(count - bound) <= bound * SIZE_TOLERANCE * 0.999:  # within the class: kept by both bounds
        assert size_floor(bound) <= count <= size_ceiling(bound)
    if count < bound * (1 - SIZE_TOLERANCE) * 0.999:
        assert count < size_floor(bound)  # --min-params drops it
    if count > bound * (1 + SIZE_TOLERANCE) * 1.001:
        assert count > size_ceiling(bound)  # --max-params drops it


@settings(max_examples=300)
@given(nominal | counts)
def test_a_bound_always_keeps_a_model_of_exactly_that_size(bound: float) -> None:
    assert size_floor(bound) <= bound <= size_ceiling(bound)


@settings(max_examples=300)
@given(counts, counts)
def test_exact_bounds_are_strict(bound: float, count: float) -> None:
    assume(not is_nominal_size(bound))
    assert (count >= size_floor(bound)) == (count >= bound)
    assert (count <= size_ceiling(bound)) == (count <= bound)


@settings(max_examples=300)
@given(nominal, nominal)
def test_floors_and_ceilings_are_monotonic(a: float, b: float) -> None:
    if a <= b:
        assert size_floor(a) <= size_floor(b)
        assert size_ceiling(a) <= size_ceiling(b)


REG = """schema_version: 1
licenses:
  - {id: lic, name: Lic, class: permissive, url: https://example.org/lic}
models:
""" + "".join(
    f"  - {{id: m-{n}, name: M {n}, family: f, org: o, license: lic, params_b: {n}, sources: [https://example.org]}}\n"
    for n in (6.06, 6.74, 7.24, 7.61, 8.03, 13.0)
)


@pytest.mark.parametrize(
    ("args", "kept"),
    [
        (["--min-params", "7B"], {"m-6.74", "m-7.24", "m-7.61", "m-8.03", "m-13.0"}),
        (["--max-params", "7B"], {"m-6.06", "m-6.74", "m-7.24", "m-7.61"}),
        (["--min-params", "7B", "--max-params", "7B"], {"m-6.74", "m-7.24", "m-7.61"}),
        (["--min-params", "7.5B"], {"m-7.24", "m-7.61", "m-8.03", "m-13.0"}),  # two significant digits: 6.75B and up
        (["--min-params", "7.24B"], {"m-7.24", "m-7.61", "m-8.03", "m-13.0"}),  # exact
        (["--max-params", "7.24B"], {"m-6.06", "m-6.74", "m-7.24"}),  # exact
    ],
)
def test_size_filters_through_the_cli(runner: CliRunner, tmp_path: Path, args: list[str], kept: set[str]) -> None:
    path = tmp_path / "sizes.yaml"
    path.write_text(REG)
    result = runner.invoke(app, ["list", "-q", "--registry", str(path), "f", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    got = {line for line in result.stdout.split() if line.startswith("m-")}
    assert got == kept
