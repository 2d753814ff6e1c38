"""Model cards as `llmcat audit` reads them: Hub licence ids to registry licence ids, repo ids and URLs,
local model folders, and Hub card metadata through the Hub client and its cache.

Everything read here is untrusted: sizes are bounded, and values are kept as plain strings for the
renderers to make inert.
"""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path
from typing import Any, NamedTuple, Protocol
from urllib.parse import urlsplit

from llmcat.errors import HubError, LlmcatError

# --------------------------------------------------------------------------- licence ids

# Hub licence ids (the card's ``license:``) that differ from a registry licence id. Any other Hub id
# that is also a registry licence id (apache-2.0, mit, llama2, llama3.1, gemma, cc-by-nc-4.0, ...)
# maps to itself; anything else is unknown to llmcat. README, "Licence ids on cards", lists this table.
HUB_LICENSES: dict[str, str] = {
    "openrail": "openrail-m",
    "openrail++": "openrail-m",
    "creativeml-openrail-m": "openrail-m",
}
# ``license: other`` with a ``license_name`` llmcat recognises (beyond names equal to registry ids).
HUB_LICENSE_NAMES: dict[str, str] = {
    "llama-2-community-license": "llama2",
    "llama3.1-community-license": "llama3.1",
    "deepseek-license": "deepseek",
    "deepseek-license-agreement": "deepseek",
    "gemma-terms-of-use": "gemma",
    "tongyi-qianwen-license-agreement": "tongyi-qianwen",
    "qwen-license-agreement": "qwen",
    "qwen-research-license-agreement": "qwen-research",
    "nvidia-open-model-license": "nvidia-open-model",
    "mrl": "mistral-research",
    "mistral-research-license": "mistral-research",
    "mnpl": "mnpl",
}
NO_LICENSE_IDS = frozenset({"unknown"})  # the Hub's way of saying the licence is not stated


def map_license(license_id: str | None, license_name: str | None, known: set[str] | Any) -> str | None:
    """The registry licence id a card's ``license`` (and ``license_name`` for ``other``) stands for.

    ``known`` holds the registry's licence ids. None when the card names no licence llmcat knows.
    """
    if license_id is None:
        return None
    lic = license_id.strip().lower()
    if lic == "other":
        name = (license_name or "").strip().lower()
        if not name:
            return None
        mapped = HUB_LICENSE_NAMES.get(name, name)
        return mapped if mapped in known else None
    mapped = HUB_LICENSES.get(lic, lic)
    return mapped if mapped in known else None


# --------------------------------------------------------------------------- targets

_REPO = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[\w.-]{1,96}$")


def repo_id(text: str) -> str | None:
    """``org/name`` from a repo id or a Hub URL (``https://huggingface.co/org/name/tree/main``), else None."""
    t = text.strip()
    if "://" in t or t.startswith(("huggingface.co/", "hf.co/", "www.huggingface.co/")):
        parts = urlsplit(t if "://" in t else f"https://{t}")
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) < 2 or segments[0] in {"datasets", "spaces", "api", "collections", "docs"}:
            return None
        t = f"{segments[0]}/{segments[1]}"
    return t if _REPO.match(t) and ".." not in t else None


# --------------------------------------------------------------------------- card metadata


class Card(NamedTuple):
    """What audit reads of one card: licence, lineage, languages and pipeline (bounded strings)."""

    license: str | None
    license_name: str | None
    base_models: tuple[str, ...]
    relation: str | None  # the card's base_model_relation: finetune, adapter, merge, quantized ...
    languages: tuple[str, ...]
    pipeline: str | None
    where: str = "card"  # where the bases were read (local folders: README.md, adapter_config.json ...)

    @classmethod
    def from_facts(cls, facts: dict[str, Any], where: str = "card") -> Card:
        def text(key: str) -> str | None:
            v = facts.get(key)
            return v if isinstance(v, str) else None

        def items(key: str) -> tuple[str, ...]:
            v = facts.get(key)
            return tuple(x for x in v if isinstance(x, str)) if isinstance(v, list) else ()

        return cls(
            text("license"),
            text("license_name"),
            items("base_model"),
            text("base_model_relation"),
            items("languages"),
            text("pipeline_tag"),
            where,
        )


class CardSource(Protocol):
    def card(self, repo: str) -> Card: ...


