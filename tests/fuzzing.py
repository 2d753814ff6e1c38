"""Shared pieces of the fuzz tests (tests/test_fuzz_*.py) and of the long run (scripts/fuzz.py).

The number of cases per test comes from ``LLMCAT_FUZZ_EXAMPLES`` (CI: a short profile; scripts/fuzz.py
sets a long one). Every case must end in exit 0, 1 or 2 (the loader: a Registry or a RegistryError), with
no traceback, errors in the documented one-line format, within a time and memory bound.
"""

from __future__ import annotations

import json
import os
import re
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from llmcat.errors import RegistryError
from llmcat.registry import Registry, Source, load_sources

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "small.yaml"

CASE_SECONDS = 10.0  # a generous bound on one case on a loaded 2-core machine (typical: milliseconds)
MEMORY_BYTES = 1_500_000_000  # peak resident size of the test process

ISSUE_LINE = re.compile(r"^[^\n]*:\d+:\d+: [^\n]+$")
CASES = {"loader": 0, "cli": 0}  # cases checked in this process (benchmarks/fuzz.py reports them)


def examples(default: int) -> int:
    return int(os.environ.get("LLMCAT_FUZZ_EXAMPLES", default))


F = TypeVar("F", bound=Callable[..., Any])


def fuzz_settings(default: int) -> Callable[[F], F]:
    return settings(
        max_examples=examples(default),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
        database=None,
    )


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


# --------------------------------------------------------------------------- registries to mutate

SEED_YAML = SMALL.read_bytes()


def _seed_json() -> bytes:
    from llmcat import yamlsrc

    return json.dumps(yamlsrc.load(SEED_YAML.decode(), "small.yaml"), indent=1, ensure_ascii=False).encode()


SEED_JSON = _seed_json()

# Fragments that have broken YAML/JSON loaders before: tags, anchors, aliases, merges, deep nesting,
# huge numbers, control characters, documents, odd keys.
NASTY = [
    b"!!bool ",
    b"!!timestamp ",
    b"!!timestamp 2023-02-30",
    b"!!float ",
    b"!!int ",
    b"!!binary ",
    b"!!python/object:os.system ",
    b"!!set ",
    b"!custom ",
    b"&a ",
    b"*a",
    b"<<: *a\n",
    b"[" * 200,
    b"{" * 100,
    b"- " * 100,
    b"9" * 5000,
    b"1e999",
    b"-0x",
    b".nan",
    b"10000000000000000000",
    b"\x00",
    b"\x7f",
    b"\xc2\x85",
    b"\xc2\x9b",
    b"\xef\xbf\xbe",
    b"\x1b[2J",
    b"\xff",
    b"\n---\n",
    b"? [a]\n: b\n",
    b"\t",
    b'"',
    b"'",
    b"#",
    b": ",
    b"\\u0000",
    b'\\ud800"',
    b"\xe6\x97\xa5\xe6\x9c\xac",
    b"NaN",
    b"Infinity",
    b"null",
    b"true",
    b"~",
    b"base_model: ",
    b"license: ",
    b"aliases: [",
    b"id: ",
]


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            data += draw(st.sampled_from(NASTY))
            continue
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["insert", "delete", "replace", "duplicate", "flip", "bytes"]))
        if op == "insert":
            data[at:at] = draw(st.sampled_from(NASTY))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 200))]
        elif op == "replace":
            data[at : at + draw(st.integers(1, 20))] = draw(st.sampled_from(NASTY))
        elif op == "duplicate":
            size = draw(st.integers(1, 400))
            data[at:at] = data[at : at + size]
        elif op == "flip" and at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=20))
    return bytes(data)


