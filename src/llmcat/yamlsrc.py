"""Registry text -> Python data, with limits, and source positions on demand. Never raises anything but
:class:`~llmcat.errors.RegistryError`.

YAML is read from the parser's event stream by one iterative loop, not by PyYAML's recursive composer and
constructor, so that nothing the file says can make the loader recurse, build a Python object that raises
(``!!timestamp 2023-02-30``, ``!!bool "x"``, ``!!binary``, ``!!python/...``), or expand aliases without
end ("billion laughs"). Limits (each a documented default, each reported with the file's line and column):

- :data:`MAX_DEPTH` levels of nesting;
- :data:`MAX_NODES` values in the document, counting every value reached through an alias, and at most
  :data:`MAX_ALIAS_NODES` more through aliases than the document itself holds;
- :data:`MAX_STRING` characters in one string, :data:`MAX_INT_DIGITS` digits in one integer;
- the file size limit is :data:`llmcat.registry.sources.MAX_FILE_BYTES`.

Only the tags that name plain data (``!!str``, ``!!int``, ``!!float``, ``!!bool``, ``!!null``, ``!!map``,
``!!seq``) are accepted; their values are converted by this module's own checked parsers. Dates stay
strings: the schema checks them.
"""

from __future__ import annotations

import re
from typing import Any

from llmcat.errors import Issue, RegistryError

Loc = tuple[str | int, ...]

MAX_DEPTH = 64
MAX_NODES = 20_000_000
MAX_ALIAS_NODES = 100_000
MAX_STRING = 100_000
MAX_INT_DIGITS = 40  # 64-bit integers have at most 20 digits; the schema's maxima are far below

_Y = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT = _Y + "str", _Y + "null", _Y + "bool", _Y + "int", _Y + "float"
_MAP, _SEQ, _MERGE = _Y + "map", _Y + "seq", _Y + "merge"
_BOOLS = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}


