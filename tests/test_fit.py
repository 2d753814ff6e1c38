"""The memory estimator's exact paths, its fallbacks, and the parsers and tables behind its options."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmcat import fit
from llmcat.fitquants import MODE_QUANTS, QUANTS, quant_id
from llmcat.gpus import GPUS, find_gpu
from llmcat.query import Query, run, select
from llmcat.records import Arch
from llmcat.registry import Registry, Source, load_sources
from llmcat.units import parse_memory

ARCH = Path(__file__).parent / "fixtures" / "arch.yaml"
GIB = float(1 << 30)


@pytest.fixture(scope="module")
def reg() -> Registry:
    return load_sources([Source(str(ARCH), ARCH.read_bytes(), origin=str(ARCH))], use_cache=False)


def b(reg: Registry, mid: str) -> fit.Basis:
    out = fit.basis_for(reg.models[mid], reg.models)
    assert out is not None
    return out


# ----------------------------------------------------------------- where the numbers come from


def test_own_config(reg: Registry) -> None:
    basis = b(reg, "llama-3.1-8b")
    assert (basis.kind, basis.config_from, basis.estimated) == ("config", "llama-3.1-8b", False)
    assert basis.arch.source.startswith("https://huggingface.co/")


def test_config_inherited_from_the_nearest_ancestor(reg: Registry) -> None:
    basis = b(reg, "llama-3.1-8b-instruct")
    assert (basis.kind, basis.config_from) == ("inherited", "llama-3.1-8b")
    assert basis.arch == b(reg, "llama-3.1-8b").arch
    assert any("inherited from llama-3.1-8b" in a for a in basis.assumptions)
    assert basis.max_context == 131072


def test_a_model_much_smaller_than_its_base_does_not_inherit_its_architecture(reg: Registry) -> None:
    """Pruned or distilled models (Minitron from Mistral NeMo) have a base_model for the licence chain,
    but not its shape: beyond 15 % apart in size, the estimate falls back to the model's own size."""
    pruned = b(reg, "pruned-4b")
    assert (pruned.kind, pruned.config_from, pruned.params_b) == ("estimated", None, 4.51)
    tuned = b(reg, "tuned-vocab-8b")
    assert (tuned.kind, tuned.config_from) == ("inherited", "llama-3.1-8b")


def test_no_config_anywhere_falls_back_to_params_and_says_so(reg: Registry) -> None:
    basis = b(reg, "size-only-13b")
    assert basis.kind == "estimated"
    assert basis.estimated
    assert basis.params_b == 13
    assert any("no config.json numbers" in a for a in basis.assumptions)
    assert fit.estimate(basis, fit.Settings()).total_gib > 13 * 2e9 / GIB  # at least the 16-bit weights


def test_nothing_known_is_no_estimate(reg: Registry) -> None:
    assert fit.basis_for(reg.models["no-size-model"], reg.models) is None


def test_generic_size_alone() -> None:
    basis = fit.generic_basis(70)
    assert basis.kind == "generic"
    assert basis.id == "70B"
    a = basis.arch
    assert fit.config_params_b(a) == pytest.approx(70, rel=0.01)
    assert a.kv_heads == 8
    assert a.head_dim == 128
    assert any("8 KV heads" in x for x in basis.assumptions)


# ----------------------------------------------------------------- KV cache


def test_kv_cache_mha_gqa_mqa_exact() -> None:
    base = Arch("x", layers=10, hidden_size=1024, attention_heads=8, kv_heads=8, head_dim=128)
    mha = fit.kv_cache_bytes(base, 1000, 2)
    assert mha == 2 * 10 * 8 * 128 * 2 * 1000 * 2  # 2 (K,V) x layers x heads x dim x bytes x tokens x batch
    assert fit.kv_cache_bytes(base._replace(kv_heads=2), 1000, 2) == mha / 4  # GQA
    assert fit.kv_cache_bytes(base._replace(kv_heads=1), 1000, 2) == mha / 8  # MQA


def test_sliding_window_all_layers_mistral(reg: Registry) -> None:
    a = b(reg, "mistral-7b-v0.1").arch
    per_token = 32 * 2 * 8 * 128 * 2
    assert fit.kv_cache_bytes(a, 2048, 1) == 2048 * per_token
    assert fit.kv_cache_bytes(a, 32768, 1) == 4096 * per_token  # capped at the 4096-token window


def test_sliding_window_hybrid_gemma2(reg: Registry) -> None:
    a = b(reg, "gemma-2-9b").arch
    per_layer_token = 2 * 8 * 256 * 2
    # 21 global layers keep the whole context, 21 local ones at most 4096 tokens
    assert fit.kv_cache_bytes(a, 8192, 1) == (21 * 8192 + 21 * 4096) * per_layer_token
    assert fit.kv_cache_bytes(a, 4096, 1) == 42 * 4096 * per_layer_token


