"""Live Hub enrichment end to end, against a stand-in Hub on 127.0.0.1 (tests/hubserver.py)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from llmcat.cli import app
from llmcat.hubcache import HubCache

from .conftest import FIXTURES
from .hubserver import Fault, StandInHub, serve

REG = ["--registry", str(FIXTURES / "hubreg.yaml")]
FAM = ["--family", "hubfam"]


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandInHub]:
    with serve() as h:
        for repo in ("acme/alpha", "acme/beta", "acme/gamma", "solo/one"):
            h.add(repo)
        h.models["acme/beta"]["cardData"] = {"license": "apache-2.0", "base_model": "acme/alpha"}
        h.models["acme/gamma"]["cardData"] = {"license": "mit"}
        h.models["solo/one"]["downloads"] = 99_999
        h.models["solo/one"]["safetensors"] = {"parameters": {"BF16": 13_000_000_000}, "total": 13_000_000_000}
        monkeypatch.setenv("HF_ENDPOINT", h.url)
        yield h


def closed_port_url() -> str:
    """An endpoint on 127.0.0.1 where nothing listens (a port just bound and released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def invoke(runner: CliRunner, *args: str, env: dict[str, str] | None = None) -> Any:
    result = runner.invoke(app, list(args), env=env)
    assert "Traceback" not in result.output, result.output
    return result


def live_json(runner: CliRunner, *extra: str) -> tuple[Any, list[dict[str, Any]]]:
    result = invoke(runner, "list", "--live", "--json", *FAM, *REG, *extra)
    return result, json.loads(result.stdout) if result.stdout else []


def test_live_listing_adds_hub_fields_with_few_requests(runner: CliRunner, hub: StandInHub) -> None:
    result, rows = live_json(runner)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    by_id = {r["id"]: r for r in rows}
    h = by_id["solo-one"]["hub"]
    assert h["repo"] == "solo/one"
    assert h["downloads"] == 99_999
    assert h["likes"] == 10
    assert h["trending_score"] == 1
    assert h["gated"] is False
    assert h["license"] == "apache-2.0"
    assert h["params"] == 13_000_000_000
    assert h["created_at"].startswith("2024-01-02T03:04:05")
    assert h["stale"] is False
    assert h["fetched_at"].endswith("+00:00")
    assert by_id["acme-beta"]["hub"]["base_model"] == ["acme/alpha"]
    assert by_id["no-repo"]["hub"] is None
    # Three acme repos in one listing request, solo/one on its own: two requests, not four.
    assert hub.hits["/api/models"] == 1
    assert hub.hits["/api/models/solo/one"] == 1
    assert hub.requests == 2


def test_second_run_is_served_from_cache(runner: CliRunner, hub: StandInHub) -> None:
    live_json(runner)
    before = hub.requests
    result, rows = live_json(runner)
    assert result.exit_code == 0
    assert hub.requests == before
    assert all(r["hub"] is None or r["hub"]["downloads"] == (99_999 if r["id"] == "solo-one" else 1000) for r in rows)


def test_ttl_zero_refetches(runner: CliRunner, hub: StandInHub) -> None:
    live_json(runner)
    before = hub.requests
    live_json(runner, "--ttl", "0")
    assert hub.requests == before + 2


def test_offline_uses_cache_only(runner: CliRunner, hub: StandInHub) -> None:
    result, rows = live_json(runner, "--offline")
    assert result.exit_code == 0
    assert hub.requests == 0
    assert "offline: no cached Hub data for 4 repo(s)" in result.stderr
    assert all(r["hub"] is None for r in rows)
    live_json(runner)  # fill the cache
    result = invoke(runner, "list", "--live", "--json", *FAM, *REG, env={"HF_HUB_OFFLINE": "1"})
    assert result.exit_code == 0
    assert result.stderr == ""
    assert hub.requests == 2
    strict = invoke(runner, "list", "--live", "--json", "--strict", *FAM, *REG, "--offline", "--ttl", "0")
    assert strict.exit_code == 0  # stale cache in offline mode is not a failure


def test_offline_without_cache_is_exit_1_with_strict(runner: CliRunner, hub: StandInHub) -> None:
    result = invoke(runner, "list", "--live", "--json", "--strict", "--offline", *FAM, *REG)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "Error: 1 Hub problem(s) (--strict)"
    assert hub.requests == 0


@pytest.mark.parametrize(
    ("repo", "fault", "needle"),
    [
        ("solo/one", Fault("notfound"), "solo/one: not found on the Hub (or private)"),
        ("solo/one", Fault("gated"), "solo/one: gated on the Hub"),
        ("solo/one", Fault("error"), "solo/one: the Hub answered HTTP 500"),
        ("solo/one", Fault("malformed"), "solo/one: unexpected answer from the Hub"),
        ("solo/one", Fault("nototal"), "solo/one: unexpected answer from the Hub (KeyError)"),
        ("solo/one", Fault("ratelimit", retry_after="120"), "rate-limited by the Hub (HTTP 429); retry after 120 s"),
        ("acme/beta", Fault("nototal"), "acme/beta: unexpected answer from the Hub (KeyError)"),
        ("acme/beta", Fault("malformed"), "unexpected answer from the Hub"),
    ],
)
def test_faults_become_one_line_warnings(
    runner: CliRunner, hub: StandInHub, repo: str, fault: Fault, needle: str
) -> None:
    hub.faults[repo] = fault
    result, rows = live_json(runner)
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if line]
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith("Warning: ")
    assert needle in warnings[0]
    by_id = {r["id"]: r for r in rows}
    failed = next(m for m in by_id if by_id[m]["hf_repos"][:1] == [repo])
    assert by_id[failed]["hub"] is None
    # Everything else still arrived (a broken listing falls back to one request per repo).
    others = [r for r in rows if r["id"] not in {failed, "no-repo"}]
    assert all(r["hub"] is not None for r in others)
    strict = invoke(runner, "list", "--live", "--json", "--strict", "--ttl", "0", *FAM, *REG)
    assert strict.exit_code == 1


