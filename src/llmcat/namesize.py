"""The size written in a model's id, and whether a parameter count is only that (a nominal size).

Kept apart from :mod:`llmcat.units` so that the JSON listing, which says of every row whether its count is
nominal, does not import the parsers of command-line values.

Where the registry records no count, the size in the id (``llama-3.1-swallow-8b-v0.5``: 8) is what people
mean by the model's size, and what ``--min-params 7B`` should judge it by: :func:`params_of` gives it,
and :func:`nominal_params` says it is only that. An id with no size, or with two different ones, gives
none; ``8x7b`` (experts) and ``a3b`` (active parameters) are not read as a size.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# The size in a model's id ("-7b", "_1.5B"; not "8x7b", "a3b" nor the ".7b" of "a2.7b"): a count equal to it is the
# nominal size from the name, not a count (Llama 2 7B has 6.74 billion parameters).
MAX_BILLIONS = 1_000_000  # the registry's own bound on params_b (llmcat.schema.Billions): 10^15 parameters
_NAME_SIZE = re.compile(r"(?<![0-9a-z.])(\d+(?:\.\d+)?)b(?![0-9a-z])", re.IGNORECASE)


def name_size(model_id: str) -> float | None:
    """The one size written in ``model_id``, in billions; None when there is none or more than one."""
    sizes = {float(s) for s in _NAME_SIZE.findall(model_id)}
    if len(sizes) != 1:
        return None
    (size,) = sizes
    return size if 0 < size <= MAX_BILLIONS else None  # beyond the bound: a number, not a size


class Size(NamedTuple):
    """The size llmcat answers with, and whether it is only the size in the model's name."""

    billions: float
    nominal: bool


def size_of(model_id: str, params_b: float | None) -> Size | None:
    """The recorded count, else the size in the model's id; nominal when it is only the size in the id
    (the recorded count equals it, or no count is recorded). None when neither is known."""
    named = name_size(model_id)
    if params_b is not None:
        return Size(params_b, named is not None and params_b == named)
    return Size(named, True) if named is not None else None


def params_of(model_id: str, params_b: float | None) -> float | None:
    """The parameter count the registry records, else the size in the model's id (nominal)."""
    size = size_of(model_id, params_b)
    return size.billions if size is not None else None


def nominal_params(model_id: str, params_b: float | None) -> bool:
    """Whether the size llmcat answers with (:func:`size_of`) is just the size written in the model's id."""
    size = size_of(model_id, params_b)
    return size is not None and size.nominal
