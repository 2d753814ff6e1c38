"""Fuzz the loader: mutated valid registries (YAML and JSON) and arbitrary bytes never raise anything but a
RegistryError with one-line, located issues, within time and memory bounds (see tests/fuzzing.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from .fuzzing import SEED_JSON, SEED_YAML, alias_bomb, check_load, fuzz_settings, mutated


def test_the_seeds_load() -> None:
    assert check_load(SEED_YAML, "reg.yaml") is not None
    assert check_load(SEED_JSON, "reg.json") is not None


@fuzz_settings(60)
@given(mutated(SEED_YAML))
def test_mutated_yaml_registries(data: bytes) -> None:
    check_load(data, "reg.yaml")


@fuzz_settings(60)
@given(mutated(SEED_JSON))
def test_mutated_json_registries(data: bytes) -> None:
    check_load(data, "reg.json")


@fuzz_settings(40)
@given(st.binary(max_size=2000), st.sampled_from(["reg.yaml", "reg.json"]))
def test_arbitrary_bytes(data: bytes, name: str) -> None:
    check_load(data, name)


@fuzz_settings(10)
@given(st.integers(2, 30), st.integers(2, 12))
def test_alias_bombs(levels: int, width: int) -> None:
    check_load(alias_bomb(levels, width), "reg.yaml")
