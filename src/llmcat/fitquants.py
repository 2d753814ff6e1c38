"""Weight formats and their real bits per weight, each with its source. Pure data; no imports.

``bits`` is the average storage per quantised weight, including the per-block scales and zero points
the format stores. ``embeddings_16bit``: the format leaves the token embeddings and the output head in
16 bits (bitsandbytes, GPTQ and AWQ checkpoints do); a GGUF file's figure is already the whole file's
average, embeddings and output head included.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

ModeName = Literal["inference", "lora", "qlora", "full"]
QuantName = Literal[
    "bf16", "fp8", "int8", "nf4", "gptq", "awq", "q8_0", "q6_k", "q5_k_m", "q4_k_m", "q4_0", "q3_k_m", "q2_k"
]


class Quant(NamedTuple):
    id: str
    label: str
    bits: float
    embeddings_16bit: bool
    gguf: bool
    source: str
    note: str


_LLAMACPP_QUANTIZE = "https://github.com/ggml-org/llama.cpp/blob/master/tools/quantize/README.md"
_LLAMACPP_QUANTIZE_OLD = "https://github.com/ggml-org/llama.cpp/pull/1684"

QUANTS: dict[str, Quant] = {
    q.id: q
    for q in (
        Quant("bf16", "16-bit (bf16/fp16)", 16.0, False, False, "2 bytes per weight", "the checkpoint as published"),
        Quant(
            "fp8",
            "FP8 (E4M3)",
            8.0,
            True,
            False,
            "https://huggingface.co/blog/llama31",
            "8-bit floating-point weights with per-tensor scales; embeddings and output head stay 16-bit",
        ),
        Quant(
            "int8",
            "INT8 (bitsandbytes LLM.int8)",
            8.0,
            True,
            False,
            "https://arxiv.org/abs/2208.07339",
            "8-bit integer weights with per-row scales; embeddings and output head stay 16-bit",
        ),
        Quant(
            "nf4",
            "NF4 + double quantisation (bitsandbytes)",
            4.0 + 8 / 64 + 32 / (64 * 256),
            True,
            False,
            "https://arxiv.org/abs/2305.14314",
            "4-bit NormalFloat, blocks of 64 with 8-bit scales, themselves in blocks of 256 with fp32 "
            "scales: 4 + 8/64 + 32/(64*256) = 4.127 bits (QLoRA paper, section 3)",
        ),
        Quant(
            "gptq",
            "GPTQ 4-bit, group size 128",
            4.0 + (16 + 4) / 128,
            True,
            False,
            "https://arxiv.org/abs/2210.17323",
            "4-bit weights with an fp16 scale and a 4-bit zero point per group of 128: 4.156 bits",
        ),
        Quant(
            "awq",
            "AWQ 4-bit, group size 128",
            4.0 + (16 + 4) / 128,
            True,
            False,
            "https://arxiv.org/abs/2306.00978",
            "4-bit weights with an fp16 scale and a 4-bit zero point per group of 128: 4.156 bits",
        ),
        Quant(
            "q8_0",
            "GGUF Q8_0",
            8.5008,
            False,
            True,
            _LLAMACPP_QUANTIZE,
            "8.50 bits per weight (llama.cpp, Llama 3.1 8B)",
        ),
        Quant("q6_k", "GGUF Q6_K", 6.5633, False, True, _LLAMACPP_QUANTIZE, "6.56 bits per weight (Llama 3.1 8B)"),
        Quant("q5_k_m", "GGUF Q5_K_M", 5.7036, False, True, _LLAMACPP_QUANTIZE, "5.70 bits per weight (Llama 3.1 8B)"),
        Quant("q4_k_m", "GGUF Q4_K_M", 4.8944, False, True, _LLAMACPP_QUANTIZE, "4.89 bits per weight (Llama 3.1 8B)"),
        Quant(
            "q4_0",
            "GGUF Q4_0",
            4.5,
            False,
            True,
            "https://github.com/ggml-org/llama.cpp/blob/master/ggml/src/ggml-common.h",
            "blocks of 32 4-bit weights with one fp16 scale: (16 + 32*4)/32 = 4.5 bits",
        ),
        Quant(
            "q3_k_m",
            "GGUF Q3_K_M",
            3.91,
            False,
            True,
            _LLAMACPP_QUANTIZE_OLD,
            "3.91 bits per weight (llama.cpp quantize README, Llama 2 7B table)",
        ),
        Quant("q2_k", "GGUF Q2_K", 3.1593, False, True, _LLAMACPP_QUANTIZE, "3.16 bits per weight (Llama 3.1 8B)"),
    )
}

ALIASES = {"fp16": "bf16", "f16": "bf16", "16bit": "bf16", "int4": "awq", "4bit": "nf4", "8bit": "int8"}

# What each mode may run on, and its default.
MODE_QUANTS: dict[str, tuple[str, ...]] = {
    "inference": tuple(QUANTS),
    "lora": ("bf16", "int8"),
    "qlora": ("nf4",),
    "full": ("bf16",),
}
MODE_DEFAULT_QUANT = {"inference": "bf16", "lora": "bf16", "qlora": "nf4", "full": "bf16"}
MODES = tuple(MODE_QUANTS)
assert set(QuantName.__args__) == set(QUANTS), "QuantName lists every format"  # type: ignore[attr-defined]


def quant_id(text: str) -> str:
    """'Q4_K_M' -> 'q4_k_m', 'fp16' -> 'bf16', 'int4' -> 'awq'; ValueError for anything else."""
    key = text.strip().lower().replace("-", "_")
    key = ALIASES.get(key, key)
    if key not in QUANTS:
        raise ValueError(f"unknown quantisation {text!r} (one of: {', '.join([*QUANTS, *ALIASES])})")
    return key
