"""Loading with the compiled index: a warm start reads one marshal file and never parses YAML.

The validated registry, with every model's derived commercial status, is compiled to an index in the
cache directory, keyed by a hash of the files' content; a stamp keyed by the files' size, mtime and
inode remembers that hash. The bundled files' validated parse is cached too, so a new user registry
does not make llmcat read the bundled YAML again.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import time
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from llmcat import __version__
from llmcat.cache import atomic_write_bytes, cache_dir, read_cache_bytes
from llmcat.errors import Issue
from llmcat.records import Arch, License, Model, Org
from llmcat.registry.sources import Source, bundled_sources, user_source
from llmcat.registry.store import Registry

if TYPE_CHECKING:
    from llmcat.registry.compile import Parsed

_INDEX_FORMAT = 8
_INDEX_KEEP = 8  # compiled indexes kept in the cache; older ones are pruned
_MAGIC = b"LLMCATIX"
_KEY = re.compile(rb"[0-9a-f]{32}")
# A file changed less than this long before llmcat looked at it is "racily clean" (git's term): a later
# edit within the same timestamp tick could keep its size, mtime and ctime, so no stamp is written for
# it and its content is hashed instead. Two seconds covers the coarsest file systems (FAT's mtime).
_RACY_NS = 2_000_000_000
# The row layout is part of every key: an index written by a build whose records have other fields is
# never read, even under the same version and format number.
_LAYOUT = "|".join(",".join(t._fields) for t in (Model, License, Arch))


def _content_key(sources: Sequence[Source]) -> str:
    h = hashlib.sha256(f"llmcat {__version__} index {_INDEX_FORMAT} {_LAYOUT}\0".encode())
    for s in sources:
        data = s.data
        h.update(f"{s.origin}\0{len(data)}\0".encode(errors="backslashreplace"))
        h.update(data)
    return h.hexdigest()[:32]


def _stat_key(sources: Sequence[Source]) -> tuple[str | None, bool]:
    """The key of the stamp for the files as they are now, and whether a stamp may be written for them.

    None when a source has no file behind it. The second value is False when a file is racily clean
    (changed within :data:`_RACY_NS` of now): its stamp could not tell a same-tick edit apart.
    """
    now = time.time_ns()  # before the stats: a file changed after this moment is caught as racy
    prints = [s.fingerprint() for s in sources]
    if any(p is None for p in prints):
        return None, False
    h = hashlib.sha256(f"llmcat {__version__} stat {_INDEX_FORMAT} {_LAYOUT}\0".encode())
    stampable = True
    for p in prints:
        assert p is not None
        h.update(p[0] + b"\n")
        stampable = stampable and now - p[1] >= _RACY_NS
    return h.hexdigest()[:32], stampable


def _read_stamp(path: Path) -> str | None:
    """The content key a stamp file names, or None if it is missing or not exactly one key."""
    data = read_cache_bytes(path, limit=64)
    if data is None:
        return None
    data = data.strip()
    return data.decode("ascii") if _KEY.fullmatch(data) else None


def _read_index(path: Path, key: str, origins: tuple[str, ...]) -> Registry | None:
    """The registry compiled at ``path`` for the sources with content ``key`` and ``origins``, or None
    if the file is missing, damaged, foreign, or was compiled from other sources."""
    import marshal

    blob = read_cache_bytes(path)
    if blob is None:
        return None
    head = len(_MAGIC) + 1 + 4
    if len(blob) < head or not blob.startswith(_MAGIC) or blob[len(_MAGIC)] != _INDEX_FORMAT:
        return None
    checksum, payload = blob[len(_MAGIC) + 1 : head], blob[head:]
    if zlib.crc32(payload).to_bytes(4, "big") != checksum:
        return None  # torn or damaged: never hand it to marshal
    try:
        stored_key, stored_origins, index = marshal.loads(payload)
    except Exception:  # anything marshal can make of foreign bytes: a miss
        return None
    if stored_key != key or stored_origins != origins:
        return None  # another registry's index, or a stamp that points at the wrong one
    return Registry.from_index(index)


def _write_index(path: Path, reg: Registry, key: str, origins: tuple[str, ...]) -> None:
    import marshal

    payload = marshal.dumps((key, origins, reg.to_index()))
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

    The index is keyed by a hash of the files' content, and records that key and the sources' origins,
    which are checked before it is used. A stamp keyed by the files' path, size, mtime, ctime and inode
    remembers that hash, so an unchanged file is not even read (git's stat cache, in small); no stamp
    is written for a file changed in the last two seconds (git's "racily clean" rule).
    Nothing in the cache is trusted: a missing, damaged or foreign file is a miss.
    """
    # Validation (and pydantic with it) is imported only when there is something to compile.
    if not use_cache:
        from llmcat.registry.compile import compile_sources

        return compile_sources(sources)
    folder = index_dir or cache_dir() / "index"
    origins = tuple(s.origin for s in sources)
    stat_key, stampable = _stat_key(sources)
    stamp = folder / f"{stat_key}.stamp" if stat_key else None
    if stamp is not None:
        known = _read_stamp(stamp)
        if known is not None:
            reg = _read_index(folder / f"{known}.idx", known, origins)
            if reg is not None:
                return reg
    content_key = _content_key(sources)
    path = folder / f"{content_key}.idx"
    reg = _read_index(path, content_key, origins)
    fresh = reg is None
    if reg is None:
        from llmcat.registry.compile import compile_sources

        reg = compile_sources(sources, parse=lambda s, issues: _parse(s, issues, folder))
    try:
        if fresh:
            _write_index(path, reg, content_key, origins)
        if stamp is not None and stampable:
            atomic_write_bytes(stamp, content_key.encode())
            _prune(folder, "*.stamp", keep=4 * _INDEX_KEEP)
    except (OSError, ValueError):
        pass  # an unwritable cache only costs speed
    return reg


