"""Errors a user can act on, and the exit codes they map to. No third-party imports."""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # something the user can fix: bad data, unknown model, drift found, hub failure with --strict
    USAGE = 2  # bad command line (Typer/Click convention)
    INTERRUPTED = 130


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
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


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
