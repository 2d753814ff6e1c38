"""The cache is never trusted: every damaged, foreign, odd or unwritable cache state still gives the right
answer, with no traceback and no hang. Each case runs llmcat as a real subprocess."""

from __future__ import annotations

import json
import marshal
import os
import random
import signal
import stat
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import pytest

from llmcat.hubcache import HubCache

from .conftest import SMALL
from .test_entrypoints import _env, installed_llmcat

TIMEOUT = 60


def run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [installed_llmcat(), *args],
        capture_output=True,
        text=True,
        env=env or _env(tmp_path),
        timeout=TIMEOUT,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr, proc.stderr
    return proc


def listing(tmp_path: Path, *extra: str, env: dict[str, str] | None = None) -> str:
    proc = run(tmp_path, "list", "--json", "--registry", str(SMALL), *extra, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", proc.stderr
    return proc.stdout


def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "index"


@pytest.fixture
def good(tmp_path: Path) -> str:
    """The right answer, computed without any cache."""
    env = {**_env(tmp_path), "LLMCAT_CACHE_DIR": str(tmp_path / "reference-cache")}
    return listing(tmp_path, env=env)


DAMAGES = ["random", "flip", "grow", "empty", "zero-link", "fifo", "directory", "key-of-idx"]


def _damage(f: Path, damage: str, folder: Path) -> None:
    data = f.read_bytes() if f.is_file() else b""
    f.unlink()
    if damage == "random":
        f.write_bytes(random.Random(1).randbytes(max(len(data), 40)))
    elif damage == "flip":
        i = len(data) // 2
        f.write_bytes(data[:i] + bytes([data[i] ^ 0x10]) + data[i + 1 :])
    elif damage == "grow":
        f.write_bytes(data + b"\n" + data)
    elif damage == "empty":
        f.write_bytes(b"")
    elif damage == "zero-link":
        f.symlink_to("/dev/zero")
    elif damage == "fifo":
        os.mkfifo(f)
    elif damage == "directory":
        f.mkdir()
    else:  # a stamp or index naming a key that exists but belongs to something else
        other = sorted(folder.glob("*.idx"))
        f.write_bytes(other[0].stem.encode() if f.suffix == ".stamp" else data[:-3] + b"abc")


def test_damaged_cache_files_are_misses(tmp_path: Path, good: str) -> None:
    """Random bytes, a flipped bit, another size, empty, /dev/zero, a FIFO, a directory, a foreign key: each
    damage done to every stamp, index and bundled parse at once (a run reads them in that order)."""
    for damage in DAMAGES:
        cache = tmp_path / f"cache-{damage}"
        env = {**_env(tmp_path), "LLMCAT_CACHE_DIR": str(cache)}
        assert listing(tmp_path, env=env) == good
        files = [f for kind in ("stamp", "idx", "src") for f in sorted((cache / "index").glob(f"*.{kind}"))]
        assert {f.suffix for f in files} >= {".idx", ".src"}
        for f in files:
            _damage(f, damage, cache / "index")
        started = time.perf_counter()
        assert listing(tmp_path, env=env) == good, damage
        assert time.perf_counter() - started < 20, damage


def _rewrite_index(path: Path, change: object) -> None:
    blob = path.read_bytes()
    head = 8 + 1 + 4
    key, origins, index = marshal.loads(blob[head:])
    payload = marshal.dumps(change(key, origins, index))  # type: ignore[operator]
    path.write_bytes(blob[:9] + zlib.crc32(payload).to_bytes(4, "big") + payload)


def _checksum_valid_but_wrong(tmp_path: Path, good: str, how: str) -> None:
    assert listing(tmp_path) == good
    (idx,) = index_dir(tmp_path).glob("*.idx")

    def change(key: str, origins: tuple[str, ...], index: Any) -> object:
        version, lics, rows, statuses, orgs = index
        if how == "wrong-types":
            rows = tuple((*r[:11], "128k", *r[12:]) for r in rows)  # context_tokens as a string
        elif how == "short-rows":
            rows = tuple(r[:-1] for r in rows)
        elif how == "other-key":
            key = "0" * 32
        elif how == "other-sources":
            origins = (*origins[:-1],)
        elif how == "bad-status":
            statuses = tuple("maybe" for _ in statuses)
        elif how == "bad-orgs":
            orgs = tuple((o[0], 42, *o[2:]) for o in orgs)
        else:
            return "not an index"
        return (key, origins, (version, lics, rows, statuses, orgs))

    _rewrite_index(idx, change)
    assert listing(tmp_path) == good, how


def test_checksum_valid_but_wrong_index_is_a_miss(tmp_path: Path, good: str) -> None:
    for how in ("wrong-types", "short-rows", "other-key", "other-sources", "bad-status", "bad-orgs", "not-a-tuple"):
        _checksum_valid_but_wrong(tmp_path, good, how)


def test_an_index_from_another_registry_or_swapped_stamps(tmp_path: Path, good: str) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(
        SMALL.read_text()
        + "  - id: extra-one\n    name: Extra\n    family: extra\n    org: X\n    license: t-permissive\n"
        "    sources: [https://example.org/extra]\n"
    )
    time.sleep(2.1)  # past the racily-clean window: both get stamps
    assert listing(tmp_path) == good
    second = run(tmp_path, "list", "--json", "--registry", str(other)).stdout
    stamps = sorted(index_dir(tmp_path).glob("*.stamp"), key=lambda p: p.stat().st_mtime)
    indexes = sorted(index_dir(tmp_path).glob("*.idx"), key=lambda p: p.stat().st_mtime)
    assert len(stamps) == 2
    assert len(indexes) == 2
    # Swap the stamps, then swap the indexes' contents: every answer must still be right.
    a, b = stamps[0].read_bytes(), stamps[1].read_bytes()
    stamps[0].write_bytes(b)
    stamps[1].write_bytes(a)
    assert listing(tmp_path) == good
    assert run(tmp_path, "list", "--json", "--registry", str(other)).stdout == second
    a, b = indexes[0].read_bytes(), indexes[1].read_bytes()
    indexes[0].write_bytes(b)
    indexes[1].write_bytes(a)
    assert listing(tmp_path) == good
    assert run(tmp_path, "list", "--json", "--registry", str(other)).stdout == second


def test_an_empty_bundled_parse_is_never_trusted(tmp_path: Path) -> None:
    proc = run(tmp_path, "list", "-q")
    full = proc.stdout
    assert len(full.splitlines()) > 300
    for src in index_dir(tmp_path).glob("*.src"):
        key, _, _, _ = marshal.loads(src.read_bytes()[4:])
        payload = marshal.dumps((key, (), (), ()))
        src.write_bytes(zlib.crc32(payload).to_bytes(4, "big") + payload)
    for f in [*index_dir(tmp_path).glob("*.idx"), *index_dir(tmp_path).glob("*.stamp")]:
        f.unlink()
    assert run(tmp_path, "list", "-q").stdout == full
    assert run(tmp_path, "list", "-q").stdout == full  # and the empty result was not compiled in


def test_an_edit_that_keeps_size_and_mtime_is_seen(tmp_path: Path) -> None:
    """`cp -p`, `rsync -t`, `tar -x` and `touch -r` restore the mtime; the size can stay the same too."""
    reg = tmp_path / "mine.yaml"
    reg.write_text(
        "schema_version: 1\nmodels:\n  - id: mine\n    name: Mine\n    family: mine\n    org: Me\n"
        "    license: bsd-3-clause\n    sources: [https://example.org]\n"
    )
    old = time.time() - 3600
    os.utime(reg, (old, old))
    time.sleep(2.1)  # let the ctime age past the racily-clean window, so that a stamp is written
    show = ["show", "mine", "--json", "--registry", str(reg)]
    assert json.loads(run(tmp_path, *show).stdout)["commercial"] == "yes"
    assert json.loads(run(tmp_path, *show).stdout)["commercial"] == "yes"
    assert list(index_dir(tmp_path).glob("*.stamp"))
    st = reg.stat()
    reg.write_text(reg.read_text().replace("bsd-3-clause", "cc-by-nc-4.0"))
    os.utime(reg, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert reg.stat().st_size == st.st_size
    assert reg.stat().st_mtime_ns == st.st_mtime_ns
    assert json.loads(run(tmp_path, *show).stdout)["commercial"] == "no"


def test_a_file_changed_just_now_is_not_stamped(tmp_path: Path) -> None:
    reg = tmp_path / "mine.yaml"
    reg.write_text(SMALL.read_text())
    run(tmp_path, "list", "-q", "--registry", str(reg))
    assert list(index_dir(tmp_path).glob("*.idx"))
    assert not list(index_dir(tmp_path).glob("*.stamp"))


ODD_HUB_FILES: list[dict[str, Any]] = [
    {"fetched_at": float("nan")},
    {"fetched_at": float("inf")},
    {"fetched_at": 1e308},
    {"fetched_at": -5.0},
    {"fetched_at": "yesterday"},
    {"repo": 12},
    {"facts": {"downloads": "many", "likes": "12", "params": [1], "trending_score": "hot"}},
    {"facts": {"base_model": [1, 2, {"a": 1}], "license": 5, "gated": "sometimes"}},
    {"facts": {"downloads": 10**40, "likes": -3, "params": 2**64, "trending_score": float("nan")}},
    {"facts": {"base_model": "acme/base", "created_at": ["x"]}},
]


def test_odd_hub_cache_values_are_checked(tmp_path: Path) -> None:
    """NaN, infinite, huge or negative fetch times, strings where counts belong, numbers in base_model,
    huge integers: each repo's cache file gets one kind of oddity, and every command still works."""
    from .test_hub import REG  # a registry whose models have Hub repos

    reg = REG[-1]
    cache = HubCache(tmp_path / "cache" / "hub", clock=time.time)
    listed = json.loads(run(tmp_path, "list", "--json", "--registry", reg).stdout)
    repos = [r["hf_repos"][0] for r in listed if r["origin"] != "bundled" and r["hf_repos"]]
    assert repos
    for start in range(0, len(ODD_HUB_FILES), len(repos)):
        for repo, odd in zip(repos, ODD_HUB_FILES[start:], strict=False):
            cache.put(repo, {"downloads": 5, "likes": 1, "base_model": ["acme/base"]})
            path = cache.path(repo)
            data = json.loads(path.read_text())
            for key, value in odd.items():
                if key == "facts":
                    data["facts"].update(value)
                else:
                    data[key] = value
            path.write_text(json.dumps(data))
        for args in (
            ["list", "--live", "--offline", "--json", "--sort", "downloads"],
            ["list", "--live", "--offline", "--format", "csv"],
            ["hub", "drift", "--offline"],
        ):
            proc = run(tmp_path, *args, "--registry", reg)
            assert proc.returncode in {0, 1}, (args, proc.stderr)
            if "--json" in args:
                json.loads(proc.stdout)
            assert proc.stderr.count("\n") <= 3, proc.stderr


def test_cache_folder_that_cannot_be_written_or_is_missing(tmp_path: Path, good: str) -> None:
    for folder in ("/proc/self/llmcat-cache", str(tmp_path / "missing" / "deeper")):
        env = {**_env(tmp_path), "LLMCAT_CACHE_DIR": folder}
        assert listing(tmp_path, env=env) == good
        assert run(tmp_path, "cache", "clear", env=env).returncode == 0
    if os.geteuid() != 0:  # root writes anywhere: this case only means something for a user
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
        env = {**_env(tmp_path), "LLMCAT_CACHE_DIR": str(ro)}
        assert listing(tmp_path, env=env) == good


def test_cache_clear_with_odd_contents(tmp_path: Path) -> None:
    run(tmp_path, "list", "-q")
    hub = tmp_path / "cache" / "hub"
    hub.mkdir(parents=True)
    os.mkfifo(hub / "fifo.json")
    (hub / "link.json").symlink_to("/dev/zero")
    proc = run(tmp_path, "cache", "clear")
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "cache" / "index").exists()
    assert not hub.exists()


def _whole(folder: Path) -> list[str]:
    """Files in the index folder that are not whole (temp files from killed writers are allowed)."""
    bad = []
    for f in folder.iterdir():
        if f.name.startswith("."):
            continue
        data = f.read_bytes()
        if f.suffix == ".idx":
            ok = data.startswith(b"LLMCATIX") and zlib.crc32(data[13:]).to_bytes(4, "big") == data[9:13]
        elif f.suffix == ".src":
            ok = zlib.crc32(data[4:]).to_bytes(4, "big") == data[:4]
        else:
            ok = len(data.strip()) == 32
        if not ok:
            bad.append(f.name)
    return bad


def _big_registry(tmp_path: Path, n: int = 3000) -> Path:
    models = [
        {
            "id": f"synth-{i}",
            "name": f"Synth {i}",
            "family": "synth",
            "org": "Synth",
            "license": "apache-2.0",
            "base_model": f"synth-{i - 1}" if i % 5 else None,
            "sources": ["https://example.org"],
        }
        for i in range(n)
    ]
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"schema_version": 1, "models": models}))
    return path


