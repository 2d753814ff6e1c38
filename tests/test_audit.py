"""`llmcat audit` end to end: Hub cards from the stand-in Hub (tests/hubserver.py), local folders, the registry."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from llmcat.cache import cache_dir
from llmcat.cards import map_license, repo_id
from llmcat.cli import app
from llmcat.hubcache import HubCache

from .conftest import FIXTURES
from .hubserver import Fault, StandInHub, serve
from .test_hub import closed_port_url

REG = ["--registry", str(FIXTURES / "auditreg.yaml")]


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandInHub]:
    with serve() as h:
        # An unregistered fine-tune of a registered model, under the base's licence.
        h.card("fan/llama-ft", license="llama2", base_model="meta-test/audit-llama", language=["en", "ja"])
        # A card declaring a more permissive licence than its base.
        h.card("fan/apache-llama", license="apache-2.0", base_model="meta-test/audit-llama")
        # A two-level chain of unregistered repos.
        h.card("fan/l2", license="gemma", base_model="fan/l1")
        h.card("fan/l1", license="gemma", base_model="solo/root")
        h.card("solo/root", license="gemma")
        # A merge of two bases with different licences.
        h.card(
            "fan/merge",
            license="llama2",
            base_model=["meta-test/audit-llama", "open-lab/audit-apache"],
            base_model_relation="merge",
        )
        h.card("fan/nc-merge", license="other", license_name="llama2", base_model=["fan/llama-ft", "nc-lab/audit-nc"])
        # A missing base, a cycle, an unknown licence, a card without a licence.
        h.card("fan/orphan", license="mit", base_model="ghost/none")
        h.card("cyc/a", license="mit", base_model="cyc/b")
        h.card("cyc/b", license="mit", base_model="cyc/a")
        h.card("fan/weird", license="wtfpl")
        h.card("fan/bare")
        h.card("fan/chat-ft", license="apache-2.0", base_model="open-lab/audit-chat")
        h.card("gate/kept", license="llama2")
        h.faults["gate/kept"] = Fault("gated")
        monkeypatch.setenv("HF_ENDPOINT", h.url)
        yield h


def run(runner: CliRunner, *args: str) -> Any:
    result = runner.invoke(app, [*args, *REG])
    assert "Traceback" not in result.output, result.output
    return result


def audit_json(runner: CliRunner, target: str, *extra: str) -> dict[str, Any]:
    result = run(runner, "audit", target, "--json", *extra)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def chain(data: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [(n["model"], n["source"], n["license"]) for n in data["chain"]]


def kinds(data: dict[str, Any]) -> list[str]:
    return [f["kind"] for f in data["findings"]]


def test_unregistered_finetune_of_a_registered_model(runner: CliRunner, hub: StandInHub) -> None:
    data = audit_json(runner, "fan/llama-ft")
    assert list(data)[:6] == ["target", "declared_license", "commercial", "commercial_reason", "chain", "findings"]
    assert data["target"] == "fan/llama-ft"
    assert data["declared_license"] == "llama2"
    assert data["commercial"] == "conditional"
    assert chain(data) == [("fan/llama-ft", "hub", "llama2"), ("audit-llama", "registry", "llama2")]
    assert data["findings"] == []
    assert "user-cap" in data["condition_kinds"]
    assert data["languages"] == ["en", "ja"]
    assert data["depth"] == 1
    # The registry holds the base: its card is never asked for.
    assert hub.hits["/api/models/meta-test/audit-llama"] == 0
    assert hub.hits["/api/models/fan/llama-ft"] == 1


@pytest.mark.usefixtures("hub")
def test_declared_licence_more_permissive_than_the_base(runner: CliRunner) -> None:
    data = audit_json(runner, "fan/apache-llama")
    assert data["declared_license"] == "apache-2.0"
    assert data["commercial"] == "conditional"
    assert "Llama 2 Community License" in data["commercial_reason"]
    assert kinds(data) == ["more-permissive"]
    msg = data["findings"][0]["message"]
    assert "declares Apache License 2.0" in msg
    assert "audit-llama" in msg
    assert "user-cap" in msg


@pytest.mark.usefixtures("hub")
def test_two_level_chain_of_unregistered_repos(runner: CliRunner) -> None:
    data = audit_json(runner, "fan/l2")
    assert chain(data) == [("fan/l2", "hub", "gemma"), ("fan/l1", "hub", "gemma"), ("solo/root", "hub", "gemma")]
    assert [n["depth"] for n in data["chain"]] == [0, 1, 2]
    assert data["commercial"] == "conditional"
    assert data["findings"] == []
    assert data["depth"] == 2
    assert [s["model"] for s in data["steps"]] == ["fan/l2", "fan/l1", "solo/root"]


@pytest.mark.usefixtures("hub")
def test_merge_takes_the_most_restrictive_base(runner: CliRunner) -> None:
    data = audit_json(runner, "fan/merge")
    assert data["chain"][0]["bases"] == ["audit-llama", "audit-apache"]
    assert data["chain"][0]["relation"] == "merge"
    assert data["commercial"] == "conditional"
    assert "2 paths" in data["commercial_reason"]
    assert {"user-cap", "attribution"} <= set(data["condition_kinds"])
    # A merge with a non-commercial base (and an unregistered fine-tune on the other side) is a "no",
    # and its card's Llama 2 licence (license: other + license_name) is more permissive than that.
    nc = audit_json(runner, "fan/nc-merge")
    assert nc["license"] == "llama2"
    assert nc["declared_license"] == "other"
    assert nc["commercial"] == "no"
    assert "audit-nc" in nc["commercial_reason"]
    assert {n["model"] for n in nc["chain"]} == {"fan/nc-merge", "fan/llama-ft", "audit-llama", "audit-nc"}
    assert kinds(nc) == ["more-permissive"]
    assert {"non-commercial", "user-cap"} <= set(nc["condition_kinds"])


@pytest.mark.usefixtures("hub")
def test_missing_base_is_a_finding_and_makes_the_status_unknown(runner: CliRunner) -> None:
    data = audit_json(runner, "fan/orphan")
    assert data["commercial"] == "unknown"
    assert kinds(data) == ["unresolved-base"]
    assert "ghost/none" in data["findings"][0]["message"]
    assert "not found" in data["findings"][0]["message"]
    assert chain(data)[1] == ("ghost/none", "unresolved", None)


def test_cycle_is_a_finding_and_ends(runner: CliRunner, hub: StandInHub) -> None:
    data = audit_json(runner, "cyc/a")
    assert kinds(data) == ["cycle"]
    assert "cyc/a -> cyc/b -> cyc/a" in data["findings"][0]["message"]
    assert data["commercial"] == "yes"
    assert hub.hits["/api/models/cyc/a"] == 1


@pytest.mark.usefixtures("hub")
def test_unknown_and_missing_licences(runner: CliRunner) -> None:
    weird = audit_json(runner, "fan/weird")
    assert weird["commercial"] == "unknown"
    assert weird["license"] is None
    assert kinds(weird) == ["unknown-license"]
    assert "'wtfpl'" in weird["commercial_reason"]
    bare = audit_json(runner, "fan/bare")
    assert bare["commercial"] == "unknown"
    assert bare["declared_license"] is None
    assert kinds(bare) == ["no-license"]


def test_same_publisher_relicensing_is_not_inherited(runner: CliRunner, hub: StandInHub) -> None:
    # meta-test is the namespace of the registered Llama base (org "Meta"): its own apache-2.0 release
    # on that base supersedes the Llama 2 terms, as the registry's rule says; another publisher's does not.
    hub.card("meta-test/relicensed", license="apache-2.0", base_model="meta-test/audit-llama")
    data = audit_json(runner, "meta-test/relicensed")
    assert data["commercial"] == "yes"
    assert [s["source"] for s in data["steps"]] == ["license", "superseded"]
    assert data["findings"] == []
    assert audit_json(runner, "fan/apache-llama")["commercial"] == "conditional"


def test_relative_folder_key(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = adapter_folder(tmp_path, readme=None)
    monkeypatch.chdir(tmp_path)
    data = audit_json(runner, folder.name)
    assert data["model"] == "./my-adapter"
    assert data["target"] == "my-adapter"
    assert kinds(data) == ["no-license"]
    assert data["commercial"] == "unknown"


def test_lineage_size_is_bounded(runner: CliRunner, hub: StandInHub, monkeypatch: pytest.MonkeyPatch) -> None:
    from llmcat import auditwalk

    monkeypatch.setattr(auditwalk, "MAX_CARDS", 1)
    data = audit_json(runner, "fan/l2")
    assert kinds(data) == ["lineage-too-large"]
    assert data["commercial"] == "unknown"
    assert hub.hits["/api/models/solo/root"] == 0


def test_other_licence_without_a_name(runner: CliRunner, hub: StandInHub) -> None:
    hub.card("fan/other", license="other")
    data = audit_json(runner, "fan/other")
    assert (
        data["findings"][0]["message"]
        == "fan/other: licence 'other (no license_name)' is not in llmcat's licence table"
    )
    assert data["commercial"] == "unknown"


@pytest.mark.usefixtures("hub")
def test_caveats_of_a_registered_base_travel(runner: CliRunner) -> None:
    data = audit_json(runner, "fan/chat-ft")
    assert data["commercial"] == "yes"
    assert data["caveats"] == ["Tuned on ChatGPT outputs. (via audit-chat)"]
    assert chain(data)[1:] == [("audit-chat", "registry", "apache-2.0"), ("audit-apache", "registry", "apache-2.0")]


def test_depth_limit_is_a_finding(runner: CliRunner, hub: StandInHub) -> None:
    data = audit_json(runner, "fan/l2", "--max-depth", "1")
    assert kinds(data) == ["chain-too-deep"]
    assert data["commercial"] == "unknown"
    assert hub.hits["/api/models/solo/root"] == 0


def test_url_target_and_registry_target(runner: CliRunner, hub: StandInHub) -> None:
    data = audit_json(runner, "https://huggingface.co/fan/llama-ft/tree/main")
    assert data["target"] == "https://huggingface.co/fan/llama-ft/tree/main"
    assert data["model"] == "fan/llama-ft"
    reg = audit_json(runner, "meta-test/audit-llama")
    assert reg["kind"] == "registry"
    assert reg["model"] == "audit-llama"
    assert reg["commercial"] == "conditional"
    assert hub.requests == 1  # the registry answers for its own models


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("ghost/none", "not found on the Hub"),
        ("gate/kept", "gated"),
        ("not a target", "is not a model folder, a registry model, or a Hub repo id"),
    ],
)
@pytest.mark.usefixtures("hub")
def test_unreadable_target_exits_1_with_one_line(runner: CliRunner, target: str, message: str) -> None:
    result = run(runner, "audit", target)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert message in result.stderr


def test_unreachable_hub_exits_1(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", closed_port_url())
    result = run(runner, "audit", "fan/llama-ft", "--timeout", "2")
    assert result.exit_code == 1
    assert "cannot connect" in result.stderr
    assert result.stderr.count("\n") == 1


def test_cards_are_cached_and_offline_uses_the_cache(runner: CliRunner, hub: StandInHub) -> None:
    first = audit_json(runner, "fan/l2")
    before = hub.requests
    assert audit_json(runner, "fan/l2") == first
    assert hub.requests == before  # fresh cache: no request
    offline = audit_json(runner, "fan/l2", "--offline")
    assert offline == first
    result = run(runner, "audit", "fan/apache-llama", "--offline")
    assert result.exit_code == 1
    assert "offline" in result.stderr
    # Offline, a base missing from the cache is an unresolved base, not an error.
    hub.card("fan/unseen", license="mit")
    card = {"license": "gemma", "base_model": ["fan/l2", "fan/unseen"], "languages": [], "pipeline_tag": None}
    HubCache(cache_dir() / "hub-cards").put("fan/on-l2", card)
    data = audit_json(runner, "fan/on-l2", "--offline")
    assert kinds(data) == ["unresolved-base"]
    assert "fan/unseen" in data["findings"][0]["message"]
    assert "offline" in data["findings"][0]["message"]
    assert data["commercial"] == "unknown"
    assert hub.hits["/api/models/fan/unseen"] == 0


def test_hub_failure_falls_back_to_a_stale_cached_card(runner: CliRunner, hub: StandInHub) -> None:
    audit_json(runner, "fan/llama-ft")
    hub.faults["fan/llama-ft"] = Fault("error")
    result = run(runner, "audit", "fan/llama-ft", "--json", "--ttl", "0")
    assert result.exit_code == 0
    assert "Warning: fan/llama-ft: the Hub answered HTTP 500; using the cached card" in result.stderr
    assert json.loads(result.stdout)["commercial"] == "conditional"


def test_hostile_card_text_is_inert(runner: CliRunner, hub: StandInHub) -> None:
    hub.card("evil/card", license="other", license_name="[red]x[/red]\x1b[2J", base_model="\x1b]0;pwn\x07/x")
    result = run(runner, "audit", "evil/card")
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout
    assert "\x07" not in result.stdout
    assert "[red]x[/red]" in result.stdout
    data = audit_json(runner, "evil/card")
    assert kinds(data) == ["unknown-license", "unresolved-base"]
    raw = run(runner, "audit", "evil/card", "--json").stdout
    assert "\x1b" not in raw


@pytest.mark.usefixtures("hub")
def test_table_view_shows_chain_and_findings(runner: CliRunner) -> None:
    result = run(runner, "audit", "fan/apache-llama")
    assert result.exit_code == 0
    out = result.stdout
    assert "conditional" in out
    assert "audit-llama" in out
    assert "more-permissive" in out
    assert result.stderr == ""


# --------------------------------------------------------------------------- local folders


def adapter_folder(tmp_path: Path, *, readme: str | None, base: str = "meta-test/audit-llama") -> Path:
    folder = tmp_path / "my-adapter"
    folder.mkdir()
    (folder / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": base, "r": 8}))
    if readme is not None:
        (folder / "README.md").write_text(readme)
    return folder


def test_local_adapter_folder_is_audited_offline(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", closed_port_url())  # any Hub request would fail
    folder = adapter_folder(tmp_path, readme="---\nlicense: apache-2.0\nlanguage: [ja]\n---\n# My adapter\n")
    data = audit_json(runner, str(folder))
    assert data["kind"] == "local"
    assert data["declared_license"] == "apache-2.0"
    assert chain(data) == [(str(folder), "local", "apache-2.0"), ("audit-llama", "registry", "llama2")]
    assert data["chain"][0]["note"] == "bases from adapter_config.json"
    assert data["commercial"] == "conditional"
    assert kinds(data) == ["more-permissive"]
    assert data["languages"] == ["ja"]


def test_local_folder_bases_from_front_matter_and_config(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "ft"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: llama2\nbase_model: audit-llama\n---\n")
    assert chain(audit_json(runner, str(folder)))[1] == ("audit-llama", "registry", "llama2")
    other = tmp_path / "cfg"
    other.mkdir()
    (other / "config.json").write_text(json.dumps({"_name_or_path": "nc-lab/audit-nc"}))
    data = audit_json(runner, str(other))
    assert data["commercial"] == "no"
    assert kinds(data) == ["no-license"]
    # A checkpoint path in _name_or_path is not a base.
    third = tmp_path / "ckpt"
    third.mkdir()
    (third / "config.json").write_text(json.dumps({"_name_or_path": "/data/runs/ckpt-100"}))
    assert chain(audit_json(runner, str(third))) == [(str(third), "local", None)]


def test_local_base_folders(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = tmp_path / "llama-copy"
    base.mkdir()
    (base / "README.md").write_text("---\nlicense: llama2\nbase_model: meta-test/audit-llama\n---\n")
    folder = adapter_folder(tmp_path, readme="---\nlicense: mit\n---\n", base=str(base))
    data = audit_json(runner, str(folder))
    assert chain(data) == [
        (str(folder), "local", "mit"),
        (str(base), "local", "llama2"),
        ("audit-llama", "registry", "llama2"),
    ]
    assert data["commercial"] == "conditional"
    assert kinds(data) == ["more-permissive"]
    # Folders that point at each other: a cycle, found once, through relative paths.
    monkeypatch.chdir(tmp_path)
    for name, other in (("a", "b"), ("b", "a")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": other}))
    looped = audit_json(runner, "a")
    assert kinds(looped) == ["no-license", "no-license", "cycle"]
    assert [n["model"] for n in looped["chain"]] == ["./a", "./b"]
    (tmp_path / "x").mkdir()
    missing = audit_json(runner, str(adapter_folder(tmp_path / "x", readme=None, base=str(tmp_path / "nope"))))
    assert kinds(missing)[-1] == "unresolved-base"
    assert "not a Hub repo id, a registry model or a folder" in missing["findings"][-1]["message"]


def test_a_hub_card_never_makes_llmcat_read_a_local_folder(runner: CliRunner, hub: StandInHub, tmp_path: Path) -> None:
    base = tmp_path / "secret"
    base.mkdir()
    (base / "README.md").write_text("---\nlicense: mit\n---\n")
    hub.card("fan/local-base", license="mit", base_model=str(base))
    data = audit_json(runner, "fan/local-base")
    assert chain(data)[1] == (str(base), "unresolved", None)
    assert kinds(data) == ["unresolved-base"]


def test_bad_local_folders_exit_1(runner: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(runner, "audit", str(empty))
    assert result.exit_code == 1
    assert "not a model folder" in result.stderr
    folder = adapter_folder(tmp_path, readme="---\nlicense: [apache\n---\n")
    result = run(runner, "audit", str(folder))
    assert result.exit_code == 1
    assert f"{folder / 'README.md'}:3:1:" in result.stderr
    assert result.stderr.count("\n") == 1
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "adapter_config.json").write_text("{not json")
    result = run(runner, "audit", str(broken))
    assert result.exit_code == 1
    assert "not valid JSON" in result.stderr


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-7b-hf"),
        ("https://huggingface.co/meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-7b-hf"),
        ("https://huggingface.co/meta-llama/Llama-2-7b-hf/blob/main/README.md", "meta-llama/Llama-2-7b-hf"),
        ("hf.co/org/name", "org/name"),
        ("https://huggingface.co/datasets/org/name", None),
        ("https://huggingface.co/org", None),
        ("llama", None),
        ("a/b/c", None),
        ("../x", None),
    ],
)
def test_repo_id(text: str, expected: str | None) -> None:
    assert repo_id(text) == expected


def test_licence_id_table() -> None:
    known = {"apache-2.0", "llama2", "llama3.1", "openrail-m", "tongyi-qianwen", "gemma", "cc-by-nc-4.0"}
    assert map_license("Apache-2.0", None, known) == "apache-2.0"
    assert map_license("llama3.1", None, known) == "llama3.1"
    assert map_license("openrail", None, known) == "openrail-m"
    assert map_license("other", "tongyi-qianwen", known) == "tongyi-qianwen"
    assert map_license("other", "gemma-terms-of-use", known) == "gemma"
    assert map_license("other", None, known) is None
    assert map_license("other", "my-own", known) is None
    assert map_license("wtfpl", None, known) is None
    assert map_license(None, None, known) is None


def test_output_formats(runner: CliRunner, hub: StandInHub) -> None:
    import yaml

    result = run(runner, "audit", "fan/llama-ft", "--format", "yaml")
    assert result.exit_code == 0
    (doc,) = yaml.safe_load(result.stdout)
    assert doc["commercial"] == "conditional"
    bad = run(runner, "audit", "fan/llama-ft", "--format", "csv")
    assert bad.exit_code == 2
    assert "audit prints a table, JSON (--json) or YAML" in bad.stderr
    assert hub.hits["/api/models/fan/llama-ft"] == 1
