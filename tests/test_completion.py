"""Shell completion: commands, options, model ids, family names and licence ids, through Typer's own
completion protocol (the environment variables the installed shell script sets)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcat.cli import app

from .conftest import SMALL
from .test_entrypoints import installed_llmcat


def complete(tmp_path: Path, line: str, *, extra: dict[str, str] | None = None) -> list[str]:
    """What bash would be offered for ``line`` (the last word being completed)."""
    words = line.split(" ")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLMCAT_", "HF_"))}
    env.update({"LLMCAT_CACHE_DIR": str(tmp_path / "cache"), "_LLMCAT_COMPLETE": "complete_bash"})
    env.update({"COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1), **(extra or {})})
    proc = subprocess.run([installed_llmcat()], capture_output=True, text=True, env=env, check=False, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return proc.stdout.split()


def test_commands_and_options(tmp_path: Path) -> None:
    assert set(complete(tmp_path, "llmcat ")) >= {"list", "show", "why", "licenses", "hub", "stats", "validate"}
    assert complete(tmp_path, "llmcat sh") == ["show"]
    assert "--include-unknown" in complete(tmp_path, "llmcat list --inc")
    assert set(complete(tmp_path, "llmcat hub ")) == {"refresh", "drift"}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "llmcat show vicuna-13b-v1.",
            {"vicuna-13b-v1.1", "vicuna-13b-v1.3", "vicuna-13b-v1.5", "vicuna-13b-v1.5-16k"},
        ),
        ("llmcat why falcon-4", {"falcon-40b", "falcon-40b-instruct"}),
        ("llmcat show redpajama-", {"redpajama-incite"}),  # families too
        ("llmcat list --base llama-2-7", {"llama-2-7b-hf", "llama-2-7b-chat-hf"}),
        ("llmcat hub drift qwen2.5-7", {"qwen2.5-7b", "qwen2.5-7b-instruct"}),
        ("llmcat list --family qwen2.5-", {"qwen2.5-coder", "qwen2.5-math", "qwen2.5-vl"}),
        ("llmcat list --license llama3.", {"llama3.1", "llama3.2", "llama3.3"}),
        ("llmcat licenses apache", {"apache-2.0"}),
        ("llmcat list --tag inst", {"instruct"}),
    ],
)
def test_values_from_the_registry(tmp_path: Path, line: str, expected: set[str]) -> None:
    got = complete(tmp_path, line)
    assert expected <= set(got), got
    prefix = line.rsplit(" ", 1)[1]
    assert all(g.lower().startswith(prefix.lower()) for g in got)


def test_values_include_user_registries(tmp_path: Path) -> None:
    assert "tune-b" in complete(tmp_path, f"llmcat show --registry {SMALL} tune-")
    assert "tune-b" in complete(tmp_path, "llmcat show tune-", extra={"LLMCAT_REGISTRY": str(SMALL)})


def test_a_broken_registry_offers_nothing_quietly(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("models: [")
    assert complete(tmp_path, f"llmcat show --registry {bad} vic") == []


def test_install_and_show_completion_are_offered(runner: CliRunner) -> None:
    help_text = runner.invoke(app, ["--help"]).stdout
    assert "--install-completion" in help_text
    script = runner.invoke(app, ["--show-completion", "bash"])
    assert script.exit_code == 0
    assert "_LLMCAT_COMPLETE=complete_bash" in script.stdout
