from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcat.registry import Registry, Source, load_sources

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "small.yaml"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test gets its own cache, no user registries, a fixed width and no Hub settings."""
    monkeypatch.setenv("LLMCAT_CACHE_DIR", str(tmp_path / "cache"))
    for var in (
        "LLMCAT_REGISTRY",
        "HF_ENDPOINT",
        "HF_HUB_OFFLINE",
        "HF_TOKEN",
        "NO_COLOR",
        "FORCE_COLOR",
        "LLMCAT_HUB_TIMEOUT",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def small_registry(extra: str | None = None) -> Registry:
    sources = [Source(str(SMALL), SMALL.read_bytes(), origin=str(SMALL))]
    if extra is not None:
        sources.append(Source("extra.yaml", extra.encode(), origin="extra.yaml"))
    return load_sources(sources, use_cache=False)


@pytest.fixture
def small() -> Registry:
    return small_registry()
