"""YAML text -> Python data, safely, with dates left as strings, and source positions on demand."""

from __future__ import annotations

from typing import Any

import yaml

from llmcat.errors import Issue, RegistryError

Loc = tuple[str | int, ...]

_TIMESTAMP = "tag:yaml.org,2002:timestamp"


def _without_timestamps(resolvers: dict[Any, list[tuple[str, Any]]]) -> dict[Any, list[tuple[str, Any]]]:
    return {ch: [(tag, rx) for tag, rx in rs if tag != _TIMESTAMP] for ch, rs in resolvers.items()}


_FastBase: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FastLoader(_FastBase):  # type: ignore[misc]
    """libyaml's safe loader where available; '2024-05-01' stays a str for the schema to parse."""


class _PosLoader(yaml.SafeLoader):
    """The pure-Python safe loader, used only to map an error to its line and column."""


for _cls in (_FastLoader, _PosLoader):
    _cls.yaml_implicit_resolvers = _without_timestamps(yaml.SafeLoader.yaml_implicit_resolvers)


def _syntax_issue(e: yaml.YAMLError, filename: str) -> Issue:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    problem = getattr(e, "problem", None) or str(e)
    context = getattr(e, "context", None)
    msg = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    if mark is None:
        return Issue(filename, 1, 1, "", msg)
    return Issue(filename, mark.line + 1, mark.column + 1, "", msg)


def load(text: str, filename: str) -> Any:
    """Parse YAML fast. Raises RegistryError (with file:line:col) on a syntax error."""
    try:
        return yaml.load(text, Loader=_FastLoader)
    except yaml.YAMLError as e:
        raise RegistryError([_syntax_issue(e, filename)]) from None


def positions(text: str) -> dict[Loc, tuple[int, int]]:
    """Map every key path and list index in the document to its (line, column), both 1-based."""
    loader = _PosLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError:
        return {}
    finally:
        loader.dispose()
    out: dict[Loc, tuple[int, int]] = {}
    if node is None:
        return out
    stack: list[tuple[yaml.Node, Loc]] = [(node, ())]
    while stack:
        n, path = stack.pop()
        out[path] = (n.start_mark.line + 1, n.start_mark.column + 1)
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else str(k.value)
                # A key's own position is where a missing/extra key error is best reported.
                out.setdefault((*path, key, "__key__"), (k.start_mark.line + 1, k.start_mark.column + 1))
                stack.append((v, (*path, key)))
        elif isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                stack.append((item, (*path, i)))
    return out


def locate(pos: dict[Loc, tuple[int, int]], loc: Loc, *, key: bool = False) -> tuple[int, int]:
    """The position of ``loc``, or of its closest ancestor that has one."""
    if key and (*loc, "__key__") in pos:
        return pos[(*loc, "__key__")]
    probe = loc
    while probe:
        if probe in pos:
            return pos[probe]
        probe = probe[:-1]
    return pos.get((), (1, 1))
