"""The installed entry point and `python -m llmcat` as real subprocesses; the import boundaries."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SMALL


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLMCAT_", "HF_"))}
    env["LLMCAT_CACHE_DIR"] = str(tmp_path / "cache")
    return env


def installed_llmcat() -> str:
    found = shutil.which("llmcat", path=str(Path(sys.executable).parent)) or shutil.which("llmcat")
    assert found, "the llmcat entry point is not installed (pip install -e '.[test]')"
    return found


def test_installed_entry_point_lists_json(tmp_path: Path) -> None:
    proc = subprocess.run(
        [installed_llmcat(), "list", "--commercial", "--ja", "--json"],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert rows
    assert all(r["commercial"] in {"yes", "conditional"} for r in rows)
    # stderr carries only the count of models --ja left out for an unknown Japanese level
    assert proc.stderr.splitlines() == [
        f"note: {proc.stderr.split()[1]} models left out: Japanese level unknown (--include-unknown keeps them)"
    ]


def test_python_dash_m(tmp_path: Path) -> None:
    env = _env(tmp_path)
    version = subprocess.run([sys.executable, "-m", "llmcat", "--version"], capture_output=True, text=True, env=env)
    assert version.returncode == 0
    assert version.stdout.startswith("llmcat ")
    proc = subprocess.run(
        [sys.executable, "-m", "llmcat", "show", "nope-nope", "--registry", str(SMALL)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr


def test_second_run_reads_the_compiled_index(tmp_path: Path) -> None:
    env = _env(tmp_path)
    cmd = [sys.executable, "-m", "llmcat", "list", "-q"]
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    index_files = list((tmp_path / "cache" / "index").glob("*.idx"))
    assert len(index_files) == 1
    second = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    assert first.stdout == second.stdout


def test_corrupt_index_is_ignored(tmp_path: Path) -> None:
    env = _env(tmp_path)
    cmd = [sys.executable, "-m", "llmcat", "list", "-q"]
    good = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
    (index,) = (tmp_path / "cache" / "index").glob("*.idx")
    index.write_bytes(index.read_bytes()[:-10])  # torn: the digest no longer matches
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    assert again.stdout == good
    assert again.stderr == ""


def test_unwritable_cache_dir_still_works(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    env = {**_env(tmp_path), "LLMCAT_CACHE_DIR": str(blocker / "cache")}
    proc = subprocess.run([sys.executable, "-m", "llmcat", "list", "-q"], capture_output=True, text=True, env=env)
    assert proc.returncode == 0
    assert proc.stdout


CORE = (
    "llmcat.query, llmcat.registry, llmcat.licensing, llmcat.formats, llmcat.stats, llmcat.units, "
    "llmcat.audit, llmcat.cards, llmcat.policy, llmcat.explain, llmcat.vocab, llmcat.columns, llmcat.registry.resolve"
)


def test_core_modules_import_without_frameworks() -> None:
    code = (
        f"import sys, {CORE}; "
        "bad = {'typer', 'rich', 'huggingface_hub'} & {m.split('.')[0] for m in sys.modules}; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_warm_json_listing_imports_nothing_heavy(tmp_path: Path) -> None:
    """A warm `list --json` reads the compiled index: no YAML, no rich, no Hub client, no schema."""
    code = """
import sys, io
from llmcat.cli import app
for _ in range(2):
    sys.stdout = io.StringIO()
    try:
        app(["list", "--commercial", "--ja", "--json"])
    except SystemExit as e:
        assert e.code in (0, None), e.code
