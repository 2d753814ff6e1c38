"""The Hugging Face Hub client: the only module that knows huggingface_hub exists (imported lazily).

Everything the Hub returns is untrusted: it is reduced at once to a plain dict of known fields
(:data:`FIELDS`) and every failure, whatever huggingface_hub or httpx raised, becomes a
:class:`~llmcat.errors.HubError` carrying a one-line message.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from llmcat import __version__
from llmcat.errors import HubError

DEFAULT_ENDPOINT = "https://huggingface.co"
DEFAULT_TIMEOUT = 10.0  # seconds to wait for an answer (each read)
DEFAULT_CONNECT_TIMEOUT = 3.0  # seconds to wait for a connection: a Hub that is not there is known fast
_MAX_PAGES = 50  # a listing longer than this many pages is cut (a misbehaving server cannot loop us)
EXPAND = [
    "downloads",
    "likes",
    "trendingScore",
    "createdAt",
    "lastModified",
    "gated",
    "cardData",
    "pipeline_tag",
    "library_name",
    "safetensors",
]

# What `llmcat audit` reads of a model card (see :func:`card_from_info`).
CARD_EXPAND = ["cardData", "pipeline_tag", "gated"]
_CARD_TEXT_MAX = 200  # characters kept of one card string (licence, name, base)
_CARD_LIST_MAX = 32  # entries kept of one card list (bases, languages)


class RepoNotFound(HubError):
    pass


class RateLimited(HubError):
    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def endpoint_from_env() -> str:
    """``HF_ENDPOINT`` read now (huggingface_hub reads it once, at import)."""
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def offline_from_env() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _date(value: Any) -> str | None:
    if value is None:
        return None
    iso = getattr(value, "isoformat", None)
    return iso() if callable(iso) else _str(value)


def facts_from_info(info: Any) -> dict[str, Any]:
    """The fields llmcat keeps from a ``huggingface_hub.ModelInfo``, as plain JSON-able values."""
    card = getattr(info, "card_data", None)

    def card_get(key: str) -> Any:
        return card.get(key) if card is not None and hasattr(card, "get") else None

    base = card_get("base_model")
    if isinstance(base, str):
        base = [base]
    elif isinstance(base, list):
        base = [b for b in base if isinstance(b, str)]
    else:
        base = None
    gated = getattr(info, "gated", None)
    safetensors = getattr(info, "safetensors", None)
    trending = getattr(info, "trending_score", None)
    return {
        "downloads": _int(getattr(info, "downloads", None)),
        "likes": _int(getattr(info, "likes", None)),
        "trending_score": trending if isinstance(trending, int | float) and not isinstance(trending, bool) else None,
        "created_at": _date(getattr(info, "created_at", None)),
        "last_modified": _date(getattr(info, "last_modified", None)),
        "gated": gated if gated in (False, "auto", "manual") else None,
        "license": _str(card_get("license")),
        "license_name": _str(card_get("license_name")),
        "base_model": base,
        "pipeline_tag": _str(getattr(info, "pipeline_tag", None)),
        "library": _str(getattr(info, "library_name", None)),
        "params": _int(getattr(safetensors, "total", None)) if safetensors is not None else None,
    }


def _card_text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value[:_CARD_TEXT_MAX] if value else None


def _card_list(value: Any) -> list[str]:
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    out: list[str] = []
    for item in items[: _CARD_LIST_MAX * 4]:
        text = _card_text(item)
        if text is not None and text not in out:
            out.append(text)
        if len(out) >= _CARD_LIST_MAX:
            break
    return out


def card_from_mapping(card: Any) -> dict[str, Any]:
    """The licence and lineage fields of a card's metadata (a ``cardData`` mapping or README front
    matter), bounded in size: strings cut to 200 characters, lists to 32 entries."""

    def get(key: str) -> Any:
        return card.get(key) if card is not None and hasattr(card, "get") else None

    return {
        "license": _card_text(get("license")),
        "license_name": _card_text(get("license_name")),
        "base_model": _card_list(get("base_model")),
        "base_model_relation": _card_text(get("base_model_relation")),
        "languages": _card_list(get("language")),
        "pipeline_tag": _card_text(get("pipeline_tag")),
    }


def card_from_info(info: Any) -> dict[str, Any]:
    """What `llmcat audit` keeps from a ``huggingface_hub.ModelInfo``: the card's licence and lineage."""
    out = card_from_mapping(getattr(info, "card_data", None))
    out["pipeline_tag"] = _card_text(getattr(info, "pipeline_tag", None)) or out["pipeline_tag"]
    gated = getattr(info, "gated", None)
    out["gated"] = gated if gated in (False, "auto", "manual") else None
    return out


def _retry_after(response: Any) -> float | None:
    try:
        value = response.headers.get("Retry-After")
        return max(0.0, float(value)) if value is not None else None
    except (AttributeError, TypeError, ValueError):
        return None


def describe(exc: BaseException, endpoint: str, what: str) -> HubError:
    """One HubError with a one-line message for anything huggingface_hub, httpx or parsing raised."""
    from huggingface_hub import errors as hf

    if isinstance(exc, hf.GatedRepoError):  # a subclass of RepositoryNotFoundError: test it first
        return HubError(f"{what}: gated on the Hub; log in with an account that has accepted its terms")
    if isinstance(exc, hf.RepositoryNotFoundError):
        return RepoNotFound(f"{what}: not found on the Hub (or private)")
    if isinstance(exc, hf.HfHubHTTPError):
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None)
        if status == 429:
            wait = _retry_after(response)
            hint = f"; retry after {wait:g} s" if wait is not None else ""
            return RateLimited(f"{what}: rate-limited by the Hub (HTTP 429){hint}", wait)
        if status is not None:
            return HubError(f"{what}: the Hub answered HTTP {status}")
        return HubError(f"{what}: HTTP error from the Hub")
    if isinstance(exc, hf.OfflineModeIsEnabled):
        return HubError(f"{what}: offline mode is on (HF_HUB_OFFLINE)")
    name = type(exc).__name__
    if "Timeout" in name:
        return HubError(f"{what}: no answer from {endpoint} in time ({name})")
    if "Connect" in name or isinstance(exc, ConnectionError):
        return HubError(f"{what}: cannot connect to {endpoint} ({name})")
    if isinstance(exc, ValueError | KeyError | TypeError | AttributeError):
        return HubError(f"{what}: unexpected answer from the Hub ({name})")
    return HubError(f"{what}: {name} while talking to the Hub")


