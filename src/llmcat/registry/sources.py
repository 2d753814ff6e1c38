"""Registry files: the bundled ones and the user's, each read lazily."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from llmcat.errors import LlmcatError

REGISTRY_ENV = "LLMCAT_REGISTRY"


class Source:
    """One registry file: how to name it in messages, where it came from, and its bytes (read lazily)."""

    __slots__ = ("_data", "display", "origin", "path")

    def __init__(self, display: str, data: bytes | None, origin: str, path: Path | None = None) -> None:
        self.display = display
        self.origin = origin  # "bundled" for the shipped files, else the user file's path
        self.path = path
        self._data = data

    @property
    def data(self) -> bytes:
        if self._data is None:
            assert self.path is not None
            try:
                self._data = self.path.read_bytes()
            except OSError as e:
                raise LlmcatError(f"cannot read registry {self.display!r}: {e.strerror or e}") from None
        return self._data

    def fingerprint(self) -> str | None:
        """Size, mtime and inode of the file: a cheap stand-in for its content hash, or None."""
        if self.path is None or self._data is not None:
            return None
        try:
            st = self.path.stat()
        except OSError as e:
            raise LlmcatError(f"cannot read registry {self.display!r}: {e.strerror or e}") from None
        return f"{self.path.resolve()}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}"


def _bundled_path(name: str) -> Path:
    # Installed wheel: llmcat/data/NAME beside this module. Source checkout (editable install, tests):
    # the registry lives at the top-level data/. (Plain paths, not importlib.resources: llmcat is never
    # run from a zip, and the import costs start-up time.)
    here = Path(__file__).parent.parent
    for path in (here / "data" / name, here.parent.parent / "data" / name):
        if path.is_file():
            return path
    raise LlmcatError(f"the bundled registry file {name} is missing; reinstall llmcat")


def bundled_sources() -> list[Source]:
    out = []
    for name in ("orgs.yaml", "licenses.yaml", "models.yaml"):
        path = _bundled_path(name)
        out.append(Source(str(path), None, origin="bundled", path=path))
    return out


def user_source(path: Path) -> Source:
    if not path.is_file():
        reason = "no such file" if not path.exists() else "not a regular file"
        raise LlmcatError(f"cannot read registry {str(path)!r}: {reason}")
    return Source(str(path), None, origin=str(path), path=path)


def user_paths_from_env(env: Mapping[str, str] | None = None) -> list[Path]:
    """User registries named by ``$LLMCAT_REGISTRY`` (separated like PATH)."""
    value = (env if env is not None else os.environ).get(REGISTRY_ENV, "")
    return [Path(p).expanduser() for p in value.split(os.pathsep) if p.strip()]