sys.stdout = sys.__stdout__
loaded = {m.split(".")[0] for m in sys.modules} | set(sys.modules)
bad = {"yaml", "rich", "huggingface_hub", "llmcat.schema", "llmcat.render", "httpx"} & loaded
assert not bad, bad
"""
    env = _env(tmp_path)
    # First, compile the index in another process (that one may import YAML and pydantic).
    subprocess.run([sys.executable, "-m", "llmcat", "list", "-q"], check=True, env=env, capture_output=True)
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def _core_modules() -> list[str]:
    """Every module of llmcat but the command line and the renderer: found, not listed, so a new one counts."""
    import pkgutil

    import llmcat

    names = [m.name for m in pkgutil.walk_packages(llmcat.__path__, "llmcat.")]
    core = [n for n in names if not n.startswith(("llmcat.cli", "llmcat.render", "llmcat.__main__"))]
    assert {"llmcat.query", "llmcat.registry.store", "llmcat.licensing", "llmcat.scores"} <= set(core)
    return core


@pytest.mark.parametrize("module", _core_modules())
def test_core_does_not_import_the_cli(module: str) -> None:
    code = (
        f"import sys, {module}; bad = {{'llmcat.cli', 'llmcat.render', 'typer', 'rich'}} & set(sys.modules); "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_bundled_registry_is_parsed_once_across_user_registries(tmp_path: Path) -> None:
    """A new user registry re-validates only itself: the bundled files' parse is cached."""
    env = _env(tmp_path)
    subprocess.run([sys.executable, "-m", "llmcat", "list", "-q"], check=True, env=env, capture_output=True)
    sources = sorted((tmp_path / "cache" / "index").glob("*.src"))
    assert len(sources) == 3  # orgs.yaml, licenses.yaml and models.yaml
    code = (
        "import llmcat.yamlsrc as y, llmcat.registry as r; from pathlib import Path\n"
        "seen = []\n"
        "real = y.load\n"
        "y.load = lambda text, name: (seen.append(name), real(text, name))[1]\n"
        f"reg = r.load_registry([Path({str(SMALL)!r})])\n"
        "assert 'tune-d' in reg.models and 'vicuna-13b-v1.3' in reg.models\n"
        f"assert seen == [{str(SMALL)!r}], seen\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    assert sorted((tmp_path / "cache" / "index").glob("*.src")) == sources


def test_each_command_loads_only_what_it_needs_and_nothing_is_missing(tmp_path: Path) -> None:
    """The entry point registers only the modules of the command it runs (start-up): every command of
    the full app must be in that table, and runnable from it alone."""
    code = """
import sys
from typer.main import get_command
from llmcat.cli import COMMANDS, app
full = set(get_command(app).commands)
assert full == set(COMMANDS), (full ^ set(COMMANDS))
"""
    subprocess.run([sys.executable, "-c", code], check=True, env=_env(tmp_path))
    for command in ("list", "why", "recommend", "fit", "audit", "hub", "licenses"):
        code = f"""
import sys
from typer.main import get_command
from llmcat.cli import app_for
group = get_command(app_for([{command!r}]))
assert {command!r} in group.commands, sorted(group.commands)
"""
        subprocess.run([sys.executable, "-c", code], check=True, env=_env(tmp_path))
    for args in (["why", "vicuna-13b-v1.3", "--commercial"], ["recommend", "-n", "1"], ["scores"]):
        proc = subprocess.run(
            [sys.executable, "-m", "llmcat", *args], env=_env(tmp_path), capture_output=True, text=True
        )
        assert proc.returncode == 0, (args, proc.stderr)


PRESENTATION = ("llmcat.formats", "llmcat.columns", "llmcat.render")  # and every llmcat.render_* module
CALL_BACK = ("llmcat.registry", "llmcat.licensing", "llmcat.query", "llmcat.explain")


def _presentation_files() -> list[Path]:
    src = Path(__file__).resolve().parents[1] / "src" / "llmcat"
    files = [src / f"{name.split('.')[1]}.py" for name in PRESENTATION] + sorted(src.glob("render_*.py"))
    assert len(files) >= 6, files
    return files


@pytest.mark.parametrize("path", _presentation_files(), ids=lambda p: p.stem)
def test_presentation_never_calls_back_into_the_registry(path: Path) -> None:
    """Data flows one way: the core builds finished records (``llmcat.views``, fit reports, score
    views, audit findings); renderers and formatters only present them. So none of them imports the
    registry or the licence logic (not even for a type), and none takes a Registry."""
    import ast

    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            names = []
        for name in names:
            assert not name.startswith(CALL_BACK), f"{path.name}:{getattr(node, 'lineno', 0)} imports {name}"
        if isinstance(node, ast.arg) and node.annotation is not None:
            assert "Registry" not in ast.unparse(node.annotation), f"{path.name}:{node.lineno} takes a Registry"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            assert node.value.id not in ("reg", "registry"), f"{path.name}:{node.lineno} uses {node.value.id}"