def test_mla_latent_cache_deepseek_v3(reg: Registry) -> None:
    a = b(reg, "deepseek-v3").arch
    assert fit.kv_cache_bytes(a, 1, 1) == 61 * 576 * 2  # 70,272 bytes per token
    assert fit.kv_cache_bytes(a, 131072, 1) / GIB == pytest.approx(8.578, abs=0.001)


def test_hybrid_attention_layers_only() -> None:
    a = Arch("x", layers=32, hidden_size=4096, attention_heads=32, kv_heads=8, head_dim=128, attention_layers=4)
    assert fit.kv_cache_bytes(a, 1000, 1) == 4 * 1000 * 2 * 8 * 128 * 2


def test_training_keeps_no_kv_cache(reg: Registry) -> None:
    assert fit.estimate(b(reg, "llama-3.1-8b"), fit.Settings("lora")).kv_cache_gib == 0


# ----------------------------------------------------------------- weights, MoE, training


def test_moe_keeps_every_expert_in_memory(reg: Registry) -> None:
    basis = b(reg, "mixtral-8x7b-instruct")
    e = fit.estimate(basis, fit.Settings(quant="bf16"))
    assert e.weights_gib == pytest.approx(46.7e9 * 2 / GIB)
    # activations follow the 2 experts a token passes through, not all 8
    dense_like = basis.arch._replace(experts=None, experts_per_token=None)
    act_moe = fit.activations_bytes(basis.arch, "full", 2048, 1, True)
    act_dense = fit.activations_bytes(dense_like, "full", 2048, 1, True)
    assert act_dense < act_moe < 8 * act_dense


def test_quantised_formats_keep_embeddings_16bit(reg: Registry) -> None:
    basis = b(reg, "llama-3.1-8b")
    emb = 128256 * 4096 * 2
    nf4 = fit.weights_bytes(basis, QUANTS["nf4"])
    assert nf4 == pytest.approx((8.03e9 - emb) * 4.127 / 8 + emb * 2, rel=1e-3)
    assert fit.weights_bytes(basis, QUANTS["q4_k_m"]) == pytest.approx(8.03e9 * 4.8944 / 8)


def test_gradient_checkpointing_saves_activation_memory(reg: Registry) -> None:
    basis = b(reg, "llama-3.1-8b")
    on = fit.estimate(basis, fit.Settings("full", context=4096))
    off = fit.estimate(basis, fit.Settings("full", context=4096, checkpointing=False))
    assert off.activations_gib > 4 * on.activations_gib  # fp32 logits are the same either way


def test_optimisers(reg: Registry) -> None:
    basis = b(reg, "llama-3.1-8b")
    full = fit.estimate(basis, fit.Settings("full")).optimizer_gib * GIB
    assert full == pytest.approx(8.03e9 * 14)  # bf16 grads + fp32 master + 2 fp32 moments
    eight = fit.estimate(basis, fit.Settings("full", optimizer="adamw-8bit")).optimizer_gib * GIB
    assert eight == pytest.approx(8.03e9 * 8)
    lora = fit.estimate(basis, fit.Settings("lora", lora_rank=8)).optimizer_gib * GIB
    assert lora == pytest.approx(fit.lora_params(basis.arch, 8) * 12)
    assert fit.lora_params(basis.arch, 16) == 2 * fit.lora_params(basis.arch, 8)


def test_total_is_the_sum_of_its_parts(reg: Registry) -> None:
    for s in fit.COMMON:
        e = fit.estimate(b(reg, "gemma-2-9b"), s)
        parts = e.weights_gib + e.kv_cache_gib + e.activations_gib + e.optimizer_gib + e.overhead_gib
        assert e.total_gib == pytest.approx(parts)


def test_context_defaults_are_capped_at_the_models(reg: Registry) -> None:
    assert fit.estimate(b(reg, "llama-65b"), fit.Settings()).context == 2048
    assert fit.estimate(b(reg, "llama-3.1-8b"), fit.Settings()).context == 8192
    assert fit.estimate(b(reg, "llama-3.1-8b"), fit.Settings("qlora")).context == 2048


def test_a_mode_refuses_formats_it_cannot_use(reg: Registry) -> None:
    with pytest.raises(ValueError, match="full runs on bf16"):
        fit.estimate(b(reg, "llama-3.1-8b"), fit.Settings("full", "q4_k_m"))
    assert MODE_QUANTS["qlora"] == ("nf4",)


