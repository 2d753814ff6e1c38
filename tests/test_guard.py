"""The top-level guard: internal errors, Ctrl-C at any moment, unencodable output, odd paths. Subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcat.cli import app

from .conftest import SMALL
from .test_entrypoints import _env, installed_llmcat

INTERNAL = 70
REPORT = "; please report it with `llmcat --version` and the command"


def run_code(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` (which ends by calling llmcat's real entry point) with ``args`` as the command line."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True, env=env, timeout=60
    )


BREAK_STATS = """
    import sys
    import llmcat.stats
    def broken(registry):
        raise ZeroDivisionError("a bug\\nover two lines")
    llmcat.stats.coverage = broken
    from llmcat.__main__ import main
    sys.argv[0] = "llmcat"
    main()
"""


def test_an_unexpected_exception_is_one_line_and_exit_70(tmp_path: Path) -> None:
    proc = run_code(BREAK_STATS, _env(tmp_path), "stats")
    assert proc.returncode == INTERNAL
    assert proc.stderr == f"llmcat: internal error: ZeroDivisionError: a bug over two lines{REPORT}\n"
    assert proc.stdout == ""


def test_llmcat_debug_shows_the_traceback(tmp_path: Path) -> None:
    proc = run_code(BREAK_STATS, {**_env(tmp_path), "LLMCAT_DEBUG": "1"}, "stats")
    assert proc.returncode == INTERNAL
    assert "Traceback (most recent call last)" in proc.stderr
    assert proc.stderr.endswith(f"llmcat: internal error: ZeroDivisionError: a bug over two lines{REPORT}\n")


def test_an_exception_outside_any_command_is_caught_too(tmp_path: Path) -> None:
    """A bug in an option parser runs before the command's own guard: the entry point catches it."""
    code = """
        import sys
        import llmcat.units
        def broken(text):
            raise LookupError("parser bug")
        llmcat.units.parse_tokens = broken
        from llmcat.__main__ import main
        main()
    """
    proc = run_code(code, _env(tmp_path), "list", "--min-context", "8k")
    assert proc.returncode == INTERNAL
    assert proc.stderr == f"llmcat: internal error: LookupError: parser bug{REPORT}\n"


