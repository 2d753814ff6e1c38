"""Registry files: the bundled ones and the user's, each read lazily."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from llmcat.errors import LlmcatError, shown_path

REGISTRY_ENV = "LLMCAT_REGISTRY"
MAX_FILE_BYTES = 64 * 1024 * 1024  # a registry file larger than this is refused (100,000 entries: ~40 MB)


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
            from llmcat.cache import read_regular

            # The bundled files are llmcat's own; the limit guards against what a user points llmcat at.
            limit = MAX_FILE_BYTES if self.origin != "bundled" else 1 << 40
            self._data = read_regular(self.path, limit, what=f"registry {shown_path(self.display)!r}")
        return self._data

    def fingerprint(self) -> tuple[bytes, int] | None:
        """What the file's metadata says about its content, or None (no file, or already read).

        Returns the fingerprint (path, device, inode, size, mtime and ctime, all in nanoseconds) and
        the newer of mtime and ctime. ctime cannot be set back by ``touch -r``, ``cp -p`` or
        ``rsync -t``, so an edit that restores the size and mtime still changes the fingerprint.
        """
        if self.path is None or self._data is not None:
            return None
        try:
            st = self.path.stat()
            where = os.fsencode(os.path.realpath(self.path))
        except (OSError, ValueError) as e:
            raise LlmcatError(
                f"cannot read registry {shown_path(self.display)!r}: {getattr(e, 'strerror', None) or e}"
            ) from None
        meta = f"\0{st.st_dev}\0{st.st_ino}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}".encode()
        return where + meta, max(st.st_mtime_ns, st.st_ctime_ns)


def bundled_path(name: str) -> Path:
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
        path = bundled_path(name)
        out.append(Source(str(path), None, origin="bundled", path=path))
    return out


def user_source(path: Path) -> Source:
    import stat

    shown = shown_path(path, None)
    try:
        st = path.stat()
    except (OSError, ValueError) as e:  # missing, too long, a NUL byte, a loop of links ...
        reason = "no such file" if isinstance(e, FileNotFoundError) else getattr(e, "strerror", None) or str(e)
        raise LlmcatError(f"cannot read registry {shown_path(path)!r}: {reason}") from None
    if not stat.S_ISREG(st.st_mode):
        raise LlmcatError(f"cannot read registry {shown_path(path)!r}: not a regular file")
    return Source(shown, None, origin=shown, path=path)


def user_paths_from_env(env: Mapping[str, str] | None = None) -> list[Path]:
    """User registries named by ``$LLMCAT_REGISTRY`` (separated like PATH)."""
    value = (env if env is not None else os.environ).get(REGISTRY_ENV, "")
    return [Path(p).expanduser() for p in value.split(os.pathsep) if p.strip()]
