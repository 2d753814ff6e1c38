#!/usr/bin/env python3
"""Regenerate data/scores/swallow.json from the Swallow LLM Leaderboard's own data files.

The leaderboard (https://github.com/swallow-llm/leaderboard, CC-BY 4.0) keeps its scores in
``_data/model.yml`` and the task definitions in ``_data/task_pre.yml`` and ``_data/task_post.yml``.
This script turns them into llmcat's scores format, with the source's URL, commit, dates and licence,
and nothing else: every value is copied as it is.

    python scripts/import_swallow.py --from-git PATH/TO/leaderboard.git --retrieved 2026-12-06
    python scripts/import_swallow.py --from-dir DIR --commit SHA --committed DATE --retrieved DATE
    python scripts/import_swallow.py ... --check      # exit 1 if the bundled file differs

It needs PyYAML (a dependency of llmcat) and, with --from-git, git.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = "https://github.com/swallow-llm/leaderboard"
FILES = ("model.yml", "task_pre.yml", "task_post.yml")
OUT = Path(__file__).resolve().parent.parent / "data" / "scores" / "swallow.json"
# The leaderboard's result groups, as llmcat benchmark ids.
GROUPS = {
    "ja_post": "swallow-ja",
    "en_post": "swallow-en",
    "ja_mtb": "swallow-ja-mtbench",
    "en_mtb": "swallow-en-mtbench",
    "ja_pre": "swallow-ja-pre",
    "en_pre": "swallow-en-pre",
}
# Leaderboard ids that are not the Hugging Face repo the model is published under, and that repo (what
# llmcat matches registry entries by). Each read on the publisher's own pages: the Swallow team
# publishes "Qwen3-Swallow" repos (https://swallow-llm.github.io/qwen3-swallow.en.html, and the repos'
# cards), and Llama 3.1 Swallow 8B v0.5 as tokyotech-llm/Llama-3.1-Swallow-8B-v0.5
# (https://swallow-llm.github.io/llama3.1-swallow-8B-v0.5.en.html); the leaderboard spells them otherwise.
REPO_FOR = {
    "tokyotech-llm/Llama-3.3-Swallow-8B-v0.5": "tokyotech-llm/Llama-3.1-Swallow-8B-v0.5",
    **{
        f"tokyotech-llm/Qwen-3-Swallow-{size}-{stage}-v0.2": f"tokyotech-llm/Qwen3-Swallow-{size}-{stage}-v0.2"
        for size in ("8B", "30B-A3B", "32B")
        for stage in ("CPT", "SFT", "RL")
    },
}
LANGUAGE = {"ja_post": "ja", "en_post": "en", "ja_mtb": "ja", "en_mtb": "en", "ja_pre": "ja", "en_pre": "en"}


def _en(value: Any) -> Any:
    return value.get("en") if isinstance(value, dict) else value


def read_git(git_dir: Path) -> tuple[dict[str, str], str, str]:
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(git_dir), *args], check=True, capture_output=True, text=True).stdout

    commit = git("rev-parse", "HEAD").strip()
    committed = git("log", "-1", "--format=%cs", "HEAD", "--", "_data/model.yml").strip()
    texts = {name: git("show", f"HEAD:_data/{name}") for name in FILES}
    return texts, commit, committed


def read_dir(folder: Path) -> dict[str, str]:
    return {name: (folder / name).read_text(encoding="utf-8") for name in FILES}


def convert(texts: dict[str, str], *, commit: str, committed: str, retrieved: str) -> dict[str, Any]:
    models = yaml.safe_load(texts["model.yml"])
    tasks: dict[str, Any] = {}
    for name in ("task_pre.yml", "task_post.yml"):
        tasks.update(yaml.safe_load(texts[name]))
    benchmarks = []
    for group, bench_id in GROUPS.items():
        spec = tasks[group]
        benchmarks.append(
            {
                "id": bench_id,
                "group": group,
                "title": _en(spec["title"]),
                "description": _en(spec["description"]),
                "language": LANGUAGE[group],
                "scale": [0, 1],
                "tasks": [
                    {"name": t["name"], "title": _en(t["title"]), "metric": _en(t.get("metric"))} for t in spec["tasks"]
                ],
            }
        )
    rows = []
    for m in models:
        results = {}
        for group, values in (m.get("results") or {}).items():
            if group not in GROUPS:
                raise SystemExit(f"unknown result group {group!r} for {m['id']!r}: update GROUPS")
            results[GROUPS[group]] = dict(values)
        row = {"model": m["model_id"], "name": m["name"], "reasoning": m.get("reasoning"), "results": results}
        if m["model_id"] in REPO_FOR:
            row["repo"] = REPO_FOR[m["model_id"]]  # the Hugging Face repo the leaderboard's id stands for
        rows.append(row)
    return {
        "schema_version": 1,
        "source": {
            "id": "swallow",
            "name": "Swallow LLM Leaderboard",
            "publisher": "Swallow LLM team",
            "url": REPO,
            "file": f"{REPO}/blob/{commit}/_data/model.yml",
            "commit": commit,
            "committed": committed,
            "retrieved": retrieved,
            "license": "CC-BY-4.0",
            "attribution": "Swallow LLM Leaderboard, (c) 2025-2026 Swallow LLM team, CC BY 4.0",
            "evidence": "independent",
        },
        "benchmarks": benchmarks,
        "models": rows,
    }


def dumps(data: dict[str, Any]) -> str:
    """One JSON document, one line per benchmark and per model: small, and diffs read well."""

    def one(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    head = {k: v for k, v in data.items() if k not in ("benchmarks", "models")}
    lines = [one(head)[:-1] + ","]
    for key in ("benchmarks", "models"):
        items = ",\n".join(one(item) for item in data[key])
        lines.append(f'"{key}":[\n{items}\n]' + ("," if key == "benchmarks" else ""))
    return "\n".join(lines) + "}\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--from-git", type=Path, help="a clone (or bare git dir) of swallow-llm/leaderboard")
    src.add_argument("--from-dir", type=Path, help="a folder with model.yml, task_pre.yml and task_post.yml")
    ap.add_argument("--commit", help="with --from-dir: the source commit")
    ap.add_argument("--committed", help="with --from-dir: the date of the commit that last changed model.yml")
    ap.add_argument("--retrieved", required=True, help="the day the source was read, YYYY-MM-DD")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--check", action="store_true", help="compare with --out instead of writing it")
    args = ap.parse_args(argv)
    if args.from_git is not None:
        texts, commit, committed = read_git(args.from_git)
    else:
        if not (args.commit and args.committed):
            ap.error("--from-dir needs --commit and --committed")
        texts, commit, committed = read_dir(args.from_dir), args.commit, args.committed
    text = dumps(convert(texts, commit=commit, committed=committed, retrieved=args.retrieved))
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        sys.stderr.write(f"{args.out}: {'up to date' if same else 'DIFFERS from the source'}\n")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    sys.stderr.write(f"wrote {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
