"""Schema v2 of the registry: organisations, several licences, sources read through copies, Japanese rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcat.cli import app
from llmcat.errors import RegistryError
from llmcat.query import Query, run
from llmcat.records import Status

from .conftest import small_registry

ORGS = """
schema_version: 1
orgs:
  - id: acme
    name: Acme Research
    domains: [acme.example, blog.example/acme]
    sources: [https://example.org/acme]
"""


def _problems(extra: str) -> str:
    with pytest.raises(RegistryError) as info:
        small_registry(extra)
    return "\n".join(str(i) for i in info.value.issues)


def _extra(body: str) -> str:
    return ORGS.rstrip("\n") + "\nmodels:\n" + body


def test_an_org_id_resolves_to_its_display_name_and_a_free_name_stays() -> None:
    reg = small_registry(
        _extra("  - {id: x1, name: X1, family: fx, org: acme, license: t-permissive, sources: [https://a.example]}\n")
    )
    x = reg.models["x1"]
    assert (x.org, x.org_id) == ("Acme Research", "acme")
    assert reg.models["tune-b"].org_id is None  # a user registry may name a publisher in free text
    assert {m.id for m in run(reg, Query(orgs=("acme",)))} == {"x1"}
    assert {m.id for m in run(reg, Query(orgs=("research",)))} == {"x1"}


def test_duplicate_org_id_is_an_error() -> None:
    text = ORGS + "  - {id: acme, name: Other, sources: [https://example.org]}\n"
    assert "orgs[1].id: duplicate organisation id 'acme'" in _problems(text)


def test_several_licences_most_restrictive_status_and_all_conditions() -> None:
    reg = small_registry(
        _extra(
            "  - {id: two, name: Two, family: fx, org: acme, license: [t-permissive, t-conditional],\n"
            "     sources: [https://a.example]}\n"
            "  - {id: kid, name: Kid, family: fx, org: Other, license: t-permissive, base_model: two,\n"
            "     sources: [https://a.example]}\n"
        )
    )
    two = reg.models["two"]
    assert two.license == "t-permissive"
    assert two.all_licenses == ("t-permissive", "t-conditional")
    c = reg.commercial("two")
    assert c.status is Status.CONDITIONAL == reg.status("two")
    assert reg.licenses["t-conditional"].conditions  # the conditions of the second licence apply too
    assert {x.license for x in c.conditions} == {lic for lic in two.all_licenses if reg.licenses[lic].conditions}
    assert reg.commercial("kid").status is Status.CONDITIONAL == reg.status("kid")
    assert {m.id for m in run(reg, Query(licenses=("t-conditional",)))} >= {"two"}


def test_unknown_second_licence_is_located() -> None:
    text = _extra(
        "  - {id: two, name: Two, family: fx, org: acme, license: [t-permissive, nope], sources: [https://a.example]}\n"
    )
    assert "models[0].license[1]: unknown licence id 'nope'" in _problems(text)


def test_a_source_read_through_a_copy() -> None:
    reg = small_registry(
        _extra(
            "  - id: cp\n    name: Cp\n    family: fx\n    org: acme\n    license: t-permissive\n    sources:\n"
            "      - https://a.example/one\n"
            "      - {url: https://huggingface.co/acme/cp/blob/main/config.json, via: https://mirror.example/acme/cp/config.json}\n"
        )
    )
    m = reg.models["cp"]
    assert m.sources == ("https://a.example/one", "https://huggingface.co/acme/cp/blob/main/config.json")
    assert m.source_copies == (
        ("https://huggingface.co/acme/cp/blob/main/config.json", "https://mirror.example/acme/cp/config.json"),
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("languages: [ja]", "japanese needs a level of support (not unset)"),
        ("languages: [ja, en], japanese: none", "japanese needs a level of support (not none)"),
        ("languages: [ja], japanese: unknown", "japanese needs a level of support (not unknown)"),
        ("japanese: multilingual", "languages must list ja"),
        ("languages: [en], japanese: continued", "languages must list ja"),
        ("base_model: tune-b, base_model_note: never released", "base_model_note is for a parent"),
    ],
)
def test_entry_rules(fields: str, message: str) -> None:
    body = f"  - {{id: jj, name: JJ, family: fx, org: acme, license: t-permissive, {fields}, sources: [https://a.example]}}\n"
    assert message in _problems(_extra(body))


@pytest.mark.parametrize(
    "fields", ["languages: [en], japanese: none", "japanese: unknown", "languages: [en, ja], japanese: finetuned", ""]
)
def test_consistent_japanese_fields_are_accepted(fields: str) -> None:
    sep = ", " if fields else ""
    body = f"  - {{id: jj, name: JJ, family: fx, org: acme, license: t-permissive{sep}{fields}, sources: [https://a.example]}}\n"
    assert "jj" in small_registry(_extra(body)).models


def test_unknown_level_is_not_japanese_support() -> None:
    reg = small_registry(
        _extra(
            "  - {id: jj, name: JJ, family: fx, org: acme, license: t-permissive, japanese: unknown, sources: [https://a.example]}\n"
        )
    )
    from llmcat.records import JapaneseLevel

    assert "jj" not in {m.id for m in run(reg, Query(japanese=JapaneseLevel.MULTILINGUAL))}
    assert "jj" not in {m.id for m in run(reg, Query(languages=("ja",)))}


def test_json_carries_org_id_licences_note_and_copies(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        _extra(
            "  - id: mine\n    name: Mine\n    family: fx\n    org: meta\n    license: [apache-2.0, llama3.1]\n"
            "    base_model_note: an internal checkpoint that was never released\n    sources:\n"
            "      - {url: https://huggingface.co/x/y, via: https://copy.example/x/y}\n"
        )
    )
    result = runner.invoke(app, ["show", "mine", "--json", "--registry", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    rec = json.loads(result.stdout)
    assert (rec["org"], rec["org_id"]) == ("Meta", "meta")
    assert rec["license"] == "apache-2.0"
    assert rec["licenses"] == ["apache-2.0", "llama3.1"]
    assert rec["commercial"] == "conditional"
    assert rec["base_model_note"].startswith("an internal checkpoint")
    assert rec["source_copies"] == [{"url": "https://huggingface.co/x/y", "via": "https://copy.example/x/y"}]


def test_stats_shows_fill_rates_in_json_and_table(runner: CliRunner) -> None:
    from tests.conftest import SMALL

    result = runner.invoke(app, ["stats", "--json", "--registry", str(SMALL)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    rates = json.loads(result.stdout)["fill rate"]
    ctx = rates["context, stated"]
    assert ctx["of"] >= 11
    assert 0 < ctx["filled"] < ctx["of"]
    assert ctx["percent"] == round(100 * ctx["filled"] / ctx["of"], 1)
    assert set(rates) == {
        "params (open-weight)",
        "params, recorded or the size in the id (open-weight)",
        "params, exact (open-weight)",
        "context, stated",
        "context (stated or from a config)",
        "released to the month",
        "released to the day",
        "japanese level (incl. none)",
        "base model (derived)",
        "architecture (open-weight, direct or inherited)",
    }
    table = runner.invoke(app, ["stats", "--registry", str(SMALL)], env={"COLUMNS": "200"}).stdout
    assert "fill rate" in table
    assert f"{ctx['percent']:.1f}" in table


def test_a_parameter_count_equal_to_the_size_in_the_name_is_not_exact() -> None:
    from llmcat.records import Model
    from llmcat.stats import exact_params

    def m(mid: str, p: float | None) -> Model:
        return Model(id=mid, name=mid, family="f", org="o", license="l", sources=(), params_b=p)

    assert exact_params(m("llama-2-7b-hf", 6.74))
    assert not exact_params(m("qwen2.5-math-7b", 7.0))  # issue 7: the count is 7.61
    assert not exact_params(m("qwen2.5-1.5B-instruct", 1.5))
    assert exact_params(m("mixtral-8x7b-v0.1", 46.7))  # no single size in the name
    assert exact_params(m("gpt-oss-20b", 20.9))
    assert not exact_params(m("no-size-7b", None))


def test_fill_rates_count_inherited_architecture_and_base_notes() -> None:
    from llmcat.stats import fill_rates

    reg = small_registry(
        _extra(
            "  - id: root\n    name: Root\n    family: fx\n    org: acme\n    license: t-permissive\n"
            "    hf_repos: [acme/root]\n    sources: [https://a.example]\n"
            "    config: {source: 'https://huggingface.co/acme/root/blob/main/config.json', layers: 2,\n"
            "             hidden_size: 64, attention_heads: 4}\n"
            "  - {id: leaf, name: Leaf, family: fx, org: acme, license: t-permissive, base_model: root, tags: [chat],\n"
            "     hf_repos: [acme/leaf], sources: [https://a.example]}\n"
            "  - id: partial\n    name: Partial\n    family: fx\n    org: acme\n    license: t-permissive\n"
            "    base_model: root\n    hf_repos: [acme/partial]\n    sources: [https://a.example]\n"
            "    config: {source: 'https://huggingface.co/acme/partial/blob/main/config.json', layers: 2}\n"
            "  - {id: orphan, name: Orphan, family: fx, org: acme, license: t-permissive, tags: [instruct],\n"
            "     base_model_note: an internal base that was never released, sources: [https://a.example]}\n"
        )
    )
    arch = fill_rates(reg)["architecture (open-weight, direct or inherited)"]
    weights = [m for m in reg.models.values() if m.hf_repos]
    assert arch.of == len(weights)
    # root directly, leaf through root; not partial: its own config (the nearest, which `fit` would use)
    # gives no hidden size or heads, so no estimate can use it
    assert arch.filled == 2
    base = fill_rates(reg)["base model (derived)"]
    kids = [m for m in reg.models.values() if {"chat", "instruct", "vision"} & set(m.tags)]
    assert base.of == len(kids)
    assert base.filled == sum(1 for m in kids if m.base_model or m.base_model_note)
    assert "orphan" in {m.id for m in kids}


def test_a_nominal_size_is_marked_in_json_and_said_in_show(runner: CliRunner, tmp_path: Path) -> None:
    """A count equal to the size in the id is the name's size, not a count: JSON says so as
    `params_nominal` and `show` says it in words; a counted size is not marked."""
    from tests.conftest import SMALL

    reg = tmp_path / "sizes.yaml"
    reg.write_text(
        "schema_version: 1\nmodels:\n"
        "  - {id: named-7b, name: Named 7B, family: fs, org: O, license: t-permissive, params_b: 7,\n"
        "     sources: [https://example.org/n]}\n"
        "  - {id: counted-7b, name: Counted 7B, family: fs, org: O, license: t-permissive, params_b: 6.74,\n"
        "     sources: [https://example.org/c]}\n"
    )
    args = ["--registry", str(SMALL), "--registry", str(reg)]
    rows = json.loads(runner.invoke(app, ["list", "--json", *args], catch_exceptions=False).stdout)
    nominal = {r["id"]: r["params_nominal"] for r in rows if r["id"] in ("named-7b", "counted-7b")}
    assert nominal == {"named-7b": True, "counted-7b": False}
    shown = runner.invoke(app, ["show", "named-7b", *args], env={"COLUMNS": "200"}).stdout
    assert "the size in its name: no exact count recorded" in shown
    assert "no exact count" not in runner.invoke(app, ["show", "counted-7b", *args], env={"COLUMNS": "200"}).stdout