def test_eight_processes_compile_one_cold_cache_at_once(tmp_path: Path) -> None:
    reg = _big_registry(tmp_path)
    cmd = [installed_llmcat(), "list", "-q", "--registry", str(reg)]
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(tmp_path))
        for _ in range(8)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    assert len({o[0] for o in outs}) == 1
    assert all(o[1] == "" for o in outs)
    assert _whole(index_dir(tmp_path)) == []
    assert run(tmp_path, "list", "-q", "--registry", str(reg)).stdout == outs[0][0]


def test_kill_9_during_a_compile_leaves_only_whole_files(tmp_path: Path) -> None:
    reg = _big_registry(tmp_path)
    cmd = [installed_llmcat(), "list", "-q", "--registry", str(reg)]
    env = _env(tmp_path)
    expected = subprocess.run(
        cmd, capture_output=True, text=True, env={**env, "LLMCAT_CACHE_DIR": str(tmp_path / "ref")}, check=True
    ).stdout
    rng = random.Random(12)
    for _ in range(6):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        time.sleep(rng.uniform(0.1, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=TIMEOUT)
        if index_dir(tmp_path).exists():
            assert _whole(index_dir(tmp_path)) == []
        for f in list(index_dir(tmp_path).glob("*.idx")) if index_dir(tmp_path).exists() else []:
            f.unlink()  # make the next run compile again
    assert run(tmp_path, "list", "-q", "--registry", str(reg)).stdout == expected
    assert sys.platform != "win32"


def test_every_record_field_has_its_index_type_check() -> None:
    """A field added to Model or License must get its allowed types in registry/store.py (_MODEL_TYPES)."""
    from llmcat.records import License, Model
    from llmcat.registry.store import _LICENSE_TYPES, _MODEL_TYPES

    assert set(_MODEL_TYPES) == set(Model._fields)
    assert set(_LICENSE_TYPES) == set(License._fields)
