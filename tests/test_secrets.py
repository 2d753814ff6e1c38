"""HF_TOKEN never leaks: with a canary token set, no output, error, log or cache file contains it, for every
command, including Hub commands against the stand-in Hub (tests/hubserver.py) when it fails, and when it
echoes the credentials it received back in its error messages."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcat.cli import app

from .conftest import FIXTURES, SMALL
from .hubserver import Fault, StandInHub, serve

CANARY = "hf_CANARYtoken1234567890abcdefXYZ"
REG = ["--registry", str(FIXTURES / "hubreg.yaml")]

COMMANDS = [
    ["--version"],
    ["--help"],
    ["list"],
    ["list", "--json", "--live", *REG],
    ["list", "--live", "--sort", "downloads", "--desc", *REG],
    ["list", "--live", "--format", "csv", *REG],
    ["show", "alpha-7b", "--live", *REG],
    ["show", "alpha-7b", "--live", "--json", *REG],
    ["show", "nope-nope", *REG],
    ["licenses"],
    ["stats", "--json"],
    ["validate", str(SMALL)],
    ["validate", "/nonexistent.yaml"],
    ["hub", "refresh", *REG, "hubfam"],
    ["hub", "drift", *REG],
    ["hub", "drift", "--json", "--strict", *REG],
    ["list", "--live", "--offline", *REG],
    ["list", "--bogus"],
    ["cache", "path"],
    ["cache", "clear"],
]


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandInHub]:
    with serve() as h:
        for repo in ("acme/alpha", "acme/beta", "acme/gamma", "solo/one"):
            h.add(repo)
        monkeypatch.setenv("HF_ENDPOINT", h.url)
        monkeypatch.setenv("HF_TOKEN", CANARY)
        yield h


def _files_containing(folder: Path, needle: bytes) -> list[str]:
    found = []
    for root, _, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            if path.is_file() and needle in path.read_bytes():
                found.append(str(path))
    return found


@pytest.mark.parametrize("faults", ["none", "failing", "echoing"])
def test_the_token_never_leaks(runner: CliRunner, hub: StandInHub, tmp_path: Path, faults: str) -> None:
    if faults == "failing":
        hub.faults.update({r: Fault("error") for r in hub.models} | {"solo/one": Fault("ratelimit")})
    elif faults == "echoing":
        hub.faults.update({r: Fault("echo") for r in hub.models})
    # With a failing Hub each command waits out its retries: the Hub commands are enough there.
    for args in COMMANDS if faults == "none" else [COMMANDS[3], COMMANDS[14]]:
        result = runner.invoke(app, args)
        assert result.exit_code in {0, 1, 2}, (args, result.output)
        assert CANARY not in result.stdout, args
        assert CANARY not in result.stderr, (args, result.stderr)
    assert hub.auth, "the token was sent to the Hub (so the test could have seen it leak)"
    assert all(CANARY in a for a in hub.auth)
    assert _files_containing(tmp_path, CANARY.encode()) == []
