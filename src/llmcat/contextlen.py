"""A model's context length and where it comes from: stated, or read from a config.json.

The publisher's stated context (``context_tokens``) comes first. A model that states none takes the
``max_positions`` of the config its memory estimate stands on (:func:`llmcat.archsource.find_config`):
its own config.json, or its nearest ancestor's when it keeps that ancestor's architecture, as the
registry's architecture numbers are inherited. Not inherited: by a model that takes other input than
the ancestor (a vision model built on a text model has its own config), nor where the model's id names
another length ("-8k" on a model whose config gives 2,048 positions). The answer says which basis it
has, so a user sees that a value was not stated. Pure functions over records; no frameworks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Final, NamedTuple

from llmcat.archsource import find_config
from llmcat.records import Model


class ContextBasis:
    """Where a context length comes from (plain strings: the JSON value of ``context_basis``)."""

    STATED: Final = "stated"  # the publisher states it (the entry's context_tokens)
    CONFIG: Final = "config"  # max_position_embeddings of the model's own config.json
    INHERITED: Final = "inherited"  # max_position_embeddings of an ancestor's config.json (same architecture)


class Context(NamedTuple):
    tokens: int
    basis: str  # a ContextBasis value
    config_from: str | None = None  # whose config.json (CONFIG, INHERITED)
    source: str | None = None  # that config's URL

    def describe(self) -> str:
        """How the value was found, in words (empty for a stated value)."""
        if self.basis == ContextBasis.CONFIG:
            return "max positions in its config.json; no context length stated"
        if self.basis == ContextBasis.INHERITED:
            return f"max positions in {self.config_from}'s config.json, whose architecture it keeps; none stated"
        return ""


# A context size written into a model's id ("-32k", "128K", "1M"): the model was made for that length,
# so an ancestor's max positions that disagree with it are not this model's.
_NAMED = r"(?<![a-z0-9.])(2|4|8|16|32|64|100|128|200|256|512)k(?![a-z0-9])|(?<![a-z0-9.])(1|2)m(?![a-z0-9])"


@cache
def _named() -> re.Pattern[str]:
    return re.compile(_NAMED)  # compiled on first use: a stated context never needs it


def named_context(model_id: str) -> int | None:
    """The context size written in ``model_id`` ("yi-34b-200k" -> 200000), if any."""
    found = _named().search(model_id.lower())
    if found is None:
        return None
    k, m = found.groups()
    return int(k) * 1000 if k else int(m) * 1_000_000


def _agrees(tokens: int, named: int) -> bool:
    """A named size ("32k") and a token count agree when the count is 1,000x or 1,024x the number."""
    return any(abs(tokens - named * f) <= named * f * 0.05 for f in (1.0, 1.024, 1.048576))


def model_context(model: Model, models: Mapping[str, Model]) -> Context | None:
    """The context length of ``model`` and its basis; None when neither stated nor in a config."""
    if model.context_tokens:
        return Context(model.context_tokens, ContextBasis.STATED)
    cfg, owner = find_config(model, models)
    if cfg is None or not cfg.max_positions or owner is None:
        return None
    named = named_context(model.id)
    if named is not None and not _agrees(cfg.max_positions, named):
        return None  # made for another length (position interpolation, a long-context fine-tune)
    if owner == model.id:
        return Context(cfg.max_positions, ContextBasis.CONFIG, owner, cfg.source)
    ancestor = models.get(owner)
    if ancestor is None or set(ancestor.modalities) != set(model.modalities):
        return None  # a vision model built on a text model has a config of its own, with its own length
    return Context(cfg.max_positions, ContextBasis.INHERITED, owner, cfg.source)