class HubClient:
    """Fetches model facts from the Hub through ``huggingface_hub.HfApi``, with timeouts and retries.

    ``endpoint`` defaults to ``HF_ENDPOINT``; ``token`` to huggingface_hub's own resolution
    (``HF_TOKEN`` or the stored login). The token is handed to huggingface_hub and never kept,
    printed or cached by llmcat.
    """

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        retries: int = 2,
        max_wait: float = 4.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import huggingface_hub
        from huggingface_hub.utils import _http

        self.endpoint = (endpoint or endpoint_from_env()).rstrip("/")
        self.timeout = timeout
        self.connect_timeout = min(connect_timeout, timeout)
        # httpx's own Timeout (huggingface_hub's copy): connecting is bounded separately, and sooner.
        self._timeouts = _http.httpx2.Timeout(timeout, connect=self.connect_timeout)
        self.retries = retries
        self.max_wait = max_wait
        self._sleep = sleep

        def factory() -> Any:
            client = _http.default_client_factory()
            client.timeout = self._timeouts  # every request, listing pages included, is bounded
            return client

        huggingface_hub.set_client_factory(factory)
        # huggingface_hub's own log lines would bypass llmcat's one-line warnings: keep only errors.
        huggingface_hub.utils.logging.set_verbosity_error()
        self._api = huggingface_hub.HfApi(endpoint=self.endpoint, library_name="llmcat", library_version=__version__)

    def _call(self, what: str, fn: Callable[[], Any]) -> Any:
        """Run ``fn``; retry 429 and 5xx with backoff (honouring Retry-After, up to ``max_wait``)."""
        attempt = 0
        while True:
            try:
                return fn()
            except Exception as exc:
                err = describe(exc, self.endpoint, what)
                retryable = isinstance(err, RateLimited) or "HTTP 5" in str(err)
                if not retryable or attempt >= self.retries:
                    raise err from None
                wait = err.retry_after if isinstance(err, RateLimited) and err.retry_after is not None else None
                if wait is None:
                    wait = 0.25 * 2**attempt
                if wait > self.max_wait:
                    raise err from None
                self._sleep(wait)
                attempt += 1

    def model(self, repo_id: str) -> dict[str, Any]:
        info = self._call(
            repo_id,
            lambda: self._api.model_info(repo_id, expand=EXPAND, timeout=self._timeouts),  # type: ignore[arg-type]
        )
        return self._facts(repo_id, info)

    def card(self, repo_id: str) -> dict[str, Any]:
        """The card metadata of one repo (:func:`card_from_info`): one model-info request."""
        info = self._call(
            repo_id,
            lambda: self._api.model_info(repo_id, expand=CARD_EXPAND, timeout=self.timeout),  # type: ignore[arg-type]
        )
        try:
            return card_from_info(info)
        except Exception as exc:
            raise describe(exc, self.endpoint, repo_id) from None

    def author(self, author: str) -> list[tuple[str, dict[str, Any]]]:
        """Every model of ``author`` as (repo id, facts): one request per page of the listing.

        The request is made here rather than through ``HfApi.list_models``, whose pagination retries a
        refused connection for about 20 seconds; llmcat bounds its own retries (see ``_call``).
        """
        from huggingface_hub import ModelInfo
        from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

        headers = build_hf_headers(library_name="llmcat", library_version=__version__)
        url: str | None = f"{self.endpoint}/api/models"
        params: dict[str, Any] | None = {"author": author, "expand": EXPAND}
        out: list[tuple[str, dict[str, Any]]] = []
        for _page in range(_MAX_PAGES):
            if url is None:
                break

            def get(url: str = url, params: dict[str, Any] | None = params) -> Any:
                r = get_session().get(url, params=params, headers=headers, timeout=self._timeouts)
                hf_raise_for_status(r)
                return r

            response = self._call(author, get)
            try:
                items = response.json()
                infos = [ModelInfo(**item) for item in items]
            except Exception as exc:
                raise describe(exc, self.endpoint, author) from None
            for info in infos:
                repo = getattr(info, "id", None)
                if isinstance(repo, str):
                    out.append((repo, self._facts(repo, info)))
            url, params = response.links.get("next", {}).get("url"), None
        return out

    def _facts(self, what: str, info: Any) -> dict[str, Any]:
        try:
            return facts_from_info(info)
        except Exception as exc:
            raise describe(exc, self.endpoint, what) from None


TIMEOUT_ENV = "LLMCAT_HUB_TIMEOUT"


def timeout_setting(value: float | None) -> float:
    """``--timeout``, else $LLMCAT_HUB_TIMEOUT, else the default. Read only by a command about to ask the
    Hub, so a bad value in the environment never breaks the commands that do not."""
    if value is not None:
        return value
    import math
    import os

    from llmcat.errors import UsageError

    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and 0.1 <= seconds <= 3600):
        raise UsageError(f"{TIMEOUT_ENV}={raw[:20]!r} is not a number of seconds between 0.1 and 3600")
    return seconds