def test_json_contract_keys(reg: Registry) -> None:
    rec = fit.report(b(reg, "llama-3.1-8b"), fit.COMMON).record()
    assert list(rec)[:2] == ["id", "params_b"]
    assert {"basis", "estimates", "assumptions"} <= set(rec)
    assert rec["basis"]["source"].startswith("https://")
    for e in rec["estimates"]:
        assert list(e) == [
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


# ----------------------------------------------------------------- --fits through the query


def test_fits_filter_drops_unknowns_and_keeps_order(reg: Registry) -> None:
    q = Query(fits_gib=24.0)
    got = [m.id for m in run(reg, q)]
    screened = fit.screen(run(reg, Query()), reg, 24.0, fit.query_settings(q))
    assert got == [m.id for m in screened.kept]
    assert "no-size-model" in screened.unknown
    found = select(reg, q)
    assert found.unknown == {"memory estimate": len(screened.unknown)}  # counted like any unknown value
    kept = {m.id for m in select(reg, q._replace(include_unknown=True)).models}
    assert "no-size-model" in kept
    assert "no-size-model" not in got
    assert "llama-3.1-8b" in got
    assert "llama-3.1-70b" not in got
    for mid in got:
        assert screened.estimates[mid][1].total_gib <= 24


@given(st.sampled_from([1.0, 8.0, 16.0, 24.0, 48.0, 80.0, 2000.0]), st.sampled_from(list(MODE_QUANTS)))
def test_more_memory_never_fits_fewer(gib: float, mode: str) -> None:
    registry = load_sources([Source(str(ARCH), ARCH.read_bytes(), origin=str(ARCH))], use_cache=True)
    small = {m.id for m in run(registry, Query(fits_gib=gib, fit_mode=mode))}  # type: ignore[arg-type]
    big = {m.id for m in run(registry, Query(fits_gib=gib * 2, fit_mode=mode))}  # type: ignore[arg-type]
    assert small <= big


# ----------------------------------------------------------------- options: memory, formats, GPUs


@given(st.integers(min_value=1, max_value=4096))
def test_gb_g_and_gib_read_alike(n: int) -> None:
    assert parse_memory(f"{n}GB") == parse_memory(f"{n}G") == parse_memory(f"{n}GiB") == parse_memory(str(n)) == n
    assert parse_memory(f"{n} gb") == n


def test_memory_units() -> None:
    assert parse_memory("512MB") == 0.5
    assert parse_memory("1.5T") == 1536
    for bad in ("", "GB", "24XB", "-1GB", "0", "24 G B"):
        with pytest.raises(ValueError, match="not an amount of memory"):
            parse_memory(bad)


def test_quant_names() -> None:
    assert quant_id("Q4_K_M") == "q4_k_m"
    assert quant_id("fp16") == "bf16"
    assert quant_id("int4") == "awq"
    with pytest.raises(ValueError, match="unknown quantisation"):
        quant_id("q1_x")
    for q in QUANTS.values():
        assert 2 < q.bits <= 16
        assert q.source


def test_gpu_table() -> None:
    assert {"rtx-4090", "a100-80g", "h100", "m2-ultra-192g"} <= set(GPUS)
    for g in GPUS.values():
        assert g.memory_gib > 0
        vendor = ("https://docs.nvidia.com/", "https://github.com/ROCm/", "https://www.apple.com/newsroom/")
        assert g.source.startswith(vendor)
    assert find_gpu("RTX 4090") == GPUS["rtx-4090"]
    assert find_gpu("a100_80g") == GPUS["a100-80g"]
    assert find_gpu("rtx4090") == GPUS["rtx-4090"]
    assert find_gpu("nope") is None


# ----------------------------------------------------------------- import boundaries

FIT_CORE = "llmcat.fit, llmcat.fitbasis, llmcat.fitquants, llmcat.gpus, llmcat.lineage, llmcat.compare"


def test_fit_core_imports_no_framework_and_not_the_cli() -> None:
    import subprocess
    import sys

    code = (
        f"import sys, {FIT_CORE}; "
        "bad = {'typer', 'rich', 'huggingface_hub', 'yaml'} & {m.split('.')[0] for m in sys.modules}; "
        "assert not bad, bad; assert 'llmcat.cli' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_warm_fits_listing_imports_nothing_heavy(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLMCAT_", "HF_"))}
    env["LLMCAT_CACHE_DIR"] = str(tmp_path / "cache")
    subprocess.run([sys.executable, "-m", "llmcat", "list", "-q"], check=True, env=env, capture_output=True)
    code = """
import sys, io
from llmcat.cli import app
sys.stdout = io.StringIO()
try:
    app(["list", "--fits", "24GB", "--fit-mode", "qlora", "--json"])
except SystemExit as e:
    assert e.code in (0, None), e.code
sys.stdout = sys.__stdout__
loaded = {m.split(".")[0] for m in sys.modules} | set(sys.modules)
bad = {"yaml", "rich", "huggingface_hub", "llmcat.schema", "llmcat.render", "llmcat.render_fit"} & loaded
assert not bad, bad
"""
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)
