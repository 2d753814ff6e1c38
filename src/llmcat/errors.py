"""Errors a user can act on, and the exit codes they map to. No third-party imports."""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from os import PathLike


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # something the user can fix: bad data, unknown model, drift found, hub failure with --strict
    USAGE = 2  # bad command line (Typer/Click convention)
    INTERNAL = 70  # a bug in llmcat (EX_SOFTWARE in sysexits.h): an unexpected exception
    INTERRUPTED = 130


DEBUG_ENV = "LLMCAT_DEBUG"


def shown_path(path: str | bytes | PathLike[str], most: int | None = 160) -> str:
    """A path as text any stream can print (bytes that are not UTF-8 become ``\\xff`` escapes),
    shortened in the middle to at most ``most`` characters (None: whole)."""
    import os

    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    if most is not None and len(text) > most:
        text = f"{text[: most // 2 - 2]}...{text[-(most // 2 - 1) :]}"
    return text


def debug_enabled() -> bool:
    """``LLMCAT_DEBUG=1`` (any value but empty or 0): show tracebacks of internal errors."""
    import os

    return os.environ.get(DEBUG_ENV, "") not in {"", "0"}


def internal_error_line(exc: BaseException) -> str:
    """The one line printed for an unexpected exception (a bug): its type and message, no traceback."""
    detail = " ".join(str(exc).split())
    if len(detail) > 300:
        detail = detail[:297] + "..."
    detail = _one_line(detail)  # inert: the message may quote untrusted text (a file's bytes, a Hub answer)
    what = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return f"llmcat: internal error: {what}; please report it with `llmcat --version` and the command"


class LlmcatError(Exception):
    """Base of every expected error. ``str(err)`` is a one-line message for the user."""

    exit_code: ExitCode = ExitCode.ERROR


class UsageError(LlmcatError):
    """A bad option value found by the core (e.g. an unparsable size)."""

    exit_code = ExitCode.USAGE


class Issue(NamedTuple):
    """One problem in a registry file, located as precisely as the YAML allows."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        # Always one line: whatever the file name, path or message quote (a NUL, a newline, an escape
        # sequence from the file) is shown as a visible escape.
        where = f"{_one_line(self.file)}:{self.line}:{self.column}"
        message = _one_line(self.message)
        return f"{where}: {_one_line(self.path)}: {message}" if self.path else f"{where}: {message}"


def _one_line(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}" for c in text)


class RegistryError(LlmcatError):
    """A registry file that cannot be used. Carries every issue found, not just the first."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = sorted(issues, key=lambda i: (i.file, i.line, i.column, i.path))
        n = len(self.issues)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the registry")


class UnknownModelError(LlmcatError, LookupError):
    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        msg = f"unknown model or family {name!r}"
        if suggestions:
            msg += f". Did you mean: {', '.join(suggestions)}?"
        super().__init__(msg)


class HubError(LlmcatError):
    """The Hugging Face Hub could not be used (down, refused, timed out, bad answer)."""


class AmbiguousNameError(LlmcatError, LookupError):
    """A name that fits several models or families equally well."""

    def __init__(self, name: str, candidates: list[str]) -> None:
        self.name = name
        self.candidates = candidates
        shown = ", ".join(candidates[:12]) + (f" (and {len(candidates) - 12} more)" if len(candidates) > 12 else "")
        super().__init__(f"{name!r} is ambiguous: it could be {shown}. Name one of them")
