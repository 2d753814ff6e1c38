"""The size written in a model's id, and whether a parameter count is only that (a nominal size).

Kept apart from :mod:`llmcat.units` so that the JSON listing, which says of every row whether its count is
nominal, does not import the parsers of command-line values.
"""

from __future__ import annotations

import re

# The size in a model's id ("-7b", "_1.5B"; not "8x7b"): a parameter count equal to it is the nominal
# size from the name, not a count (Llama 2 7B has 6.74 billion parameters).
_NAME_SIZE = re.compile(r"(?:^|[-_.])(\d+(?:\.\d+)?)b(?:$|[-_.])", re.IGNORECASE)


def nominal_params(model_id: str, params_b: float | None) -> bool:
    """Whether ``params_b`` is just the size written in the model's id rather than a count."""
    if params_b is None:
        return False
    named = _NAME_SIZE.search(model_id)
    return named is not None and float(named.group(1)) == params_b
