"""Fuzz the cache: whatever bytes the stamps, compiled indexes and bundled parses hold, loading gives the
same registry as loading without a cache (the subprocess cases are in tests/test_cache_robust.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmcat.registry import Registry, Source, bundled_sources, load_sources

from .conftest import SMALL
from .fuzzing import CASES, fuzz_settings


def _sources() -> list[Source]:
    return [*bundled_sources(), Source(str(SMALL), None, origin=str(SMALL), path=SMALL)]


def _answer(reg: Registry) -> dict[str, tuple[str, str]]:
    return {mid: (reg.status(mid).value, reg.models[mid].name) for mid in reg.models}


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[str, str]]]:
    folder = tmp_path_factory.mktemp("warm-cache")
    reference = _answer(load_sources(_sources(), use_cache=False))
    assert _answer(load_sources(_sources(), index_dir=folder)) == reference
    return folder, reference


@fuzz_settings(15)
@given(st.data())
def test_any_cache_bytes_give_the_right_registry(
    warm: tuple[Path, dict[str, tuple[str, str]]], tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    CASES["loader"] += 1
    folder = tmp_path_factory.mktemp("cache")
    shutil.rmtree(folder)
    shutil.copytree(warm[0], folder)
    files = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    for f in data.draw(st.lists(st.sampled_from(files), min_size=1, max_size=3, unique=True)):
        blob = bytearray(f.read_bytes())
        op = data.draw(st.sampled_from(["flip", "truncate", "append", "replace", "empty"]))
        at = data.draw(st.integers(0, max(len(blob) - 1, 0)))
        if op == "flip" and blob:
            blob[at] ^= 1 << data.draw(st.integers(0, 7))
        elif op == "truncate":
            del blob[at:]
        elif op == "append":
            blob += data.draw(st.binary(min_size=1, max_size=64))
        elif op == "replace":
            blob[at : at + 16] = data.draw(st.binary(min_size=1, max_size=16))
        else:
            blob = bytearray()
        f.write_bytes(bytes(blob))
    assert _answer(load_sources(_sources(), index_dir=folder)) == warm[1]