class _Stop(Exception):
    """One problem that ends the reading of a file, at a 0-based (line, column)."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


def _resolvers() -> dict[str | None, list[tuple[str, re.Pattern[str]]]]:
    import yaml

    # YAML 1.1's implicit types, without timestamps (a date stays a string for the schema to check).
    return {
        ch: [(tag, rx) for tag, rx in rs if tag != _Y + "timestamp"]
        for ch, rs in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
    }


_RESOLVERS: dict[str | None, list[tuple[str, re.Pattern[str]]]] | None = None


def _implicit_tag(value: str) -> str:
    global _RESOLVERS
    if _RESOLVERS is None:
        _RESOLVERS = _resolvers()
    for tag, rx in _RESOLVERS.get(value[0] if value else "", ()):
        if rx.match(value):
            return tag
    return _STR


def _to_int(value: str) -> int:
    v = value.replace("_", "")
    sign = -1 if v[:1] == "-" else 1
    if v[:1] in "+-":
        v = v[1:]
    if len(v) > MAX_INT_DIGITS:
        raise ValueError(f"integer too long ({len(v)} digits; at most {MAX_INT_DIGITS})")
    if v == "0":
        return 0
    if v.startswith("0b"):
        return sign * int(v[2:], 2)
    if v.startswith("0x"):
        return sign * int(v[2:], 16)
    if v.startswith("0") and ":" not in v:
        return sign * int(v, 8)
    if ":" in v:
        n = 0
        for part in v.split(":"):
            n = n * 60 + int(part)
        return sign * n
    return sign * int(v)


def _to_float(value: str) -> float:
    v = value.replace("_", "").lower()
    sign = -1.0 if v[:1] == "-" else 1.0
    if v[:1] in "+-":
        v = v[1:]
    if len(v) > 400:
        raise ValueError("number too long")
    if v == ".inf":
        return sign * float("inf")
    if v == ".nan":
        return float("nan")
    if ":" in v:
        n = 0.0
        for part in v.split(":"):
            n = n * 60 + float(part)
        return sign * n
    return sign * float(v)


def _scalar(event: Any) -> Any:
    """The Python value of a scalar event: str, int, float, bool or None. Raises ValueError."""
    value: str = event.value
    tag = event.tag
    if tag is None or tag == "!":
        tag = _implicit_tag(value) if tag is None and event.implicit[0] else _STR
    elif tag.startswith("!!"):
        tag = _Y + tag[2:]
    if tag in (_STR, _MERGE, _Y + "value"):
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        b = _BOOLS.get(value.lower())
        if b is None:
            raise ValueError(f"!!bool: {_quote(value)} is not a boolean")
        return b
    if tag == _INT:
        try:
            return _to_int(value)
        except ValueError as e:
            raise ValueError(f"!!int: {_quote(value)} is not an integer" + _why(e)) from None
    if tag == _FLOAT:
        try:
            return _to_float(value)
        except ValueError as e:
            raise ValueError(f"!!float: {_quote(value)} is not a number" + _why(e)) from None
    raise ValueError(f"the YAML tag {_quote(event.tag)} is not supported in a registry (only plain values)")


def _why(e: ValueError) -> str:
    text = str(e)
    return f" ({text})" if text.startswith(("integer too long", "number too long")) else ""


def _quote(value: str, most: int = 40) -> str:
    return repr(value if len(value) <= most else value[: most - 3] + "...")


def _container_tag_ok(event: Any, expected: str) -> bool:
    tag = event.tag
    return tag is None or tag == "!" or tag == expected or tag == "!!" + expected[len(_Y) :]


class _Frame:
    __slots__ = ("anchor", "key", "merges", "nodes_at_start", "path", "value")

    def __init__(self, value: Any, path: Loc, anchor: str | None, nodes_at_start: int) -> None:
        self.value = value
        self.path = path
        self.anchor = anchor
        self.nodes_at_start = nodes_at_start
        self.key: Any = _NO_KEY
        self.merges: list[Any] | None = None


_NO_KEY = object()
_MERGE_KEY = object()


def _event_loader(text: str) -> Any:
    import yaml

    cls = getattr(yaml, "CBaseLoader", None) or yaml.BaseLoader
    return cls(text)


def _read(text: str, pos: dict[Loc, tuple[int, int]] | None = None) -> Any:
    """The data of YAML ``text``; with ``pos``, every value's position is recorded there as it is read.
    Raises _Stop or yaml.YAMLError."""
    import yaml

    want_positions = pos is not None
    if pos is None:
        pos = {}
    loader = _event_loader(text)
    anchors: dict[str, tuple[Any, int]] = {}
    stack: list[_Frame] = []
    nodes = 0
    via_alias = 0
    root: Any = None
    documents = 0
    get = loader.get_event
    scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
    mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    sequence_end, mapping_end, document_start = yaml.SequenceEndEvent, yaml.MappingEndEvent, yaml.DocumentStartEvent
    stream_end = yaml.StreamEndEvent
    try:
        while True:
            event = get()
            cls = type(event)
            if cls is scalar_event or cls is alias_event or cls is mapping_start or cls is sequence_start:
                mark = event.start_mark
                parent = stack[-1] if stack else None
                if parent is None:
                    path: Loc = ()
                elif type(parent.value) is list:
                    path = (*parent.path, len(parent.value))
                elif parent.key is _NO_KEY:
                    path = (*parent.path, "__key__")  # a key: its own position is recorded below
                else:
                    path = (*parent.path, "<<" if parent.key is _MERGE_KEY else parent.key)
                nodes += 1
                if cls is scalar_event:
                    if len(event.value) > MAX_STRING:
                        raise _Stop(mark.line, mark.column, f"a string longer than {MAX_STRING:,} characters")
                    try:
                        value = _scalar(event)
                    except ValueError as e:
                        raise _Stop(mark.line, mark.column, str(e)) from None
                    if event.anchor is not None:
                        anchors[event.anchor] = (value, 1)
                    if (
                        want_positions
                        and parent is not None
                        and parent.key is _NO_KEY
                        and type(parent.value) is dict
                        and (type(value) in (str, int, float, bool) or value is None)
                    ):
                        pos.setdefault((*parent.path, value, "__key__"), (mark.line + 1, mark.column + 1))
                    if (
                        parent is not None
                        and parent.key is _NO_KEY
                        and type(parent.value) is dict
                        and event.tag is None
                        and event.implicit[0]
                        and value == "<<"
                        and _implicit_tag(event.value) == _MERGE
                    ):
                        value = _MERGE_KEY
                elif cls is alias_event:
                    found = anchors.get(event.anchor)
                    if found is None:
                        raise _Stop(mark.line, mark.column, f"unknown alias {_quote(str(event.anchor))}")
                    value, size = found
                    via_alias += size
                    nodes += size - 1
                    if nodes > MAX_NODES or via_alias > MAX_ALIAS_NODES + nodes - via_alias:
                        raise _Stop(
                            mark.line,
                            mark.column,
                            "aliases expand to too many values (more than "
                            f"{MAX_ALIAS_NODES:,} beyond the document's own; an alias bomb?)",
                        )
                else:
                    if len(stack) >= MAX_DEPTH:
                        raise _Stop(mark.line, mark.column, f"nested more than {MAX_DEPTH} levels deep")
                    is_map = cls is mapping_start
                    if not _container_tag_ok(event, _MAP if is_map else _SEQ):
                        raise _Stop(
                            mark.line, mark.column, f"the YAML tag {_quote(event.tag)} is not supported in a registry"
                        )
                    if nodes > MAX_NODES:
                        raise _Stop(mark.line, mark.column, f"more than {MAX_NODES:,} values")
                    if want_positions:
                        _record(pos, parent, path, mark)
                    stack.append(_Frame({} if is_map else [], path, event.anchor, nodes))
                    continue
                if want_positions:
                    _record(pos, parent, path, mark)
                if parent is None:
                    root = value
                else:
                    _add(parent, value, mark)
            elif cls is sequence_end or cls is mapping_end:
                frame = stack.pop()
                value = frame.value
                if frame.merges:
                    for merged in frame.merges:
                        for k, v in merged.items():
                            value.setdefault(k, v)
                if frame.anchor is not None:
                    anchors[frame.anchor] = (value, nodes - frame.nodes_at_start + 1)
                if stack:
                    _add(stack[-1], value, event.start_mark)
                else:
                    root = value
            elif cls is document_start:
                documents += 1
                if documents > 1:
                    mark = event.start_mark
                    raise _Stop(mark.line, mark.column, "expected one YAML document, found a second one")
            elif cls is stream_end:
                return root
    finally:
        loader.dispose()


def _record(pos: dict[Loc, tuple[int, int]], parent: _Frame | None, path: Loc, mark: Any) -> None:
    if parent is not None and type(parent.value) is dict and parent.key is _NO_KEY:
        return  # a key: recorded under its own path, as (*mapping, key, "__key__")
    pos.setdefault(path, (mark.line + 1, mark.column + 1))


def _add(frame: _Frame, value: Any, mark: Any) -> None:
    target = frame.value
    if type(target) is list:
        target.append(value)
        return
    if frame.key is _NO_KEY:
        if value is not _MERGE_KEY and type(value) in (dict, list):
            raise _Stop(mark.line, mark.column, "a mapping key must be a plain value, not a list or mapping")
        frame.key = value
        return
    key = frame.key
    frame.key = _NO_KEY
    if key is _MERGE_KEY:
        merged = value if type(value) is list else [value]
        if not all(type(m) is dict for m in merged):
            raise _Stop(mark.line, mark.column, "a merge ('<<') needs a mapping or a list of mappings")
        frame.merges = (frame.merges or []) + merged
        return
    target[key] = value


def _syntax_issue(e: Exception, filename: str, text: str) -> Issue:
    import yaml

    if isinstance(e, yaml.reader.ReaderError):  # a character YAML does not allow: no mark, an offset
        line = text.count("\n", 0, e.position) + 1
        column = e.position - (text.rfind("\n", 0, e.position) + 1) + 1
        char = e.character if isinstance(e.character, int) else ord(e.character[:1] or " ")
        return Issue(
            filename, line, column, "", f"YAML syntax error: character U+{char:04X} is not allowed ({e.reason})"
        )
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    problem = getattr(e, "problem", None) or str(e)
    context = getattr(e, "context", None)
    msg = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    if mark is None:
        return Issue(filename, 1, 1, "", msg)
    return Issue(filename, mark.line + 1, mark.column + 1, "", msg)


def load(text: str, filename: str) -> Any:
    """Parse YAML within the limits. Raises RegistryError (with file:line:col) on any problem."""
    import yaml

    try:
        return _read(text)
    except _Stop as e:
        raise RegistryError([Issue(filename, e.line + 1, e.column + 1, "", e.message)]) from None
    except yaml.YAMLError as e:
        raise RegistryError([_syntax_issue(e, filename, text)]) from None
    except (RecursionError, MemoryError, ValueError, TypeError, IndexError, KeyError) as e:
        # Not expected from the iterative reader; if it happens, it is still one located line.
        raise RegistryError(
            [Issue(filename, 1, 1, "", f"could not read the file as YAML ({type(e).__name__})")]
        ) from None


def positions(text: str, *, is_json: bool = False) -> dict[Loc, tuple[int, int]]:
    """Map every key path and list index in the document to its (line, column), both 1-based.

    Best effort and never raises: a document that cannot be read to the end maps what came before.
    """
    pos: dict[Loc, tuple[int, int]] = {}
    try:
        if is_json:
            from llmcat.jsonsrc import json_positions

            json_positions(text, pos)
        else:
            _read(text, pos)
    except Exception:  # the reasons were reported when the file was loaded; positions are a bonus
        pass
    return pos


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
