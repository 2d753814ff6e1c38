"""Hub commands never fake success: nothing checked is exit 1; Ctrl-C is quick; timeouts; settings scoped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcat.cli import app
from llmcat.errors import HubError
from llmcat.hub import DEFAULT_CONNECT_TIMEOUT, HubClient

from .conftest import FIXTURES
from .hubserver import Fault, StandInHub, serve
from .test_hub import closed_port_url, invoke

REG = ["--registry", str(FIXTURES / "hubreg.yaml")]
FAM = ["--family", "hubfam"]
REPOS = ("acme/alpha", "acme/beta", "acme/gamma", "solo/one")


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandInHub]:
    with serve() as h:
        for repo in REPOS:
            h.add(repo)
        h.models["acme/gamma"]["cardData"] = {"license": "mit"}
        h.models["solo/one"]["safetensors"] = {"parameters": {"BF16": 13_000_000_000}, "total": 13_000_000_000}
        monkeypatch.setenv("HF_ENDPOINT", h.url)
        yield h


@pytest.mark.parametrize("command", [["hub", "drift"], ["hub", "refresh"]])
def test_unreachable_hub_checks_nothing_and_says_so(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    url = closed_port_url()
    monkeypatch.setenv("HF_ENDPOINT", url)
    result = invoke(runner, *command, *REG, "hubfam")
    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: checked nothing: " if command[1] == "drift" else "Error: refreshed nothing: ")
    assert f"cannot connect to {url}" in line


def test_offline_without_cache_checks_nothing(runner: CliRunner, hub: StandInHub) -> None:
    result = invoke(runner, "hub", "drift", "--offline", *REG, "hubfam")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: checked nothing: offline: no cached Hub data for 4 repo(s), e.g. acme/alpha, acme/beta, acme/gamma\n"
    )
    assert hub.requests == 0
    refresh = invoke(runner, "hub", "refresh", *REG, "hubfam", env={"HF_HUB_OFFLINE": "1"})
    assert refresh.exit_code == 1
    assert refresh.stderr == "Error: refreshed nothing: offline mode is on (HF_HUB_OFFLINE)\n"


def test_nothing_to_check_is_an_error(runner: CliRunner, hub: StandInHub) -> None:
    result = invoke(runner, "hub", "drift", *REG, "no-repo")
    assert result.exit_code == 1
    assert result.stderr == "Error: nothing to check: no model named has a Hugging Face repo\n"
    assert hub.requests == 0


def test_partial_answers_still_count(runner: CliRunner, hub: StandInHub) -> None:
    hub.faults["solo/one"] = Fault("error")
    result = invoke(runner, "hub", "drift", *REG, "hubfam")
    assert result.exit_code == 0, result.output
    assert "solo/one: the Hub answered HTTP 500" in result.stderr
    assert "in 3 model(s) checked" in result.stderr
    refresh = invoke(runner, "hub", "refresh", *REG, "hubfam")
    assert refresh.exit_code == 0
    assert "Refreshed 3 of 4 repos" in refresh.stderr


def test_names_resolve_as_typed_in_hub_commands(runner: CliRunner, hub: StandInHub) -> None:
    result = invoke(runner, "hub", "drift", *REG, "https://huggingface.co/solo/one/tree/main", "Acme Alpha")
    assert result.exit_code == 0, result.output
    assert "in 2 model(s) checked" in result.stderr
    assert hub.requests == 2


def test_sort_by_hub_data_with_none_says_so_once(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", closed_port_url())
    result = invoke(runner, "list", "--live", "-q", "--sort", "downloads", *FAM, *REG)
    assert result.exit_code == 0
    notes = [line for line in result.stderr.splitlines() if "Hub data" in line]
    assert notes == ["Note: all 5 models have no Hub data: not sorted by downloads."]
    assert result.stdout.split() == ["acme-alpha", "acme-beta", "acme-gamma", "no-repo", "solo-one"]
    cached = invoke(runner, "list", "-q", "--sort", "likes", *FAM, *REG)
    assert "(use --live to fetch it)" in cached.stderr


# ---------------------------------------------------------------- settings only where they matter


@pytest.mark.parametrize("value", ["abc", "0", "nan", "9" * 400])
def test_a_bad_hub_timeout_only_matters_to_hub_commands(runner: CliRunner, hub: StandInHub, value: str) -> None:
    env = {"LLMCAT_HUB_TIMEOUT": value}
    for args in (["list", "-q"], ["show", "vicuna-13b-v1.3"], ["list", "-q", "--sort", "likes", *FAM, *REG]):
        ok = runner.invoke(app, args, env=env)
        assert ok.exit_code == 0, (args, ok.output)
    for args in (["list", "--live", "-q", *FAM, *REG], ["hub", "drift", *REG, "hubfam"]):
        bad = runner.invoke(app, args, env=env)
        assert bad.exit_code == 2, args
        assert bad.stderr.startswith("Error: LLMCAT_HUB_TIMEOUT=")
        assert len(bad.stderr.splitlines()) == 1
    assert hub.requests == 0


def test_hub_timeout_from_the_environment_is_used(runner: CliRunner, hub: StandInHub) -> None:
    hub.faults["solo/one"] = Fault("slow", delay=3.0)
    started = time.monotonic()
    result = runner.invoke(app, ["list", "--live", "-q", *FAM, *REG], env={"LLMCAT_HUB_TIMEOUT": "0.3"})
    assert time.monotonic() - started < 2.5
    assert "solo/one: no answer from" in result.stderr


# ---------------------------------------------------------------- connect timeout


def test_connect_timeout_is_separate_and_shorter() -> None:
    client = HubClient("http://127.0.0.1:9", timeout=10)
    assert client.connect_timeout == DEFAULT_CONNECT_TIMEOUT < client.timeout
    assert HubClient("http://127.0.0.1:9", timeout=1).connect_timeout == 1


def test_a_hub_that_never_accepts_gives_up_at_the_connect_timeout() -> None:
    """A listening socket whose accept queue is full: new connections hang in SYN-SENT."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    try:
        for _ in range(8):  # fill the accept queue (never accepted)
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            fillers.append(s)
        time.sleep(0.1)
        client = HubClient(f"http://127.0.0.1:{port}", timeout=20, connect_timeout=0.5, retries=0)
        started = time.monotonic()
        with pytest.raises(HubError):
            client.model("a/b")
        assert time.monotonic() - started < 5
    finally:
        for s in fillers:
            s.close()
        server.close()


# ---------------------------------------------------------------- Ctrl-C


@pytest.mark.parametrize("command", [["hub", "drift", "hubfam"], ["list", "--live", "-q", *FAM]])
def test_ctrl_c_while_waiting_on_the_hub_exits_130_at_once(tmp_path: Path, command: list[str]) -> None:
    with serve() as hub:
        for repo in REPOS:
            hub.add(repo)
            hub.faults[repo] = Fault("slow", delay=30.0)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LLMCAT_", "HF_"))}
        env.update({"LLMCAT_CACHE_DIR": str(tmp_path / "cache"), "HF_ENDPOINT": hub.url, "HF_HOME": str(tmp_path)})
        proc = subprocess.Popen(
            [sys.executable, "-m", "llmcat", *command, *REG, "--timeout", "60"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            deadline = time.monotonic() + 30
            while hub.requests < 2 and time.monotonic() < deadline:  # both requests are in flight
                time.sleep(0.05)
            assert hub.requests >= 2, "the Hub was never asked"
            time.sleep(0.2)
            sent = time.monotonic()
            proc.send_signal(signal.SIGINT)
            _out, err = proc.communicate(timeout=10)
            took = time.monotonic() - sent
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 130, err
    assert took < 1.0, took
    assert "Traceback" not in err
