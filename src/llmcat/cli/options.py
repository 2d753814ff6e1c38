"""Option types and parsers that several command modules share (kept light: `list` imports them)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

import typer


class Mode(StrEnum):
    INFERENCE = "inference"
    LORA = "lora"
    QLORA = "qlora"
    FULL = "full"


class ConditionKindChoice(StrEnum):
    """The licence condition kinds (``llmcat licenses``; the same list as llmcat.schema.ConditionKind)."""

    USER_CAP = "user-cap"
    REGISTRATION = "registration"
    ACCEPTABLE_USE = "acceptable-use"
    NO_TRAINING_OTHER_MODELS = "no-training-other-models"
    ATTRIBUTION = "attribution"
    NAMING = "naming"
    SHARE_ALIKE = "share-alike"
    NON_COMMERCIAL = "non-commercial"
    RESEARCH_ONLY = "research-only"
    OTHER = "other"


def quant_opt(value: str | None) -> str | None:
    if value is None:
        return None
    from llmcat.fitquants import quant_id

    try:
        return quant_id(value)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None


def memory_opt(value: str | None) -> float | None:
    """'24GB', '24G', '24GiB' -> 24.0; or a GPU from the table ('rtx-4090')."""
    if value is None:
        return None
    from llmcat.units import parse_memory

    try:
        return parse_memory(value)
    except ValueError as e:
        from llmcat.gpus import find_gpu, suggest_gpus  # the GPU table only when it is a GPU's name

        gpu = find_gpu(value)
        if gpu is not None:
            return gpu.memory_gib
        hint = suggest_gpus(value)
        more = f"; or a GPU: {', '.join(hint)}" if hint else " (or a GPU id: see `llmcat fit --help`)"
        raise typer.BadParameter(f"{e}{more}") from None


def check_fit_settings(mode: str, quant: str | None) -> None:
    """list's --fit-mode and --quant agree (a mode runs on some weight formats only)."""
    from llmcat.errors import UsageError
    from llmcat.fitquants import MODE_QUANTS

    if quant is not None and quant not in MODE_QUANTS[mode]:
        raise UsageError(f"--fit-mode {mode} runs on {', '.join(MODE_QUANTS[mode])}, not --quant {quant}")


def load_list_policy(path: Path | None, reg: Any) -> Any:
    """The rules of ``list --policy FILE`` (None without the option), checked against the registry."""
    if path is None:
        return None
    from llmcat.policy import load_policy

    rules = load_policy(path)
    rules.check_ids(reg.licenses)
    return rules.rules
