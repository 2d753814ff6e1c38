"""Loading with the compiled index: a warm start reads one marshal file and never parses YAML.

The validated registry, with every model's derived commercial status, is compiled to an index in the
cache directory, keyed by a hash of the files' content; a stamp keyed by the files' size, mtime and
inode remembers that hash. The bundled files' validated parse is cached too, so a new user registry
does not make llmcat read the bundled YAML again.
"""

from __future__ import annotations

import contextlib
import hashlib
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from llmcat import __version__
from llmcat.cache import atomic_write_bytes, cache_dir
from llmcat.errors import Issue
from llmcat.records import License, Model, Org
from llmcat.registry.compile import Parsed, compile_sources, validate_file
from llmcat.registry.sources import Source, bundled_sources, user_source
from llmcat.registry.store import Registry

_INDEX_FORMAT = 7
_INDEX_KEEP = 8  # compiled indexes kept in the cache; older ones are pruned
_MAGIC = b"LLMCATIX"


def _content_key(sources: Sequence[Source]) -> str:
    h = hashlib.sha256(f"llmcat {__version__} index {_INDEX_FORMAT}\0".encode())
    for s in sources:
        data = s.data
        h.update(f"{s.origin}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()[:32]


def _stat_key(sources: Sequence[Source]) -> str | None:
    prints = [s.fingerprint() for s in sources]
    if any(p is None for p in prints):
        return None
    h = hashlib.sha256(f"llmcat {__version__} stat {_INDEX_FORMAT}\0".encode())
    h.update("\n".join(p for p in prints if p).encode())
    return h.hexdigest()[:32]


def _read_index(path: Path) -> Registry | None:
    """The registry compiled at ``path``, or None if it is missing, corrupt or foreign."""
    import marshal

    try:
        blob = path.read_bytes()
    except OSError:
        return None
    head = len(_MAGIC) + 1 + 4
    if len(blob) < head or not blob.startswith(_MAGIC) or blob[len(_MAGIC)] != _INDEX_FORMAT:
        return None
    checksum, payload = blob[len(_MAGIC) + 1 : head], blob[head:]
    if zlib.crc32(payload).to_bytes(4, "big") != checksum:
        return None  # torn or damaged: never hand it to marshal
    try:
        index = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    return Registry.from_index(index)


def _write_index(path: Path, reg: Registry) -> None:
    import marshal

    payload = marshal.dumps(reg.to_index())
    blob = _MAGIC + bytes([_INDEX_FORMAT]) + zlib.crc32(payload).to_bytes(4, "big") + payload
    atomic_write_bytes(path, blob)
    _prune(path.parent, "*.idx", keep=_INDEX_KEEP)


def _prune(folder: Path, pattern: str, keep: int) -> None:
    try:
        files = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[keep:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def load_registry(
    user_paths: Iterable[Path] = (),
    *,
    use_cache: bool = True,
    index_dir: Path | None = None,
) -> Registry:
    """The bundled registry with ``user_paths`` layered on top (same id = replaced).

    Raises RegistryError listing every problem found in every file.
    """
    sources = bundled_sources() + [user_source(p) for p in user_paths]
    return load_sources(sources, use_cache=use_cache, index_dir=index_dir)


def load_sources(sources: Sequence[Source], *, use_cache: bool = True, index_dir: Path | None = None) -> Registry:
    """Validate and compile ``sources``, or reuse the index compiled from the same content.

    The index is keyed by a hash of the files' content. A stamp keyed by the files' size, mtime and
    inode remembers that hash, so an unchanged file is not even read (git's stat cache, in small).
    """
    if not use_cache:
        return compile_sources(sources)
    folder = index_dir or cache_dir() / "index"
    stat_key = _stat_key(sources)
    stamp = folder / f"{stat_key}.stamp" if stat_key else None
    if stamp is not None:
        try:
            content_key = stamp.read_text().strip()
        except OSError:
            content_key = ""
        if len(content_key) == 32:
            reg = _read_index(folder / f"{content_key}.idx")
            if reg is not None:
                return reg
    content_key = _content_key(sources)
    path = folder / f"{content_key}.idx"
    reg = _read_index(path)
    fresh = reg is None
    if reg is None:
        reg = compile_sources(sources, parse=lambda s, issues: _parse(s, issues, folder))
    try:
        if fresh:
            _write_index(path, reg)
        if stamp is not None:
            atomic_write_bytes(stamp, content_key.encode())
            _prune(folder, "*.stamp", keep=4 * _INDEX_KEEP)
    except OSError:
        pass  # an unwritable cache only costs speed
    return reg


def _parse(source: Source, issues: list[Issue], folder: Path | None) -> Parsed | None:
    """A source validated on its own; the bundled files' result is kept in the cache (``folder``), so
    a new or edited user registry does not make llmcat read the bundled YAML again."""
    if folder is None or source.origin != "bundled":
        return validate_file(source, issues)
    import marshal

    h = hashlib.sha256(f"llmcat {__version__} source {_INDEX_FORMAT}\0{source.display}\0".encode())
    h.update(source.data)
    path = folder / f"{h.hexdigest()[:32]}.src"
    try:
        blob = path.read_bytes()
        if zlib.crc32(blob[4:]).to_bytes(4, "big") == blob[:4]:
            license_rows, model_rows, org_rows = marshal.loads(blob[4:])
            cached = Parsed(source, "")
            cached.orgs = [(i, Org._make(r)) for i, r in enumerate(org_rows)]
            cached.licenses = [(i, License.from_row(r)) for i, r in enumerate(license_rows)]
            cached.models = [(i, Model.from_row(r)) for i, r in enumerate(model_rows)]
            return cached
    except (OSError, ValueError, EOFError, TypeError, IndexError):
        pass
    before = len(issues)
    parsed = validate_file(source, issues)
    if parsed is not None and len(issues) == before:
        payload = marshal.dumps(
            (
                tuple(lic.to_row() for _, lic in parsed.licenses),
                tuple(m.to_row() for _, m in parsed.models),
                tuple(tuple(o) for _, o in parsed.orgs),
            )
        )
        with contextlib.suppress(OSError):
            atomic_write_bytes(path, zlib.crc32(payload).to_bytes(4, "big") + payload)
            _prune(folder, "*.src", keep=_INDEX_KEEP)
    return parsed