class HubCards:
    """Card metadata through :class:`llmcat.hub.HubClient` (timeouts, retries), cached per repo.

    Fresh cached cards (younger than ``ttl``) are used as they are; offline, any cached card is. A failed
    fetch falls back to an older cached card with a warning; "not found" never does.
    """

    def __init__(self, *, timeout: float | None, ttl: float, offline: bool, cache: Any = None) -> None:
        from llmcat.cache import cache_dir
        from llmcat.hubcache import HubCache

        self.cache = cache if cache is not None else HubCache(cache_dir() / "hub-cards")
        self.timeout = timeout
        self.ttl = ttl
        self.offline = offline
        self.requests = 0
        self.warnings: list[str] = []
        self._client: Any = None

    def card(self, repo: str) -> Card:
        from llmcat import hub

        cached = self.cache.get(repo)
        if cached is not None and (self.offline or self.cache.age(cached) <= self.ttl):
            return Card.from_facts(cached.facts)
        if self.offline:
            raise HubError(f"{repo}: not in the cache, and offline mode is on (--offline or HF_HUB_OFFLINE)")
        if self._client is None:
            # None: $LLMCAT_HUB_TIMEOUT or the default, read only now that the Hub is really asked.
            self._client = hub.HubClient(timeout=hub.timeout_setting(self.timeout))
        self.requests += 1
        try:
            facts = self._client.card(repo)
        except hub.RepoNotFound:
            raise
        except HubError as e:
            if cached is None:
                raise
            self.warnings.append(f"{e}; using the cached card")
            return Card.from_facts(cached.facts)
        with contextlib.suppress(OSError):  # an unwritable cache costs a refetch next time
            self.cache.put(repo, facts)
        return Card.from_facts(facts)


# --------------------------------------------------------------------------- local folders

_README_MAX = 256 * 1024  # front matter is read from the first 256 KiB of README.md
_JSON_MAX = 1024 * 1024


class LocalFolderError(LlmcatError):
    pass


def _read_prefix(path: Path, limit: int) -> bytes:
    with path.open("rb") as f:
        return f.read(limit)


def _front_matter(path: Path) -> dict[str, Any]:
    from llmcat import yamlsrc
    from llmcat.errors import RegistryError

    text = _read_prefix(path, _README_MAX).decode("utf-8", errors="replace").replace("\r\n", "\n")
    if not text.startswith("---\n"):
        return {}
    end = text.find("\n---", 3)
    if end < 0:
        raise LocalFolderError(f"{path}: the YAML front matter has no closing '---' in the first 256 KiB")
    try:
        data = yamlsrc.load(text[4 : end + 1], str(path))
    except RegistryError as e:
        issue = e.issues[0]
        raise LocalFolderError(f"{path}:{issue.line + 1}:{issue.column}: {issue.message}") from None
    return data if isinstance(data, dict) else {}


def _json_field(path: Path, key: str) -> str | None:
    data = _read_prefix(path, _JSON_MAX + 1)
    if len(data) > _JSON_MAX:
        raise LocalFolderError(f"{path}: larger than 1 MiB; not a model configuration")
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError) as e:
        raise LocalFolderError(f"{path}: not valid JSON ({type(e).__name__})") from None
    value = obj.get(key) if isinstance(obj, dict) else None
    return value.strip()[:200] if isinstance(value, str) and value.strip() else None


def _looks_like_path(name: str) -> bool:
    return name.startswith(("/", ".", "~")) or "\\" in name or name.count("/") > 1


def is_folder(path: Path) -> bool:
    """Whether ``path`` is a directory; False for a name the system cannot even look up (too long, NUL)."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def local_card(folder: Path) -> Card:
    """A local model folder's card: README.md front matter for the licence and ``base_model``; else the
    base from ``adapter_config.json`` (``base_model_name_or_path``) or ``config.json`` (``_name_or_path``).
    """
    from llmcat.hub import card_from_mapping

    readme, adapter, config = folder / "README.md", folder / "adapter_config.json", folder / "config.json"
    if not any(p.is_file() for p in (readme, adapter, config)):
        raise LocalFolderError(f"{folder}: no README.md, adapter_config.json or config.json: not a model folder")
    try:
        facts = card_from_mapping(_front_matter(readme)) if readme.is_file() else card_from_mapping({})
        bases: list[str] = list(facts["base_model"])
        where = ["README.md"] if bases else []
        if adapter.is_file():
            base = _json_field(adapter, "base_model_name_or_path")
            if base and base.lower() not in {b.lower() for b in bases}:
                bases.append(base)
                where.append("adapter_config.json")
        if not bases and config.is_file():
            base = _json_field(config, "_name_or_path")
            if base and not _looks_like_path(base):
                bases.append(base)
                where.append("config.json")
    except OSError as e:
        raise LocalFolderError(f"{folder}: cannot read ({e.strerror or type(e).__name__})") from None
    facts["base_model"] = bases
    return Card.from_facts(facts, where=", ".join(where) or "README.md")
