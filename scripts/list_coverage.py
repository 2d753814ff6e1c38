#!/usr/bin/env python3
"""How many rows of two public model lists the bundled registry covers (issue 7's breadth floors).

- llm-jp/awesome-japanese-llm: the rows of its text-generation tables (without the API-only table)
  and of its image+text-to-text vision-language tables that link a Hugging Face model repo, i.e. the
  Japanese models with open weights.
- eugeneyan/open-llms: the rows of its first table (open LLMs for commercial use).

A row is covered when the registry has one of the Hugging Face repos the row links, or, for a row
that links no repo, when a registry entry cites the GitHub repository the row links.

    python scripts/list_coverage.py --awesome PATH/awesome-japanese-llm.git --open-llms PATH/open-llms.git
    python scripts/list_coverage.py ... --missing      # also print the rows not covered
    python scripts/list_coverage.py ... --json

The lists are read from a git clone (HEAD); nothing of them is copied into this repository.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

HF_REPO = re.compile(r"huggingface\.co/([A-Za-z0-9][\w.-]*/[\w.-]+)")
GITHUB_REPO = re.compile(r"github\.com/([A-Za-z0-9][\w.-]*/[\w.-]+)")
NOT_MODELS = ("datasets/", "spaces/", "collections/", "papers/", "docs/", "blog/")

# awesome-japanese-llm's README headings (Japanese edition) that open and close the counted sections.
AWESOME_SECTIONS = (
    ("## テキスト生成に主に使うモデル", "### APIとして提供されているモデル"),
    ("### 画像+テキストからのテキスト生成", "### テキストからの画像生成"),
)


class Row(NamedTuple):
    line: int
    title: str
    hf_repos: tuple[str, ...]
    github_repos: tuple[str, ...]


class Coverage(NamedTuple):
    name: str
    rows: int
    covered: int
    missing: tuple[Row, ...]

    def record(self) -> dict[str, Any]:
        return {
            "list": self.name,
            "rows": self.rows,
            "covered": self.covered,
            "missing": [{"line": r.line, "title": r.title, "hf_repos": list(r.hf_repos)} for r in self.missing],
        }


def _repos(pattern: re.Pattern[str], text: str) -> tuple[str, ...]:
    out = []
    for m in pattern.findall(text):
        repo = m.rstrip(".").removesuffix(".git")
        if repo.startswith(NOT_MODELS) or repo in out:
            continue
        out.append(repo)
    return tuple(out)


def _row(number: int, line: str) -> Row:
    first = line.strip().strip("|").split("|", 1)[0]
    first = first.split("<br>", 1)[0]
    title = re.sub(r"\]\([^)]*\)", "]", first).replace("[", "").replace("]", "").replace("**", "").strip()
    return Row(number, title, _repos(HF_REPO, line), _repos(GITHUB_REPO, line))


def _table_rows(lines: list[str], start: int, end: int) -> Iterator[Row]:
    for i in range(start, end):
        line = lines[i]
        if line.startswith("|") and not re.match(r"^\|\s*:?-{3}", line):
            yield _row(i + 1, line)


def awesome_rows(readme: str) -> list[Row]:
    lines = readme.splitlines()
    rows: list[Row] = []
    for opening, closing in AWESOME_SECTIONS:
        start = lines.index(opening)
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith(closing))
        rows += [r for r in _table_rows(lines, start, end) if r.hf_repos]
    return rows


def open_llms_rows(readme: str) -> list[Row]:
    lines = readme.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| Language Model"))
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("#"))
    return list(_table_rows(lines, start + 1, end))


def coverage(name: str, rows: Iterable[Row], hf_repos: set[str], cited: str) -> Coverage:
    rows = list(rows)
    missing = []
    for r in rows:
        if r.hf_repos:
            ok = any(repo.lower() in hf_repos for repo in r.hf_repos)
        else:
            ok = any(f"github.com/{repo.lower()}" in cited for repo in r.github_repos)
        if not ok:
            missing.append(r)
    return Coverage(name, len(rows), len(rows) - len(missing), tuple(missing))


def registry_facts() -> tuple[set[str], str]:
    """Every Hugging Face repo of the bundled registry (lower case), and every source URL it cites."""
    from llmcat.registry import load_registry

    reg = load_registry()
    repos = {repo.lower() for m in reg.models.values() for repo in m.hf_repos}
    cited = "\n".join(url.lower() for m in reg.models.values() for url in m.sources)
    return repos, cited


def readme_from_git(git_dir: Path, path: str = "README.md") -> str:
    return subprocess.run(
        ["git", "--git-dir", str(git_dir), "show", f"HEAD:{path}"], check=True, capture_output=True, text=True
    ).stdout


def measure(awesome_git: Path, open_llms_git: Path) -> list[Coverage]:
    repos, cited = registry_facts()
    return [
        coverage("awesome-japanese-llm", awesome_rows(readme_from_git(awesome_git)), repos, cited),
        coverage("open-llms", open_llms_rows(readme_from_git(open_llms_git)), repos, cited),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--awesome", type=Path, required=True, help="git dir of llm-jp/awesome-japanese-llm")
    parser.add_argument("--open-llms", type=Path, required=True, help="git dir of eugeneyan/open-llms")
    parser.add_argument("--missing", action="store_true", help="print the rows not covered")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = measure(args.awesome, args.open_llms)
    if args.json:
        sys.stdout.write(json.dumps([c.record() for c in results], ensure_ascii=False, indent=2) + "\n")
        return 0
    for c in results:
        sys.stdout.write(f"{c.name}: {c.covered} of {c.rows} rows in the registry\n")
        if args.missing:
            for r in c.missing:
                sys.stdout.write(f"  line {r.line}: {r.title} {' '.join(r.hf_repos)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