def alias_bomb(levels: int, width: int) -> bytes:
    lines = ["schema_version: 1", "a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels)]
    return ("\n".join(lines) + "\n").encode()


def check_load(data: bytes, name: str) -> Registry | None:
    """Load ``data`` as a user registry named ``name`` (with the seed's licences). Asserts the contract."""
    CASES["loader"] += 1
    started = time.perf_counter()
    problems: list[Any] | None = None
    try:
        reg: Registry | None = load_sources([Source(name, data, origin=name)], use_cache=False)
    except RegistryError as e:
        reg, problems = None, e.issues
    if problems is not None:
        assert problems, "a RegistryError always carries its issues"
        for issue in problems:
            line = str(issue)
            assert ISSUE_LINE.match(line), line
            assert line.startswith(f"{name}:"), line
            assert issue.line >= 1
            assert issue.column >= 1
    elapsed = time.perf_counter() - started
    assert elapsed < CASE_SECONDS, f"{elapsed:.1f} s"
    assert peak_rss() < MEMORY_BYTES
    if reg is not None:
        from llmcat.formats import dumps_json, model_record
        from llmcat.views import build

        for mid in list(reg.models)[:50]:  # whatever loads must also print (64-bit ints, NaN ...)
            dumps_json(model_record(build(reg, reg.models[mid], detail=True), detail=True))
    return reg


# --------------------------------------------------------------------------- command lines

WORDS = ["llama", "qwen", "Llama 3", "", " ", "\x1b[2J", "[red]x[/red]", "日本語", "a" * 300, "-", "--", "%s", "\\"]
NAMES = ["tune-c", "base-a", "fam-b", "nope", "", "TUNE-C", "hostile-h", "Qwen/Qwen2.5-7B-Instruct", "\x00", "x" * 5000]
SIZES = ["7B", "1.5b", "350M", "0", "-1", "9" * 400, "1e9", "nan", "inf", "7000000000", "", "B", "1.5.5"]
TOKENS = ["4096", "8k", "128K", "1m", "9" * 400, "0", "-5", "1.5k", "k", "1e3", "4096.5", "１２８"]
DATES = ["2023", "2023-05", "2023-05-01", "2023-02-30", "99999", "", "2023-13", "x", "0000"]
FORMATS = ["table", "json", "jsonl", "csv", "yaml", "ids", "TABLE", "xml", ""]
CLASSES = ["permissive", "copyleft", "non-commercial", "PERMISSIVE", "nope", ""]
LEVELS = ["pretrained", "continued", "finetuned", "multilingual", "none", "Pretrained", "x"]
SORTS = [
    "name",
    "released",
    "params",
    "context",
    "downloads",
    "likes",
    "trending",
    "nope",
    "score:swallow-ja",
    "score:",
]
MEMORY = ["24GB", "24G", "24GiB", "0.5", "0", "-8GB", "9" * 400, "rtx-4090", "h100", "nope", "1e400GB", ""]
QUANTS = ["bf16", "int4", "q4_k_m", "nf4", "nope", ""]


NEWER_COMMANDS = ("why", "recommend", "fit", "compare", "tree", "scores", "audit")


def _opt(name: str, values: list[str]) -> Any:
    return st.sampled_from(values).map(lambda v: [name, v])


_FLAGS = [
    st.just(["--commercial"]),
    st.just(["--unconditional"]),
    st.just(["--ja"]),
    st.just(["--image"]),
    st.just(["--desc"]),
    st.just(["--json"]),
    st.just(["-q"]),
    st.just(["--offline", "--live"]),
    _opt("--license", ["t-permissive", "apache-2.0", "nope", ""]),
    _opt("--license-class", CLASSES),
    _opt("--ja-level", LEVELS),
    _opt("--lang", ["ja", "en", "japanese", "xx", ""]),
    _opt("--base", NAMES),
    _opt("--family", ["fam-b", "nope", ""]),
    _opt("--org", ["Org", "nope", ""]),
    _opt("--min-params", SIZES),
    _opt("--max-params", SIZES),
    _opt("--min-context", TOKENS),
    _opt("--released-after", DATES),
    _opt("--released-before", DATES),
    _opt("--tag", ["chat", "base", "nope", ""]),
    _opt("--sort", SORTS),
    _opt("-n", ["0", "1", "5", "-1", "x", "9" * 30]),
    _opt("--format", FORMATS),
    st.just(["--include-unknown"]),
    _opt("--fits", MEMORY),
    _opt("--fit-mode", ["inference", "lora", "qlora", "full", "QLORA", "train"]),
    _opt("--quant", QUANTS),
    _opt("--context", TOKENS),
    _opt("--min-score", ["swallow-ja=0.5", "swallow-ja=2", "nope=1", "=", "swallow-ja/GPQA=0.1", "x" * 300]),
    _opt("--without-condition", ["user-cap", "acceptable-use", "nope", ""]),
    _opt("--columns", ["id,size", "id,nope", "", ",,,"]),
    st.just(["--bogus-option"]),
]


@st.composite
def command_lines(draw: st.DrawFn, registry: str) -> list[str]:
    command = draw(
        st.sampled_from(
            [*("list", "list", "list", "show", "licenses", "stats", "validate", "hub", "cache"), *NEWER_COMMANDS]
        )
    )
    reg = ["--registry", registry]
    if command == "list":
        words = draw(st.lists(st.sampled_from(WORDS), max_size=2))
        opts = [x for part in draw(st.lists(st.one_of(*_FLAGS), max_size=6)) for x in part]
        return ["list", *words, *opts, *reg]
    if command == "show":
        extra = draw(
            st.sampled_from([[], ["--json"], ["--format", draw(st.sampled_from(FORMATS))], ["--live", "--offline"]])
        )
        return ["show", draw(st.sampled_from(NAMES)), *extra, *reg]
    if command in ("licenses", "stats"):
        extra = draw(st.sampled_from([[], ["--json"], ["--format", draw(st.sampled_from(FORMATS))]]))
        return [command, *extra, *reg]
    if command == "validate":
        return ["validate", draw(st.sampled_from([registry, "/nonexistent", "/dev/null", "/", "a" * 5000, ""]))]
    if command == "hub":
        return ["hub", "drift", "--offline", *draw(st.sampled_from([[], ["--json"], ["nope"], ["tune-c"]])), *reg]
    if command in ("why", "recommend"):
        opts = [x for part in draw(st.lists(st.one_of(*_FLAGS), max_size=5)) for x in part]
        head = [draw(st.sampled_from(NAMES))] if command == "why" else []
        extra = draw(st.sampled_from([[], ["--for", draw(st.sampled_from(["ja", "code", "x", "CHAT"]))]]))
        return [command, *head, *opts, *(extra if command == "recommend" else []), *reg]
    if command == "fit":
        target = draw(st.sampled_from([*NAMES, *SIZES, "--vram"]))
        opts = draw(
            st.lists(
                st.one_of(
                    _opt("--mode", ["inference", "lora", "qlora", "full", "x"]),
                    _opt("--quant", QUANTS),
                    _opt("--context", TOKENS),
                    _opt("--batch", ["1", "0", "-1", "9" * 30]),
                    _opt("--gpu", ["rtx-4090", "h100", "nope", ""]),
                    st.just(["--json"]),
                ),
                max_size=4,
            )
        )
        return ["fit", target, *[x for part in opts for x in part], *reg]
    if command == "compare":
        return ["compare", *draw(st.lists(st.sampled_from(NAMES), max_size=3)), *reg]
    if command == "tree":
        fmt = draw(st.sampled_from([[], ["--format", "mermaid"], ["--format", "dot"], ["--json"], ["--format", "x"]]))
        return ["tree", *draw(st.lists(st.sampled_from(NAMES), max_size=1)), *fmt, *reg]
    if command == "audit":
        return ["audit", draw(st.sampled_from(NAMES)), "--offline", *reg]
    if command == "scores":
        return ["scores", *draw(st.sampled_from([[], ["--json"], ["--format", draw(st.sampled_from(FORMATS))]]))]
    return ["cache", draw(st.sampled_from(["path", "clear", "nope"]))]


def check_cli(runner: Any, app: Any, args: list[str]) -> Any:
    CASES["cli"] += 1
    started = time.perf_counter()
    result = runner.invoke(app, args)
    elapsed = time.perf_counter() - started
    if CASES["cli"] % 20 == 0:
        # Each command freezes what it loaded (cli.common.load: right for a process that runs one command);
        # thousands of commands in this one process would keep every frozen registry: let them go.
        import gc

        gc.unfreeze()
        gc.collect()
    context = (args, result.exit_code, result.stderr[-2000:])
    assert result.exception is None or isinstance(result.exception, SystemExit), (*context, repr(result.exception))
    assert result.exit_code in {0, 1, 2}, context
    assert "Traceback" not in result.output, context
    assert "internal error" not in result.stderr, context
    assert elapsed < CASE_SECONDS, (*context, elapsed)
    assert peak_rss() < MEMORY_BYTES
    if result.exit_code == 1:
        for line in result.stderr.splitlines():
            assert line.startswith(("Error: ", "Warning: ", "note: ")) or ISSUE_LINE.match(line), (*context, line)
    elif result.exit_code == 2:
        errors = [line for line in result.stderr.splitlines() if not line.startswith(("note: ", "Warning: "))]
        assert len(errors) == 1, context  # a bad command line is one error line
        assert errors[0].startswith("Error: "), context
    return result