def _parse(source: Source, issues: list[Issue], folder: Path | None) -> Parsed | None:
    """A source validated on its own; the bundled files' result is kept in the cache (``folder``), so
    a new or edited user registry does not make llmcat read the bundled YAML again."""
    from llmcat.registry.compile import Parsed, validate_file

    if folder is None or source.origin != "bundled":
        return validate_file(source, issues)
    import marshal

    h = hashlib.sha256(f"llmcat {__version__} source {_INDEX_FORMAT} {_LAYOUT}\0{source.display}\0".encode())
    h.update(source.data)
    key = h.hexdigest()[:32]
    path = folder / f"{key}.src"
    # The file is checked against the source it claims to describe: its key, and entries if the
    # source has any (a checksum-valid but empty parse must not make the catalogue silently empty).
    blob = read_cache_bytes(path)
    if blob is not None and zlib.crc32(blob[4:]).to_bytes(4, "big") == blob[:4]:
        try:
            stored_key, license_rows, model_rows, org_rows = marshal.loads(blob[4:])
            if stored_key == key and (bool(license_rows) or bool(model_rows) or bool(org_rows)) == (
                b"id:" in source.data
            ):
                cached = Parsed(source, "")
                cached.orgs = [(i, Org._make(r)) for i, r in enumerate(org_rows)]
                cached.licenses = [(i, License.from_row(r)) for i, r in enumerate(license_rows)]
                cached.models = [(i, Model.from_row(r)) for i, r in enumerate(model_rows)]
                return cached
        except Exception:  # anything foreign bytes can make marshal or the records raise: a miss
            pass
    before = len(issues)
    parsed = validate_file(source, issues)
    if parsed is not None and len(issues) == before:
        payload = marshal.dumps(
            (
                key,
                tuple(lic.to_row() for _, lic in parsed.licenses),
                tuple(m.to_row() for _, m in parsed.models),
                tuple(tuple(o) for _, o in parsed.orgs),
            )
        )
        with contextlib.suppress(OSError, ValueError):
            atomic_write_bytes(path, zlib.crc32(payload).to_bytes(4, "big") + payload)
            _prune(folder, "*.src", keep=_INDEX_KEEP)
    return parsed
