"""Parsers for the human-friendly values users type: sizes, context lengths, dates."""

from __future__ import annotations

import math
import re

_SIZE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([kmbt]?)\s*$", re.IGNORECASE)
_PARAM_SCALE = {"": 1.0, "k": 1e-6, "m": 1e-3, "b": 1.0, "t": 1e3}
_TOKEN_SCALE = {"": 1, "k": 1_000, "m": 1_000_000}
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


COUNT_FROM = 1e6  # a bare number this big is a count of parameters, not billions


def _finite(number: str, text: str, what: str) -> float:
    value = float(number)
    if not math.isfinite(value) or value > 1e30:
        raise ValueError(f"not a {what}: {text.strip()[:20]!r}{'…' if len(text.strip()) > 20 else ''} is too large")
    return value


def parse_params(text: str) -> float:
    """'7B' -> 7.0, '1.5b' -> 1.5, '350M' -> 0.35, '13' -> 13.0 (billions of parameters).

    A bare number of a million or more is a count: '7000000000' -> 7.0 (nobody means 7 billion billions).
    """
    m = _SIZE.match(text)
    if not m:
        raise ValueError(f"not a parameter count: {text!r} (try 7B, 1.5b or 350M)")
    value = _finite(m.group(1), text, "parameter count")
    suffix = m.group(2).lower()
    if not suffix and value >= COUNT_FROM:
        return round(value / 1e9, 9)
    return round(value * _PARAM_SCALE[suffix], 9)


SIZE_TOLERANCE = 0.10  # a nominal size such as "7B" stands for counts within 10% of it


def is_nominal_size(billions: float) -> bool:
    """Whether a size bound (in billions) reads as a nominal size class rather than an exact count: a
    whole number of billions (7B, 235B), a whole number of millions below a billion (125M, 350M), or
    at most two significant digits (1.5B, 0.5B). 6.74B and 7.61B are exact counts."""
    if billions == int(billions) or float(f"{billions:.2g}") == billions:
        return True
    millions = billions * 1000
    return billions < 1 and abs(millions - round(millions)) < 1e-6


def size_floor(bound: float) -> float:
    """The smallest count ``--min-params bound`` keeps: a nominal size keeps its whole class.

    Model names give the nominal size, the registry the exact count: Llama 2 7B has 6.74 billion
    parameters and Qwen2.5 7B has 7.61 billion. A nominal bound is widened by :data:`SIZE_TOLERANCE`
    (``--min-params 7B`` keeps 6.3B and more; ``--max-params 7B`` keeps up to 7.7B); an exact bound
    such as ``7.61B`` is used as it is.
    """
    return round(bound * (1 - SIZE_TOLERANCE), 9) if is_nominal_size(bound) else bound


def size_ceiling(bound: float) -> float:
    """The largest count ``--max-params bound`` keeps (see :func:`size_floor`)."""
    return round(bound * (1 + SIZE_TOLERANCE), 9) if is_nominal_size(bound) else bound


def parse_tokens(text: str) -> int:
    """'8k' -> 8000, '128K' -> 128000, '1m' -> 1000000, '4096' -> 4096 (a number of tokens).

    ``k`` is decimal (1000): model cards say "128K" for both 128,000 and 131,072, and a
    minimum-context filter should accept both, so the decimal reading is the inclusive one.
    """
    m = _SIZE.match(text)
    if not m or m.group(2).lower() in {"b", "t"}:
        raise ValueError(f"not a context length: {text!r} (try 4096, 8k or 128K)")
    value = _finite(m.group(1), text, "context length") * _TOKEN_SCALE[m.group(2).lower()]
    if value != int(value):
        raise ValueError(f"not a whole number of tokens: {text!r}")
    return int(value)


def parse_date(text: str) -> str:
    """'2024', '2024-05' or '2024-05-01' -> the same text, checked."""
    m = _DATE.match(text.strip())
    if not m:
        raise ValueError(f"not a date: {text!r} (use YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = m.groups()
    if month is not None and not 1 <= int(month) <= 12:
        raise ValueError(f"not a date: {text!r} (month {month})")
    if day is not None:
        import datetime

        try:
            datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"not a date: {text!r}") from None
    return text.strip()


def format_params(b: float | None) -> str:
    if b is None:
        return ""
    if b < 1:
        return f"{b * 1000:g}M"
    return f"{b:g}B"


def format_tokens(n: int | None) -> str:
    if n is None:
        return ""
    if n >= 1000 and n % 1024 == 0:
        return f"{n // 1024}K"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_DURATION_SCALE = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(text: str) -> float:
    """'24h' -> 86400.0, '30m' -> 1800.0, '7d', '90s', '45' (seconds)."""
    m = _DURATION.match(text)
    if not m:
        raise ValueError(f"not a duration: {text!r} (try 90s, 30m, 24h or 7d)")
    return _finite(m.group(1), text, "duration") * _DURATION_SCALE[m.group(2).lower()]


_MEMORY = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(?:([kmgt])(?:i?b)?)?\s*$", re.IGNORECASE)
_MEMORY_SCALE = {"k": 1 / (1 << 20), "m": 1 / 1024, "g": 1.0, "t": 1024.0}


def parse_memory(text: str) -> float:
    """'24GB', '24G', '24GiB' and '24' -> 24.0 GiB; '512MB' -> 0.5; '1.5T' -> 1536.0.

    A card sold as "24 GB" shows 24 GiB in nvidia-smi, so GB and GiB read alike.
    """
    m = _MEMORY.match(text)
    if not m:
        raise ValueError(f"not an amount of memory: {text!r} (try 24GB, 24G, 80GiB)")
    value = _finite(m.group(1), text, "amount of memory") * _MEMORY_SCALE[(m.group(2) or "g").lower()]
    if value <= 0:
        raise ValueError(f"not an amount of memory: {text!r} (must be more than 0)")
    return value
