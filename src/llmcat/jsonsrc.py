"""Registry JSON -> Python data within the same limits as YAML (:mod:`llmcat.yamlsrc`: nesting, string
length, integer digits), with real line:col errors, and source positions on demand. Never raises
anything but :class:`~llmcat.errors.RegistryError`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any

from llmcat.errors import Issue, RegistryError
from llmcat.yamlsrc import MAX_DEPTH, MAX_INT_DIGITS, MAX_STRING, Loc, locate

_JSON_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_LONG_INT = re.compile(rf"(?<![\w.\"])-?\d{{{MAX_INT_DIGITS + 1},}}")


def _json_issue(text: str, filename: str, offset: int, message: str) -> Issue:
    line = text.count("\n", 0, offset) + 1
    return Issue(filename, line, offset - (text.rfind("\n", 0, offset) + 1) + 1, "", message)


def _checked_int(digits: str) -> int:
    if len(digits) > MAX_INT_DIGITS + 1:
        raise _TooLong
    return int(digits)


class _TooLong(ValueError):
    pass


def load_json(text: str, filename: str) -> Any:
    """JSON within the same limits as YAML (nesting, integer digits, string length). Raises RegistryError."""
    import json

    depth = 0
    for m in _JSON_BRACKETS.finditer(text):
        c = m.group()
        if c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise RegistryError(
                    [_json_issue(text, filename, m.start(), f"nested more than {MAX_DEPTH} levels deep")]
                )
        elif c in "]}":
            depth -= 1
    try:
        data = json.loads(text, parse_int=_checked_int)
    except json.JSONDecodeError as e:
        raise RegistryError([Issue(filename, e.lineno, e.colno, "", f"JSON syntax error: {e.msg}")]) from None
    except _TooLong:
        found = _LONG_INT.search(text)
        at = found.start() if found else 0
        msg = f"integer too long (more than {MAX_INT_DIGITS} digits)"
        raise RegistryError([_json_issue(text, filename, at, msg)]) from None
    except (ValueError, RecursionError, MemoryError) as e:
        raise RegistryError([Issue(filename, 1, 1, "", f"JSON syntax error: {type(e).__name__}")]) from None
    # Strings: the schema bounds every field it knows; this bounds the rest (e.g. a misspelt field).
    stack: list[tuple[Any, Loc]] = [(data, ())]
    while stack:
        v, path = stack.pop()
        if type(v) is dict:
            stack.extend((k, (*path, k, "__key__")) for k in v)
            stack.extend(((x, (*path, k)) for k, x in v.items()))
        elif type(v) is list:
            stack.extend(((x, (*path, i)) for i, x in enumerate(v)))
        elif type(v) is str and len(v) > MAX_STRING:
            pos: dict[Loc, tuple[int, int]] = {}
            json_positions(text, pos)
            line, col = locate(pos, path)
            raise RegistryError([Issue(filename, line, col, "", f"a string longer than {MAX_STRING:,} characters")])
    return data


_JSON_TOKEN = re.compile(
    r'[ \t\n\r]*(?:("(?:[^"\\]|\\.)*")|([{}\[\],:])'
    r"|(-?(?:\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|NaN|-?Infinity))",
    re.DOTALL,
)


def json_positions(text: str, pos: dict[Loc, tuple[int, int]]) -> None:
    """Record the (line, column) of every value and key of JSON ``text`` in ``pos``, iteratively.

    Stops quietly at the first token it cannot read, and records nothing deeper than MAX_DEPTH.
    """
    import json

    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def where(offset: int) -> tuple[int, int]:
        line = bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    # Each frame: [path, is_object, next index (array) or current key (object), expecting a key]
    stack: list[list[Any]] = []
    i, n = (1 if text.startswith("\ufeff") else 0), len(text)
    match = _JSON_TOKEN.match
    while i < n:
        m = match(text, i)
        if m is None:
            return
        i = m.end()
        string, punct = m.group(1), m.group(2)
        if punct in ("}", "]"):
            if not stack:
                return
            stack.pop()
            continue
        if punct == ",":
            if stack and stack[-1][1]:
                stack[-1][3] = True
            continue
        if punct == ":":
            continue
        start = m.start(1) if string is not None else m.start(2) if punct is not None else m.start(3)
        top = stack[-1] if stack else None
        if top is not None and top[1] and top[3]:  # an object's key
            if string is None:
                return
            key = string[1:-1] if "\\" not in string else json.loads(string)
            top[2], top[3] = key, False
            if len(stack) <= MAX_DEPTH:
                pos.setdefault((*top[0], key, "__key__"), where(start))
            continue
        if top is None:
            path: Loc = ()
        elif top[1]:
            path = (*top[0], top[2])
        else:
            path = (*top[0], top[2])
            top[2] += 1
        if len(stack) <= MAX_DEPTH:
            pos.setdefault(path, where(start))
        if punct == "{":
            stack.append([path, True, None, True])
        elif punct == "[":
            stack.append([path, False, 0, False])
