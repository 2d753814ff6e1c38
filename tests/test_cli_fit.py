"""`llmcat fit`, `list --fits`, `compare` and `tree` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcat.cli import app

from .conftest import FIXTURES, SMALL
from .hubserver import serve

ARCH = str(Path(__file__).parent / "fixtures" / "arch.yaml")
ESTIMATE_KEYS = [
    "mode",
    "quant",
    "context",
    "batch",
    "weights_gib",
    "kv_cache_gib",
    "activations_gib",
    "optimizer_gib",
    "overhead_gib",
    "total_gib",
]


def ok(runner: CliRunner, *args: str) -> tuple[str, str]:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout, result.stderr


def fails(runner: CliRunner, code: int, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result.stderr


# ----------------------------------------------------------------- fit


def test_fit_json_contract(runner: CliRunner) -> None:
    out, err = ok(runner, "fit", "llama-3.1-8b-instruct", "-r", ARCH, "--mode", "qlora", "--json")
    rec = json.loads(out)
    assert list(rec)[:2] == ["id", "params_b"]
    assert rec["id"] == "llama-3.1-8b-instruct"
    assert rec["params_b"] == 8.03
    assert rec["basis"]["kind"] == "inherited"
    assert rec["basis"]["config_from"] == "llama-3.1-8b"
    assert rec["basis"]["kv_heads"] == 8
    assert rec["basis"]["source"].startswith("https://")
    assert [list(e) for e in rec["estimates"]] == [ESTIMATE_KEYS]
    e = rec["estimates"][0]
    assert (e["mode"], e["quant"], e["context"], e["batch"]) == ("qlora", "nf4", 2048, 1)
    assert rec["assumptions"]
    assert err == ""


def test_fit_without_mode_or_quant_prints_the_common_configurations(runner: CliRunner) -> None:
    rec = json.loads(ok(runner, "fit", "llama-3.1-8b", "-r", ARCH, "--json")[0])
    pairs = [(e["mode"], e["quant"]) for e in rec["estimates"]]
    assert ("inference", "bf16") in pairs
    assert ("inference", "q4_k_m") in pairs
    assert ("qlora", "nf4") in pairs
    assert ("full", "bf16") in pairs
    assert ("lora", "bf16") in pairs
    table, _ = ok(runner, "fit", "llama-3.1-8b", "-r", ARCH)
    assert "Total GiB" in table
    assert "q4_k_m" in table
    assert "Assumptions" in table
    assert "overhead" in table
    assert "NbAiLab" in table


def test_fit_a_size_alone_states_its_assumptions(runner: CliRunner) -> None:
    rec = json.loads(ok(runner, "fit", "70B", "--json", "--quant", "q4_k_m")[0])
    assert rec["id"] == "70B"
    assert rec["params_b"] == 70
    assert rec["estimated"] is True
    assert rec["basis"]["kind"] == "generic"
    assert any("8 KV heads" in a for a in rec["assumptions"])
    table, _ = ok(runner, "fit", "70B")
    assert "generic dense model" in table


def test_fit_marks_a_model_without_config_estimated(runner: CliRunner) -> None:
    rec = json.loads(ok(runner, "fit", "size-only-13b", "-r", ARCH, "--json")[0])
    assert rec["estimated"] is True
    assert rec["basis"]["kind"] == "estimated"
    assert "estimated" in ok(runner, "fit", "size-only-13b", "-r", ARCH)[0]


def test_fit_options_read_gb_g_and_gib_alike(runner: CliRunner) -> None:
    outs = {
        ok(runner, "fit", "llama-3.1-8b", "-r", ARCH, "--quant", "q4_k_m", "--vram", v, "--json")[0]
        for v in ("24GB", "24G", "24GiB", "24")
    }
    assert len(outs) == 1
    rec = json.loads(outs.pop())
    assert rec["vram_gib"] == 24
    assert rec["estimates"][0]["fits"] is True
    gpu = json.loads(
        ok(runner, "fit", "llama-3.1-8b", "-r", ARCH, "--quant", "q4_k_m", "--gpu", "rtx-4090", "--json")[0]
    )
    assert gpu == rec


def test_fit_vram_lists_what_fits_most_headroom_first(runner: CliRunner) -> None:
    out, err = ok(runner, "fit", "--vram", "24GB", "-r", ARCH, "--json")
    rows = json.loads(out)
    heads = [r["fit"]["headroom_gib"] for r in rows]
    assert heads == sorted(heads, reverse=True)
    assert all(h >= 0 for h in heads)
    ids = [r["id"] for r in rows]
    assert "llama-3.1-8b" in ids
    assert "llama-3.1-70b" not in ids
    assert "Note:" in err
    assert "no parameter count" in err
    table, _ = ok(runner, "fit", "--gpu", "a100-80g", "-r", ARCH, "-n", "3")
    assert "Headroom of 80" in table


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["fit"], 2, "name a model"),
        (["fit", "llama-3.1-8b", "--vram", "24XB"], 2, "not an amount of memory"),
        (["fit", "llama-3.1-8b", "--gpu", "rtx-9999"], 2, "unknown GPU"),
        (["fit", "llama-3.1-8b", "--quant", "q1_x"], 2, "unknown quantisation"),
        (["fit", "llama-3.1-8b", "--mode", "full", "--quant", "q4_k_m"], 2, "full runs on bf16"),
        (["fit", "llama-3.1-8b", "--vram", "24GB", "--gpu", "h100"], 2, "not both"),
        (["fit", "lama-3.1-8b"], 1, "Did you mean"),
        (["fit", "no-size-model", "-r", ARCH], 1, "nothing to estimate"),
        (["fit", "llama-3.1", "-r", ARCH], 1, "is a family"),
        (["fit", "0B"], 1, "unknown model"),
        # a number too large to mean anything (found by the fuzzer: a 30-digit batch crashed the JSON)
        (["fit", "llama-3.1-8b", "--batch", "9" * 30, "--json"], 2, "--batch"),
        (["fit", "llama-3.1-8b", "--batch", str((1 << 20) + 1)], 2, "--batch"),
        (["fit", "llama-3.1-8b", "--lora-rank", "65537"], 2, "--lora-rank"),
    ],
)
def test_fit_errors_are_one_line(runner: CliRunner, args: list[str], code: int, message: str) -> None:
    err = fails(runner, code, *args)
    assert message in err


# ----------------------------------------------------------------- list --fits


def test_list_fits_rows_carry_the_estimate(runner: CliRunner) -> None:
    out, err = ok(runner, "list", "--fits", "24GB", "-r", ARCH, "--json")
    rows = json.loads(out)
    assert rows
    assert all(r["fit"]["total_gib"] <= 24 for r in rows)
    by_id = {r["id"]: r for r in rows}
    f = by_id["llama-3.1-8b"]["fit"]
    assert f["basis"] == "config"
    assert f["mode"] == "inference"
    assert f["quant"] == "bf16"
    assert f["vram_gib"] == 24
    assert f["headroom_gib"] == pytest.approx(24 - f["total_gib"], abs=0.002)
    assert by_id["llama-3.1-8b-instruct"]["fit"]["basis"] == "inherited"
    assert "models left out: memory estimate unknown (--include-unknown keeps them)" in err  # models without a size


def test_list_fits_composes_with_other_filters(runner: CliRunner) -> None:
    both = {r["id"] for r in json.loads(ok(runner, "list", "--commercial", "--ja", "--fits", "16GB", "--json")[0])}
    commercial_ja = {r["id"] for r in json.loads(ok(runner, "list", "--commercial", "--ja", "--json")[0])}
    fits = {r["id"] for r in json.loads(ok(runner, "list", "--fits", "16GB", "--json")[0])}
    assert both
    assert both == commercial_ja & fits


def test_list_fits_modes_and_quant(runner: CliRunner) -> None:
    def ids(*extra: str) -> set[str]:
        return {r["id"] for r in json.loads(ok(runner, "list", "-r", ARCH, "--json", *extra)[0])}

    inference = ids("--fits", "48GB")
    q4 = ids("--fits", "48GB", "--quant", "q4_k_m")
    qlora = ids("--fits", "48GB", "--fit-mode", "qlora", "--context", "512")
    full = ids("--fits", "48GB", "--fit-mode", "full")
    assert inference < q4
    assert "llama-65b" in qlora
    assert "llama-65b" not in full
    assert "llama-3.1-70b" in q4
    assert "llama-3.1-70b" not in inference
    assert ids("--fits", "rtx-4090") == ids("--fits", "24GB")


def test_list_fits_counts_unknowns_on_stderr(runner: CliRunner) -> None:
    result = runner.invoke(app, ["list", "--fits", "1000GB", "mystery", "-r", ARCH, "--json"], catch_exceptions=False)
    assert [r["id"] for r in json.loads(result.stdout)] == ["size-only-13b"]
    assert "note: 1 model left out: memory estimate unknown (--include-unknown keeps them)" in result.stderr


def test_list_fits_bad_values(runner: CliRunner) -> None:
    assert "full runs on bf16" in fails(runner, 2, "list", "--fits", "24GB", "--fit-mode", "full", "--quant", "awq")
    assert "not an amount of memory" in fails(runner, 2, "list", "--fits", "lots")


# ----------------------------------------------------------------- compare


def test_compare_json_lists_models_and_differences(runner: CliRunner) -> None:
    out, _ = ok(runner, "compare", "llama-3.1-8b", "llama-3.1-8b-instruct", "mistral-7b-v0.1", "-r", ARCH, "--json")
    rec = json.loads(out)
    assert [m["id"] for m in rec["models"]] == ["llama-3.1-8b", "llama-3.1-8b-instruct", "mistral-7b-v0.1"]
    assert {"license", "commercial", "base_model", "memory_inference_bf16_gib"} <= set(rec["differs"])
    assert "image_input" not in rec["differs"]
    assert "id" not in rec["differs"]
    keys = set(rec["models"][0])
    assert {"japanese", "image_input", "params_b", "context_tokens", "released", "memory_qlora_gib"} <= keys
    assert {"hub_downloads", "hub_likes"} <= keys


def test_compare_table_marks_differing_rows(runner: CliRunner) -> None:
    out, _ = ok(runner, "compare", "base-a", "tune-b", "-r", str(SMALL))
    lines = {line.split("│")[1].strip() if "│" in line else line for line in out.splitlines()}
    assert any(x.startswith("≠ Base model") for x in lines)
    assert any(x.startswith("Licence") and not x.startswith("≠") for x in lines)


def test_compare_errors(runner: CliRunner) -> None:
    assert "at least two" in fails(runner, 2, "compare", "llama-3.1-8b")
    assert "Did you mean" in fails(runner, 1, "compare", "llama-3.1-8b", "lama-3.1-70b")


def test_compare_escapes_hostile_names(runner: CliRunner) -> None:
    out, _ = ok(runner, "compare", "hostile-h", "base-a", "-r", str(SMALL))
    assert "\x1b" not in out
    assert "[red]H[/red]" in out


# ----------------------------------------------------------------- tree


def test_tree_of_a_model_shows_its_lineage_and_licences(runner: CliRunner) -> None:
    out, _ = ok(runner, "tree", "tune-c", "-r", str(SMALL))
    assert "base-a" in out
    assert "tune-c" in out
    assert "◀" in out
    assert "[permissive]" in out or "permissive" in out


def test_tree_json_and_forest(runner: CliRunner) -> None:
    forest = json.loads(ok(runner, "tree", "-r", str(SMALL), "--format", "json")[0])
    roots = {t["id"] for t in forest}
    assert "base-a" in roots
    assert "tune-b" not in roots

    def walk(nodes: list[dict[str, object]]) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for n in nodes:
            out.append(n)
            out.extend(walk(n["children"]))  # type: ignore[arg-type]
        return out

    every = walk(forest)
    ids = [n["id"] for n in every]
    assert len(ids) == len(set(ids))  # every model once
    node = next(n for n in every if n["id"] == "r-child")
    assert {"license", "license_class", "commercial"} <= set(node)
    assert json.loads(ok(runner, "tree", "-r", str(SMALL), "--json")[0]) == forest


def test_tree_mermaid_and_dot_escape_untrusted_text(runner: CliRunner) -> None:
    mermaid, _ = ok(runner, "tree", "hostile-h", "-r", str(SMALL), "--format", "mermaid")
    assert mermaid.startswith("graph TD\n")
    assert "\x1b" not in mermaid
    assert "\x07" not in mermaid
    label = mermaid.splitlines()[1]
    assert label.count('"') == 2  # the label's own quotes only: nothing can close it early
    assert "[red]" not in label
    assert "#91;red#93;" in label
    dot, _ = ok(runner, "tree", "hostile-h", "-r", str(SMALL), "--format", "dot")
    assert dot.startswith("digraph lineage {")
    assert dot.rstrip().endswith("}")
    assert "\x1b" not in dot
    assert "\x07" not in dot
    assert "\\\\x1b" in dot


def test_dot_string_escapes_quotes_and_backslashes() -> None:
    from llmcat.lineage import dot_string, mermaid_text

    assert dot_string('a"b\\c') == '"a\\"b\\\\c"'
    assert dot_string("x\ny") == '"x\\\\x0ay"'
    assert mermaid_text('a"];b') == "a#34;#93;#59;b"


def test_tree_of_a_family(runner: CliRunner) -> None:
    out, _ = ok(runner, "tree", "llama-3.1", "-r", ARCH, "--format", "json")
    roots = [t["id"] for t in json.loads(out)]
    assert "llama-3.1-8b" in roots
    assert "llama-3.1-8b-instruct" not in roots


def test_bundled_mixtral_uses_its_publishers_config_and_its_base_stays_estimated(runner: CliRunner) -> None:
    rec = json.loads(ok(runner, "fit", "mixtral-8x7b-instruct-v0.1", "--json", "--quant", "bf16")[0])
    assert rec["basis"]["kind"] == "config"
    assert rec["basis"]["source"].startswith("https://huggingface.co/mistralai/Mixtral-8x7B-Instruct-v0.1/")
    assert rec["basis"]["experts"] == 8
    assert rec["estimated"] is False
    base = json.loads(ok(runner, "fit", "mixtral-8x7b-v0.1", "--json")[0])
    assert base["basis"]["kind"] == "estimated"  # a config is inherited downwards, never upwards


def test_compare_shows_cached_hub_data_and_never_asks_the_hub(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    reg = ["-r", str(FIXTURES / "hubreg.yaml")]
    with serve() as hub:
        for repo in ("acme/alpha", "solo/one"):
            hub.add(repo)
        hub.models["solo/one"]["downloads"] = 99_999
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        before = json.loads(ok(runner, "compare", "solo-one", "acme-alpha", *reg, "--json")[0])
        assert [m["hub_downloads"] for m in before["models"]] == [None, None]
        assert hub.requests == 0  # nothing cached: nothing shown, and the Hub is not asked
        ok(runner, "list", "--live", "--family", "hubfam", *reg, "--json")  # fills the cache
        asked = hub.requests
        after = json.loads(ok(runner, "compare", "solo-one", "acme-alpha", *reg, "--json")[0])
        assert hub.requests == asked
    assert [m["hub_downloads"] for m in after["models"]] == [99_999, 1000]
    assert "hub_downloads" in after["differs"]


def test_a_very_deep_lineage_never_crashes(runner: CliRunner, tmp_path: Path) -> None:
    lines = ["schema_version: 1", "models:"]
    for i in range(300):
        base = f", base_model: deep-{i - 1}" if i else ""
        lines.append(
            f"  - {{id: deep-{i}, name: Deep {i}, family: deep, org: Deep, license: mit{base}, "
            "sources: [https://example.org/deep]}"
        )
    path = tmp_path / "deep.yaml"
    path.write_text("\n".join(lines) + "\n")
    mermaid, _ = ok(runner, "tree", "deep-0", "-r", str(path), "--format", "mermaid")
    assert mermaid.count("-->") == 299
    dot, _ = ok(runner, "tree", "deep-150", "-r", str(path), "--format", "dot")
    assert dot.count("->") == 299
    table, _ = ok(runner, "tree", "deep-299", "-r", str(path))
    assert "deep-299" in table
    assert "too deep for nested JSON" in fails(runner, 1, "tree", "deep-0", "-r", str(path), "--json")