def test_internal_error_in_a_command_through_clirunner(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    import llmcat.stats

    def broken(_registry: object) -> object:
        raise KeyError("boom")

    monkeypatch.setattr(llmcat.stats, "coverage", broken)
    result = runner.invoke(app, ["stats", "--registry", str(SMALL)])
    assert result.exit_code == INTERNAL
    assert result.stderr == f"llmcat: internal error: KeyError: 'boom'{REPORT}\n"
    assert "Traceback" not in result.output


# Ctrl-C: a meta-path hook sends SIGINT to the process the moment a given module is imported, which lands
# the interrupt deterministically inside a chosen moment of start-up.
INTERRUPT_ON_IMPORT = """
    import os, signal, sys
    class Hook:
        def find_spec(self, name, path=None, target=None):
            if name == {module!r}:
                sys.meta_path.remove(self)
                os.kill(os.getpid(), signal.SIGINT)
            return None
    sys.meta_path.insert(0, Hook())
    from llmcat.__main__ import main
    main()
"""


@pytest.mark.parametrize(
    "module",
    [
        "typer",  # the first ~70 ms: before the CLI exists
        "llmcat.cli.models",  # while the commands are being registered
        "llmcat.registry",  # inside a command, while loading
        "llmcat.query",  # inside a command, after loading
    ],
)
def test_ctrl_c_at_any_moment_exits_130_quietly(tmp_path: Path, module: str) -> None:
    proc = run_code(INTERRUPT_ON_IMPORT.format(module=module), _env(tmp_path), "list", "--json")
    assert proc.returncode == 130, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "KeyboardInterrupt" not in proc.stderr
    assert proc.stdout == ""


def test_ctrl_c_sent_from_outside_during_start_up(tmp_path: Path) -> None:
    """The real thing: SIGINT from another process at several moments of a real start-up."""
    import signal
    import time

    for delay in (0.06, 0.1, 0.15, 0.25):
        proc = subprocess.Popen(
            [installed_llmcat(), "list", "--json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(tmp_path),
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
        assert "Traceback" not in stderr, (delay, stderr)
        # 0: it finished before the signal came; -2: it came before Python itself had started.
        assert proc.returncode in {130, 0, -signal.SIGINT}, (delay, proc.returncode, stderr)


def _user_registry(tmp_path: Path, name: str | bytes = "reg.yaml") -> Path:
    folder = os.fsencode(tmp_path)
    path = Path(os.fsdecode(folder + b"/" + (name if isinstance(name, bytes) else name.encode())))
    path.write_text(
        "schema_version: 1\n"
        "models:\n"
        "  - id: nihongo-1b\n"
        "    name: 日本語モデル ☃\n"
        "    family: nihongo\n"
        "    org: 東京\n"
        "    license: apache-2.0\n"
        "    sources: [https://example.org]\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("args", [["licenses"], ["show", "nihongo-1b"], ["list"], ["stats"], ["show", "nihongo"]])
def test_output_an_ascii_stream_cannot_encode_degrades_to_escapes(tmp_path: Path, args: list[str]) -> None:
    reg = _user_registry(tmp_path)
    env = {**_env(tmp_path), "PYTHONIOENCODING": "ascii", "COLUMNS": "200"}
    proc = subprocess.run(
        [installed_llmcat(), *args, "--registry", str(reg)], capture_output=True, env=env, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert b"Traceback" not in proc.stderr
    proc.stdout.decode("ascii")  # nothing but ASCII reached the stream
    if args == ["show", "nihongo-1b"]:
        assert b"\\u65e5\\u672c\\u8a9e" in proc.stdout  # 日本語, escaped


def test_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    if sys.platform == "darwin":
        pytest.skip("macOS file names are always UTF-8")
    reg = _user_registry(tmp_path, b"bad\xff.yaml")
    env = _env(tmp_path)
    for args in (
        ["validate", str(reg)],
        ["list", "--json", "--registry", str(reg)],
        ["show", "nihongo-1b", "-r", str(reg)],
    ):
        proc = subprocess.run([installed_llmcat(), *args], capture_output=True, env=env, timeout=60, check=False)
        assert proc.returncode == 0, (args, proc.stderr)
        assert b"Traceback" not in proc.stderr
        assert b"internal error" not in proc.stderr
    listed = subprocess.run(
        [installed_llmcat(), "list", "--json", "-r", str(reg)], capture_output=True, env=env, check=True
    ).stdout
    assert b"bad\\\\xff.yaml" in listed  # the origin, with the byte shown as an escape


@pytest.mark.parametrize("command", ["validate", "list", "cache-dir"])
def test_paths_too_long_are_one_line_errors(tmp_path: Path, command: str) -> None:
    long = str(tmp_path / ("a" * 5000))
    env = _env(tmp_path)
    if command == "validate":
        args = ["validate", long]
    elif command == "list":
        args = ["list", "--registry", long]
    else:
        args, env = ["cache", "clear"], {**env, "LLMCAT_CACHE_DIR": long}
    proc = subprocess.run([installed_llmcat(), *args], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.count("\n") == 1
    assert "ame too long" in proc.stderr
    assert len(proc.stderr) < 400
    assert "Traceback" not in proc.stderr


def test_a_huge_number_in_an_option_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["list", "--min-context", "9" * 400, "--registry", str(SMALL)])
    assert result.exit_code == 2
    assert "is too large" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_messages_stay_on_one_line(runner: CliRunner, tmp_path: Path) -> None:
    odd = tmp_path / "two\nlines.yaml"
    result = runner.invoke(app, ["validate", str(odd)])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert "two\\nlines.yaml" in result.stderr
