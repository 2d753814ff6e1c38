"""A small table of accelerators and their memory, each read on its vendor's own documentation.

Memory is what the vendor sells, read as GiB (a card sold as "24 GB" shows 24 GiB in nvidia-smi).
Apple silicon shares its memory with the CPU: macOS lets the GPU use only part of it (about two
thirds to three quarters by default), so the figure is an upper bound there.
"""

from __future__ import annotations

from typing import NamedTuple


class Gpu(NamedTuple):
    id: str
    name: str
    memory_gib: float
    source: str
    note: str = ""


_MIG = "https://docs.nvidia.com/datacenter/tesla/mig-user-guide/supported-gpus.html"
_NIM = "https://docs.nvidia.com/nim/large-language-models/latest/supported-llm-specific-models.html"
_UNIFIED = "unified memory shared with the CPU: the GPU may use only part of it"

# Only cards whose memory was read on the vendor's own page (the URL given); cards whose vendor page
# could not be read are left out rather than filled in from memory.
GPUS: dict[str, Gpu] = {
    g.id: g
    for g in (
        Gpu("rtx-4080", "NVIDIA GeForce RTX 4080", 16, _NIM),
        Gpu("rtx-4090", "NVIDIA GeForce RTX 4090", 24, _NIM),
        Gpu("rtx-5090", "NVIDIA GeForce RTX 5090", 32, _NIM),
        Gpu(
            "rtx-a6000",
            "NVIDIA RTX A6000",
            48,
            "https://docs.nvidia.com/nim/bionemo/genmol/latest/support-matrix.html",
            "listed there as 'A6000'",
        ),
        Gpu("rtx-6000-ada", "NVIDIA RTX 6000 Ada Generation", 48, _NIM),
        Gpu("l40s", "NVIDIA L40S", 48, _NIM),
        Gpu("a100-40g", "NVIDIA A100 40GB (SXM4)", 40, _MIG),
        Gpu("a100-80g", "NVIDIA A100 80GB (SXM4)", 80, _MIG),
        Gpu("h100", "NVIDIA H100 SXM 80GB", 80, _MIG),
        Gpu("h100-nvl", "NVIDIA H100 NVL", 94, _NIM, "per GPU"),
        Gpu("h200", "NVIDIA H200", 141, _MIG),
        Gpu(
            "mi300x",
            "AMD Instinct MI300X",
            192,
            "https://github.com/ROCm/ROCm/blob/e396b4898f459db094bfd60b876f419f77eb9f09/docs/reference/gpu-arch-specs.rst",
        ),
        Gpu(
            "m2-ultra-192g",
            "Apple M2 Ultra (192 GB)",
            192,
            "https://www.apple.com/newsroom/2023/06/apple-introduces-m2-ultra/",
            _UNIFIED,
        ),
    )
}


def find_gpu(name: str) -> Gpu | None:
    """A GPU by id, case- and separator-insensitively ('RTX 4090', 'rtx_4090', 'A100-80G')."""
    key = name.strip().lower().replace(" ", "-").replace("_", "-")
    if key in GPUS:
        return GPUS[key]
    squashed = key.replace("-", "")
    for gid, gpu in GPUS.items():
        if gid.replace("-", "") == squashed:
            return gpu
    return None


def suggest_gpus(name: str, n: int = 4) -> list[str]:
    import difflib

    return difflib.get_close_matches(name.strip().lower(), list(GPUS), n=n, cutoff=0.5)
