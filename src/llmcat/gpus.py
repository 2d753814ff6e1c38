"""A small table of accelerators and their memory, each from its vendor's specification page.

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


_NV = "https://www.nvidia.com/en-us"
_UNIFIED = "unified memory shared with the CPU: the GPU may use only part of it"

GPUS: dict[str, Gpu] = {
    g.id: g
    for g in (
        Gpu("rtx-3060", "NVIDIA GeForce RTX 3060 12GB", 12, f"{_NV}/geforce/graphics-cards/30-series/rtx-3060-3060ti/"),
        Gpu("rtx-3090", "NVIDIA GeForce RTX 3090", 24, f"{_NV}/geforce/graphics-cards/30-series/rtx-3090-3090ti/"),
        Gpu(
            "rtx-4060-ti-16g",
            "NVIDIA GeForce RTX 4060 Ti 16GB",
            16,
            f"{_NV}/geforce/graphics-cards/40-series/rtx-4060-4060ti/",
        ),
        Gpu("rtx-4080", "NVIDIA GeForce RTX 4080", 16, f"{_NV}/geforce/graphics-cards/40-series/rtx-4080-family/"),
        Gpu("rtx-4090", "NVIDIA GeForce RTX 4090", 24, f"{_NV}/geforce/graphics-cards/40-series/rtx-4090/"),
        Gpu("rtx-5090", "NVIDIA GeForce RTX 5090", 32, f"{_NV}/geforce/graphics-cards/50-series/rtx-5090/"),
        Gpu("rtx-a6000", "NVIDIA RTX A6000", 48, f"{_NV}/design-visualization/rtx-a6000/"),
        Gpu("rtx-6000-ada", "NVIDIA RTX 6000 Ada Generation", 48, f"{_NV}/design-visualization/rtx-6000/"),
        Gpu("t4", "NVIDIA T4", 16, f"{_NV}/data-center/tesla-t4/"),
        Gpu("l4", "NVIDIA L4", 24, f"{_NV}/data-center/l4/"),
        Gpu("a10", "NVIDIA A10", 24, f"{_NV}/data-center/products/a10-gpu/"),
        Gpu("l40s", "NVIDIA L40S", 48, f"{_NV}/data-center/l40s/"),
        Gpu("a100-40g", "NVIDIA A100 40GB", 40, f"{_NV}/data-center/a100/"),
        Gpu("a100-80g", "NVIDIA A100 80GB", 80, f"{_NV}/data-center/a100/"),
        Gpu("h100", "NVIDIA H100 SXM 80GB", 80, f"{_NV}/data-center/h100/"),
        Gpu("h100-nvl", "NVIDIA H100 NVL", 94, f"{_NV}/data-center/h100/"),
        Gpu("h200", "NVIDIA H200", 141, f"{_NV}/data-center/h200/"),
        Gpu(
            "mi300x",
            "AMD Instinct MI300X",
            192,
            "https://www.amd.com/en/products/accelerators/instinct/mi300/mi300x.html",
        ),
        Gpu(
            "m2-max-96g",
            "Apple M2 Max (96 GB)",
            96,
            "https://support.apple.com/en-us/111838",
            _UNIFIED,
        ),
        Gpu(
            "m3-max-128g",
            "Apple M3 Max (128 GB)",
            128,
            "https://support.apple.com/en-us/117737",
            _UNIFIED,
        ),
        Gpu(
            "m2-ultra-192g",
            "Apple M2 Ultra (192 GB)",
            192,
            "https://support.apple.com/en-us/111835",
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
