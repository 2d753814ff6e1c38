"""Guard rails over the bundled registry: data lint, the seed models, and tricky facts spot-checked."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable

import pytest
from typer.testing import CliRunner

from llmcat.cli import app
from llmcat.query import Query, run
from llmcat.records import JapaneseLevel, Status
from llmcat.registry import Registry, load_registry


@pytest.fixture(scope="module")
def reg() -> Registry:
    return load_registry(use_cache=False)


REPO = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def test_every_entry_has_a_source_url(reg: Registry) -> None:
    for m in reg.models.values():
        assert m.sources, m.id
        assert all(s.startswith(("https://", "http://")) for s in m.sources), m.id


def test_every_entry_names_an_organisation_of_the_table(reg: Registry) -> None:
    assert reg.orgs
    for m in reg.models.values():
        assert m.org_id in reg.orgs, f"{m.id}: org {m.org!r} is not an id of data/orgs.yaml"
        assert m.org == reg.orgs[m.org_id].name
    names = [o.name.casefold() for o in reg.orgs.values()]
    assert len(names) == len(set(names)), "two organisations share a display name"
    for o in reg.orgs.values():
        assert o.sources, o.id


# Where a source may point: the publisher's pages. The hosts every publisher uses, the home domains of
# the entry's organisation (and of its ancestors' organisations, whose facts it inherits), and a few
# publisher-neutral primary sources (licence texts, paper proceedings). Never a mirror or an aggregator.
PUBLISHER_HOSTS = {"huggingface.co", "github.com", "arxiv.org"}
PUBLISHER_SITES = (
    "aclanthology.org",
    "openreview.net",
    "proceedings.mlr.press",
    "proceedings.neurips.cc",
    "papers.nips.cc",
    "creativecommons.org",
    "opensource.org",
    "spdx.org",
    "apache.org",
    "gnu.org",
)
NEVER = re.compile(r"(^|\.)(workers\.dev|blogspot\.com|openrouter\.ai|pages\.dev|deno\.dev)$|mirror|proxy")


def _on(url: str, site: str) -> bool:
    rest = url.split("://", 1)[-1]
    host = rest.split("/", 1)[0]
    return rest.startswith(site) if "/" in site else host == site or host.endswith("." + site)


def source_problem(url: str, domains: Iterable[str]) -> str | None:
    """Why ``url`` may not be cited as a source, or None."""
    import ipaddress
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.netloc
    if parts.scheme not in ("https", "http") or not host:
        return "not an http(s) URL"
    if host != host.lower():
        return "the host must be lower-case"
    if host.endswith("."):
        return "the host has a trailing dot"
    with contextlib.suppress(ValueError):
        ipaddress.ip_address(host.split(":")[0])
        return "a raw IP address"
    if NEVER.search(host):
        return "a mirror, proxy, blog platform or aggregator"
    if host in PUBLISHER_HOSTS or any(_on(url, d) for d in (*domains, *PUBLISHER_SITES)):
        return None
    return "not the publisher's site (huggingface.co, github.com, arxiv.org or the organisation's domains)"


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://huggingface.co/Qwen/Qwen2.5-7B/blob/abc/config.json", True),
        ("https://HuggingFace.co/Qwen/Qwen2.5-7B", False),
        ("https://huggingface.co./Qwen/Qwen2.5-7B", False),
        ("http://204.152.198.140/tokyotech-llm/x", False),
        ("https://hf-mirror.492719920.workers.dev/HuggingFaceM4/idefics2-8b", False),
        ("https://tontuftechies.blogspot.com/2025/04/qwen3.html", False),
        ("https://openrouter.ai/mistralai/mistral-nemo", False),
        ("https://qwenlm.github.io/blog/qwen3/", True),  # the organisation's domain
        ("https://evil.qwenlm.github.io.example.com/", False),
        ("https://note.com/elyza/n/abc", True),  # a host/path home domain
        ("https://note.com/someone-else/n/abc", False),
    ],
)
def test_source_rule(url: str, ok: bool) -> None:
    assert (source_problem(url, ["qwenlm.github.io", "note.com/elyza"]) is None) is ok


def test_every_source_is_the_publishers_page(reg: Registry) -> None:
    bad = []
    for m in reg.models.values():
        domains = [d for a in (m, *reg.ancestors(m)) if a.org_id in reg.orgs for d in reg.orgs[a.org_id].domains]
        urls = [*m.sources, *(r.source for r in m.restrictions if r.source)]
        if m.config is not None:
            urls.append(m.config.source)
        bad += [f"{m.id}: {u}: {why}" for u in urls if (why := source_problem(u, domains))]
        if not any(u.split("/")[2] in PUBLISHER_HOSTS for u in m.sources):
            bad.append(f"{m.id}: cites no Hugging Face, GitHub or arXiv page")
        for url, via in m.source_copies:
            assert url in m.sources, m.id
            assert via != url, m.id
    assert not bad, "\n".join(bad)


HUB_PAGES = frozenset({"blog", "docs", "papers", "posts", "learn", "tasks", "models"})  # the Hub's own pages
# Hugging Face pages cited from a namespace that is not the publisher's (re-uploads, quantisations,
# strangers' copies of a card): they pass the host rule but are not the publisher's word. Each was kept
# because the fact it supports has not been re-read at the publisher yet (docs/data-notes.md); the
# number may only go down.
THIRD_PARTY_HUB_SOURCES_AT_MOST = 133


def _hub_namespace(url: str) -> str | None:
    parts = url.split("?", 1)[0].split("#", 1)[0].split("/")
    if len(parts) < 4 or parts[2] != "huggingface.co":
        return None
    rest = parts[3:]
    if rest[0] == "api" and len(rest) > 2:  # /api/models/ORG/REPO
        rest = rest[2:]
    if rest[0] in ("spaces", "datasets", "collections") and len(rest) > 1:
        return rest[1].lower()
    return None if rest[0] in HUB_PAGES or not rest[0] else rest[0].lower()


def third_party_hub_sources(reg: Registry) -> list[str]:
    out = []
    for m in reg.models.values():
        mine = {r.split("/")[0].lower() for a in (m, *reg.ancestors(m)) for r in a.hf_repos}
        org = reg.orgs.get(m.org_id) if m.org_id else None
        mine |= {ns for u in (org.sources if org else ()) if (ns := _hub_namespace(u))}
        out += [f"{m.id}: {u}" for u in m.sources if (ns := _hub_namespace(u)) is not None and ns not in mine]
    return out


def test_hub_sources_from_other_namespaces_do_not_grow(reg: Registry) -> None:
    found = third_party_hub_sources(reg)
    assert len(found) <= THIRD_PARTY_HUB_SOURCES_AT_MOST, "\n".join(found)


def test_no_model_is_released_before_its_base(reg: Registry) -> None:
    # A derived model cannot be published before the model it is built on: where both days are
    # known, the base's comes first (the same day is common: base and instruct released together).
    early = [
        f"{m.id} {m.released} < {b.id} {b.released}"
        for m in reg.models.values()
        if m.base_model is not None
        and m.base_model in reg.models
        and (b := reg.models[m.base_model]).released
        and m.released
        and len(m.released) == len(b.released) == 10
        and m.released < b.released
    ]
    assert not early, early


def test_every_entry_states_its_japanese_support(reg: Registry) -> None:
    # a level, none (the publisher's languages exclude it) or an explicit unknown; never left unset
    unset = [m.id for m in reg.models.values() if m.japanese is None]
    assert not unset, unset
    for m in reg.models.values():  # validate enforces this too; the bundled data must never need it
        assert ("ja" in m.languages) == (m.japanese is not None and m.japanese.supported), m.id


def test_japanese_inconsistencies_named_in_issue_7_are_fixed(reg: Registry) -> None:
    for mid in (
        "japanese-stable-vlm",
        "llm-jp-3-vila-14b",
        "evollm-jp-a-v1-7b",
        "japanese-large-lm-3.6b-instruction-sft",
    ):
        level = reg.models[mid].japanese
        assert level is not None
        assert level.supported, mid
    named = ["qwen3-0.6b", "qwen3-1.7b", "qwen3-4b", "qwen3-8b", "qwen3-14b", "qwen3-32b", "qwen3-30b-a3b"]
    named += ["qwen3-235b-a22b", "mistral-small-3.1-24b-base-2503", "mistral-small-3.1-24b-instruct-2503"]
    for mid in named:  # these had a level but no languages
        assert "ja" in reg.models[mid].languages, mid
    got = {m.id for m in run(reg, Query(japanese=JapaneseLevel.MULTILINGUAL))}
    assert got == {m.id for m in run(reg, Query(languages=("ja",)))}  # --ja and --lang ja agree


def test_repo_ids_are_well_formed_and_unique(reg: Registry) -> None:
    seen: dict[str, str] = {}
    for m in reg.models.values():
        for repo in m.hf_repos:
            assert REPO.match(repo), (m.id, repo)
            assert repo.lower() not in seen, (repo, m.id, seen.get(repo.lower()))
            seen[repo.lower()] = m.id


def test_lineage_resolves_without_cycles(reg: Registry) -> None:
    for m in reg.models.values():
        chain = [m, *reg.ancestors(m)]
        assert len({x.id for x in chain}) == len(chain)
        last = chain[-1]
        assert last.base_model is None, f"{m.id}: lineage ends at {last.id}, whose base {last.base_model} is missing"


def test_every_licence_is_known_and_every_licence_has_a_source(reg: Registry) -> None:
    for m in reg.models.values():
        assert m.license in reg.licenses, (m.id, m.license)
    for lic in reg.licenses.values():
        if lic.id not in ("unknown", "unverified"):  # the two "we do not know" licences cite nothing
            assert lic.sources or lic.url, lic.id


SEEDS = {
    # The 16 models of the survey the project started from (shared/seeds), by family.
    "gpt4all": "gpt4all-j",
    "vicuna": "vicuna-13b-v1.3",
    "baize": "baize-v2-7b",
    "koala": "koala-13b",
    "wizardlm": "wizardlm-13b-v1.2",
    "dolly": "dolly-v2-12b",
    "fastchat-t5": "fastchat-t5-3b-v1.0",
    "openassistant": "oasst-sft-4-pythia-12b-epoch-3.5",
    "redpajama-incite": "redpajama-incite-7b-chat",
    "openllama": "open-llama-7b",
    "falcon": "falcon-40b",
    "mpt": "mpt-7b",
    "opencalm": "open-calm-7b",
    "rinna-gpt-neox": "japanese-gpt-neox-3.6b",
    "llava": "llava-v1.5-13b",
    "minigpt-4": "minigpt-4-vicuna-13b",
}


@pytest.mark.parametrize(("family", "model_id"), sorted(SEEDS.items()))
def test_seed_models_present(reg: Registry, family: str, model_id: str) -> None:
    assert model_id in reg.models, f"seed model {family} missing"


# Issue 7's floors, checked against `llmcat stats`' fill rates and counts. Each floor is asserted; a
# floor the data does not reach yet is listed in NOT_YET_MET and skipped with the measured figure. A
# listed floor that the data reaches fails the test until it is taken off the list, so that a floor
# once met is held from then on.
FLOORS: dict[str, float] = {
    "params, exact (open-weight)": 98.0,  # percent: "params ≥ 98 % of open-weight entries, exact"
    # "context ≥ 95 %": the context llmcat answers with, stated or read from the config.json the model
    # or the base whose architecture it keeps has (the issue's inheritance of architecture numbers).
    "context (stated or from a config)": 95.0,
    "released to the month": 98.0,
    "released to the day": 85.0,
    "japanese level (incl. none)": 97.0,
    "base model (derived)": 90.0,
    "architecture (open-weight, direct or inherited)": 90.0,
    "models": 900,  # counts
    "japanese-capable": 330,
    "image input": 120,
}
NOT_YET_MET: frozenset[str] = frozenset(
    {
        "params, exact (open-weight)",
        "context (stated or from a config)",
        "released to the month",
        "released to the day",
        "japanese level (incl. none)",
        "base model (derived)",
        "architecture (open-weight, direct or inherited)",
    }
)


def _measured(reg: Registry, name: str) -> float:
    from llmcat.stats import coverage, fill_rates

    rates = fill_rates(reg)
    if name in rates:
        return rates[name].percent
    return float(coverage(reg)["totals"][name])


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_issue_7_floor(reg: Registry, name: str) -> None:
    measured = _measured(reg, name)
    met = measured >= FLOORS[name]
    if name in NOT_YET_MET:
        assert not met, f"{name} = {measured:g} now meets its floor {FLOORS[name]:g}: take it off NOT_YET_MET"
        pytest.skip(f"floor not yet met: {name} = {measured:g} (floor {FLOORS[name]:g})")
    assert met, f"{name} = {measured:g}, below the floor {FLOORS[name]:g}"


def test_coverage_floor(reg: Registry) -> None:
    models = list(reg.models.values())
    assert len(models) >= 300
    assert len({m.family for m in models}) >= 80
    ja = [m for m in models if m.japanese is not None and m.japanese.supported]
    assert len(ja) >= 100
    assert sum("image" in m.modalities for m in models) >= 30


# Spot checks of tricky facts. Each comment says why the answer is what it is.
SPOT = [
    # The v1.3 cards say "License: Non-commercial license" (LLaMA-based, ShareGPT data).
    ("vicuna-13b-v1.3", Status.NO),
    # v1.5 is fine-tuned from Llama 2; the cards now say "Llama 2 Community License Agreement".
    ("vicuna-13b-v1.5", Status.CONDITIONAL),
    # Llama 2: commercial use allowed, with the 700M monthly-active-user cap and the AUP.
    ("llama-2-7b-hf", Status.CONDITIONAL),
    # Falcon-40B moved from the royalty-bearing TII licence to Apache-2.0 (May/June 2023).
    ("falcon-40b", Status.YES),
    # OpenCALM is CC BY-SA 4.0: commercial use allowed, adaptations share-alike.
    ("open-calm-7b", Status.YES),
    # rinna's instruction-tuned Japanese GPT-NeoX is MIT, on an MIT base.
    ("japanese-gpt-neox-3.6b-instruction-sft", Status.YES),
    # MPT-7B is Apache-2.0 but MPT-7B-Chat is CC BY-NC-SA 4.0.
    ("mpt-7b", Status.YES),
    ("mpt-7b-chat", Status.NO),
    # Qwen2.5: 3B is under the Qwen Research licence, 72B the Qwen licence, 7B Apache-2.0.
    ("qwen2.5-3b", Status.NO),
    ("qwen2.5-72b", Status.CONDITIONAL),
    ("qwen2.5-7b", Status.YES),
    # FastChat-T5 and GPT4All-J were tuned on ChatGPT outputs but released as Apache-2.0: yes, with a caveat.
    ("fastchat-t5-3b-v1.0", Status.YES),
    ("gpt4all-j", Status.YES),
    # Koala's weights are for academic research only; Alpaca's authors forbid commercial use.
    ("koala-13b", Status.NO),
    ("alpaca-7b-wdiff", Status.NO),
    # DeepSeek-R1 is MIT; DeepSeek relicensed its own DeepSeek-V3-Base work, so it is not inherited.
    ("deepseek-r1", Status.YES),
    # LLaVA inherits its base's terms: the first LLaVA deltas sit on LLaMA (non-commercial), LLaVA-1.5
    # on Vicuna v1.5 and so on Llama 2 (conditional).
    ("llava-13b-delta-v0", Status.NO),
    ("llava-v1.5-13b", Status.CONDITIONAL),
    # MiniGPT-4 (Vicuna v0, i.e. LLaMA deltas): not for commercial use through its base.
    ("minigpt-4-vicuna-13b", Status.NO),
]


@pytest.mark.parametrize(("model_id", "status"), SPOT)
def test_spot_checked_statuses(reg: Registry, model_id: str, status: Status) -> None:
    assert reg.commercial(model_id).status is status, reg.commercial(model_id).reason


def test_vicuna_v13_explains_why(reg: Registry) -> None:
    c = reg.commercial("vicuna-13b-v1.3")
    assert "does not allow commercial use" in c.reason
    assert any(s.model == "llama-13b" and s.status is Status.NO for s in c.chain)


def test_llama2_conditions_include_the_user_cap(reg: Registry) -> None:
    assert any("700 million" in c.text for c in reg.commercial("llama-2-7b-hf").conditions)


@pytest.mark.parametrize(
    "model_id",
    [
        "llama-3.1-swallow-8b-instruct-v0.1",
        "llama-3.1-swallow-70b-instruct-v0.1",
        "llama-3.1-swallow-8b-instruct-v0.2",
        "llama-3.1-swallow-8b-instruct-v0.3",
        "llama-3.1-swallow-70b-instruct-v0.3",
    ],
)
def test_llama31_swallow_instruct_carries_both_licences(reg: Registry, model_id: str) -> None:
    # The instruct models were tuned on Gemma-generated data: the repos carry both licence tags and the
    # Swallow team confirms the Gemma terms apply (discussion #1 on Llama-3.1-Swallow-70B-Instruct-v0.1).
    m = reg.models[model_id]
    assert m.all_licenses == ("llama3.1", "gemma")
    kinds = {c.license for c in reg.commercial(model_id).conditions}
    assert {"llama3.1", "gemma"} <= kinds
    assert any("700 million" in c.text for c in reg.commercial(model_id).conditions)


def test_bases_named_wrong_in_issue_7_are_fixed(reg: Registry) -> None:
    # The PPO model's card: "The model is based on rinna/bilingual-gpt-neox-4b-instruction-sft".
    assert reg.models["bilingual-gpt-neox-4b-instruction-ppo"].base_model == "bilingual-gpt-neox-4b-instruction-sft"
    # Qwen-VL-Chat's card: "在 Qwen-VL 的基础上，我们使用对齐机制打造了 ... Qwen-VL-Chat" (built on Qwen-VL).
    assert reg.models["qwen-vl-chat"].base_model == "qwen-vl"
    # Qwen's docs (concepts.md): the base models are the names without "-Instruct"; the -Instruct
    # models are those base models with further post-training.
    for size in ("1.5b", "14b", "32b"):
        assert reg.models[f"qwen2.5-{size}-instruct"].base_model == f"qwen2.5-{size}"
    # The Swallow team's history for 2024-12-23: v0.2 and v0.3 Instruct "share the same base model,
    # Llama 3.1 Swallow 8B v0.2".
    assert reg.models["llama-3.1-swallow-8b-instruct-v0.3"].base_model == "llama-3.1-swallow-8b-v0.2"


def test_provenance_caveats_shown_beside_yes(reg: Registry) -> None:
    assert reg.commercial("fastchat-t5-3b-v1.0").caveats
    assert reg.commercial("gpt4all-j").caveats


def test_commercial_japanese_lists_opencalm_not_llama_finetunes(reg: Registry) -> None:
    got = run(reg, Query(commercial=True, japanese=JapaneseLevel.MULTILINGUAL))
    ids = {m.id for m in got}
    assert "open-calm-7b" in ids
    llama1 = {m.id for m in reg.models.values() if m.family == "llama"}
    for m in got:
        assert not {a.id for a in reg.ancestors(m)} & llama1, m.id


def test_show_vicuna_family_explains_v13(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "vicuna"], env={"COLUMNS": "400"}, catch_exceptions=False)
    assert result.exit_code == 0
    line = next(x for x in result.stdout.splitlines() if x.startswith("vicuna-13b-v1.3 ") and "—" in x)
    assert "no — its own licence does not allow commercial use" in line
    assert "base model LLaMA 13B (llama-13b)" in line