def test_retries_429_and_500_then_succeeds(runner: CliRunner, hub: StandInHub) -> None:
    hub.faults["solo/one"] = Fault("ratelimit", times=1, retry_after="0.2")
    hub.faults["acme/alpha"] = Fault("error", times=1)
    started = time.monotonic()
    result, rows = live_json(runner)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert {r["id"]: r["hub"] is not None for r in rows if r["hf_repos"]} == dict.fromkeys(
        ["acme-alpha", "acme-beta", "acme-gamma", "solo-one"], True
    )
    assert hub.hits["/api/models/solo/one"] == 2
    assert time.monotonic() - started >= 0.2  # Retry-After was honoured


def test_slow_hub_times_out(runner: CliRunner, hub: StandInHub) -> None:
    hub.faults["solo/one"] = Fault("slow", delay=3.0)
    started = time.monotonic()
    result, rows = live_json(runner, "--timeout", "0.3")
    assert time.monotonic() - started < 2.5
    assert result.exit_code == 0
    assert "solo/one: no answer from" in result.stderr
    assert next(r for r in rows if r["id"] == "solo-one")["hub"] is None


@pytest.mark.usefixtures("hub")
def test_connection_refused_uses_stale_cache(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    live_json(runner)
    url = closed_port_url()
    monkeypatch.setenv("HF_ENDPOINT", url)
    result, rows = live_json(runner, "--ttl", "0")
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert f"cannot connect to {url}" in lines[0]
    assert "using cached data for 4" in lines[0]
    solo = next(r for r in rows if r["id"] == "solo-one")["hub"]
    assert solo["stale"] is True
    assert solo["downloads"] == 99_999


def test_connection_refused_without_cache(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", closed_port_url())
    result, rows = live_json(runner)
    assert result.exit_code == 0
    assert len(result.stderr.splitlines()) == 1
    assert all(r["hub"] is None for r in rows)


def test_hostile_card_strings_print_inert(runner: CliRunner, hub: StandInHub) -> None:
    hub.models["solo/one"]["cardData"] = {"license": "other", "license_name": "[red]evil[/red]\x1b[2J\x9b31m"}
    hub.models["solo/one"]["pipeline_tag"] = "\x1b]0;title\x07[bold]x"
    table = invoke(runner, "show", "--live", *REG, "solo-one", env={"FORCE_COLOR": "1"})
    assert table.exit_code == 0
    assert "[red]evil[/red]\\x1b[2J\\x9b31m" in table.stdout
    assert "\\x1b]0;title\\x07[bold]x" in table.stdout
    for raw in ("\x1b[2J", "\x9b", "\x1b]0", "\x07"):
        assert raw not in table.stdout
    as_json = invoke(runner, "show", "--live", "--json", *REG, "solo-one")
    assert "\x1b" not in as_json.stdout
    assert "\x9b" not in as_json.stdout
    assert json.loads(as_json.stdout)["hub"]["license_name"] == "[red]evil[/red]\x1b[2J\x9b31m"


def test_token_is_sent_but_never_shown_or_cached(runner: CliRunner, hub: StandInHub, tmp_path: Path) -> None:
    secret = "hf_" + "s3cr3t" * 5
    hub.faults["solo/one"] = Fault("error")
    result = invoke(runner, "list", "--live", "--json", *FAM, *REG, env={"HF_TOKEN": secret})
    assert any(secret in a for a in hub.auth)
    assert secret not in result.stdout
    assert secret not in result.stderr
    cache_root = tmp_path / "cache"
    for p in cache_root.rglob("*"):
        if p.is_file():
            assert secret.encode() not in p.read_bytes()


def test_sort_by_downloads_puts_models_without_hub_data_last(runner: CliRunner, hub: StandInHub) -> None:
    hub.models["acme/gamma"]["downloads"] = 5
    result = invoke(runner, "list", "--live", "-q", "--sort", "downloads", "--desc", *FAM, *REG)
    assert result.exit_code == 0
    assert result.stdout.split() == ["solo-one", "acme-alpha", "acme-beta", "acme-gamma", "no-repo"]
    assert "1 model(s) have no Hub data" in result.stderr


def test_sort_by_likes_without_live_uses_cache_only(runner: CliRunner, hub: StandInHub) -> None:
    result = invoke(runner, "list", "-q", "--sort", "likes", *FAM, *REG)
    assert result.exit_code == 0
    assert hub.requests == 0
    assert "have no Hub data" in result.stderr


@pytest.mark.usefixtures("hub")
def test_table_shows_downloads(runner: CliRunner) -> None:
    result = invoke(runner, "list", "--live", *FAM, *REG)
    assert "Downloads" in result.stdout
    assert "99,999" in result.stdout


def test_drift_reports_disagreements_and_exits_1(runner: CliRunner, hub: StandInHub) -> None:
    hub.models["acme/gamma"]["cardData"] = {"license": "apache-2.0"}  # the registry says MIT
    hub.models["acme/alpha"]["safetensors"] = {"parameters": {}, "total": 8_500_000_000}  # registry: 7B
    result = invoke(runner, "hub", "drift", "--json", *REG, "hubfam")
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert {(r["id"], r["field"], r["registry"], r["hub"]) for r in rows} == {
        ("acme-gamma", "license", "mit", "apache-2.0"),
        ("acme-alpha", "params_b", "7", "8.5"),
    }
    assert "2 disagreement(s) in 4 model(s)" in result.stderr


def test_drift_ignores_a_bare_other_licence(runner: CliRunner, hub: StandInHub) -> None:
    hub.models["acme/gamma"]["cardData"] = {"license": "other"}
    result = invoke(runner, "hub", "drift", *REG, "hubfam")
    assert result.exit_code == 0, result.output
    hub.models["acme/gamma"]["cardData"] = {"license": "other", "license_name": "acme-custom"}
    result = invoke(runner, "hub", "drift", "--ttl", "0", "--json", *REG, "hubfam")
    assert result.exit_code == 1
    assert json.loads(result.stdout)[0]["hub"] == "acme-custom"


@pytest.mark.usefixtures("hub")
def test_drift_clean_exits_0(runner: CliRunner) -> None:
    result = invoke(runner, "hub", "drift", *REG, "hubfam")
    assert result.exit_code == 0, result.output
    assert "0 disagreement(s) in 4 model(s)" in result.stderr


def test_refresh_forces_a_fetch(runner: CliRunner, hub: StandInHub) -> None:
    live_json(runner)
    before = hub.requests
    result = invoke(runner, "hub", "refresh", *REG, "hubfam")
    assert result.exit_code == 0
    assert hub.requests == before + 2
    assert "Refreshed 4 of 4 repos with 2 Hub request(s)." in result.stderr


def test_corrupt_cache_file_is_ignored_and_refetched(runner: CliRunner, hub: StandInHub) -> None:
    live_json(runner)
    path = HubCache().path("solo/one")
    path.write_text('{"format": 1, "repo": "solo/one", "fetched_at": "yesterday", "facts": [')
    result, _rows = live_json(runner)
    assert result.exit_code == 0
    assert hub.hits["/api/models/solo/one"] == 2
    assert json.loads(path.read_text())["facts"]["downloads"] == 99_999


def test_foreign_cache_file_is_ignored(tmp_path: Path) -> None:
    cache = HubCache(tmp_path)
    cache.path("a/b").parent.mkdir(parents=True, exist_ok=True)
    cache.path("a/b").write_text(json.dumps({"format": 1, "repo": "c/d", "fetched_at": 1.0, "facts": {}}))
    assert cache.get("a/b") is None
    cache.path("a/b").write_bytes(b"\xff\xfe not json")
    assert cache.get("a/b") is None


def test_concurrent_writers_never_leave_a_mixed_file(tmp_path: Path) -> None:
    cache = HubCache(tmp_path)
    stop = threading.Event()
    bad: list[str] = []

    def writer(n: int) -> None:
        while not stop.is_set():
            # ~45 KB per file (only fields the cache keeps survive: see hubcache.clean_facts)
            cache.put("x/y", {"downloads": n, "base_model": [str(n) * 900] * 50})

    def reader() -> None:
        while not stop.is_set():
            got = cache.get("x/y")
            if got is not None and got.facts["base_model"] != [str(got.facts["downloads"]) * 900] * 50:
                bad.append("mixed")

    threads = [threading.Thread(target=writer, args=(n,)) for n in (1, 2)] + [threading.Thread(target=reader)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join()
    assert not bad
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.usefixtures("hub")
def test_cache_path_and_clear(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(app, ["cache", "path"]).stdout.strip() == str(tmp_path / "cache")
    live_json(runner)
    result = runner.invoke(app, ["cache", "clear"])
    assert result.exit_code == 0
    assert "Removed" in result.stderr
    assert not (tmp_path / "cache" / "hub").exists()


def test_plain_commands_never_touch_the_network(runner: CliRunner, hub: StandInHub) -> None:
    for args in (["list", *FAM, *REG], ["show", *REG, "solo-one"], ["list", "--json", *REG]):
        assert runner.invoke(app, args).exit_code == 0
    assert hub.requests == 0
