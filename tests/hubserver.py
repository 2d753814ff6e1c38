"""A stand-in for the Hugging Face Hub API on 127.0.0.1, for tests and benchmarks (never the internet).

It serves Hub-shaped JSON for ``GET /api/models/{org}/{name}`` (model info) and
``GET /api/models?author=ORG`` (the listing), and can be told to misbehave per repo: unknown (401
RepoNotFound), gated (403 GatedRepo), rate-limited (429 with Retry-After), failing (500), slow,
malformed JSON, or missing ``safetensors.total``. Any other path answers 404 with a JSON body, so
whatever else huggingface_hub asks for is tolerated. Requests are counted per path.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


def model_json(repo: str, **over: Any) -> dict[str, Any]:
    """A model-info body shaped like the Hub's (with extra keys the client must ignore)."""
    org, _name = repo.split("/", 1)
    body: dict[str, Any] = {
        "_id": f"id-{repo}",
        "id": repo,
        "modelId": repo,
        "author": org,
        "private": False,
        "downloads": 1000,
        "likes": 10,
        "trendingScore": 1,
        "createdAt": "2024-01-02T03:04:05.000Z",
        "lastModified": "2024-06-07T08:09:10.000Z",
        "gated": False,
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        "tags": ["transformers", "text-generation"],
        "cardData": {"license": "apache-2.0", "language": ["en"]},
        "safetensors": {"parameters": {"BF16": 7_000_000_000}, "total": 7_000_000_000},
        "sha": "0" * 40,
        "widgetData": [{"text": "hi"}],
        "unknownFutureKey": {"nested": True},
    }
    body.update(over)
    return body


@dataclass
class Fault:
    kind: str  # notfound | gated | ratelimit | error | echo | slow | malformed | nototal
    times: int = 10**9  # how many requests misbehave before the repo answers normally
    retry_after: str = "0"
    delay: float = 0.0


@dataclass
class StandInHub:
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: dict[str, Fault] = field(default_factory=dict)
    latency: float = 0.0  # added to every request (benchmarks)
    hits: Counter[str] = field(default_factory=Counter)
    auth: list[str] = field(default_factory=list)
    url: str = ""

    def add(self, repo: str, **over: Any) -> None:
        self.models[repo] = model_json(repo, **over)

    def card(self, repo: str, **card_data: Any) -> None:
        """Serve ``repo`` with this model card metadata (the Hub's ``cardData``: license, base_model ...)."""
        self.add(repo, cardData=card_data)

    @property
    def requests(self) -> int:
        """Requests for model data (huggingface_hub may also call other endpoints of its own)."""
        return sum(n for path, n in self.hits.items() if path.startswith("/api/models"))


def _handler(hub: StandInHub) -> type[BaseHTTPRequestHandler]:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
            self._send(status, json.dumps(obj).encode(), headers)

        def _fault(self, repo: str) -> bool:
            """Misbehave for ``repo`` if told to; True when the answer has been sent."""
            with lock:
                fault = hub.faults.get(repo)
                if fault is None or fault.times <= 0:
                    return False
                fault.times -= 1
            if fault.kind == "notfound":
                self._json(401, {"error": "Repository Not Found"}, {"X-Error-Code": "RepoNotFound"})
            elif fault.kind == "gated":
                self._json(403, {"error": "Access restricted"}, {"X-Error-Code": "GatedRepo"})
            elif fault.kind == "ratelimit":
                self._json(429, {"error": "Too many requests"}, {"Retry-After": fault.retry_after})
            elif fault.kind == "error":
                self._json(500, {"error": "Internal Error"})
            elif fault.kind == "echo":  # a Hub that reflects the request's credentials in its error
                auth = self.headers.get("Authorization")
                self._json(500, {"error": f"rejected {auth}"}, {"X-Error-Message": f"token {auth}"})
            elif fault.kind == "slow":
                time.sleep(fault.delay)
                return False
            elif fault.kind == "malformed":
                self._send(200, b'{"id": "' + repo.encode() + b'", "downloads": 1,')
            elif fault.kind == "nototal":
                body = dict(hub.models[repo])
                body["safetensors"] = {"parameters": {"BF16": 1}}
                self._json(200, body)
            return True

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path = unquote(parts.path)
            with lock:
                hub.hits[path] += 1
                if self.headers.get("Authorization"):
                    hub.auth.append(self.headers["Authorization"])
            if hub.latency:
                time.sleep(hub.latency)
            if path.startswith("/api/models/"):
                repo = "/".join(path[len("/api/models/") :].split("/")[:2])
                if repo in hub.faults and self._fault(repo):
                    return
                if repo not in hub.models:
                    self._json(401, {"error": "Repository Not Found"}, {"X-Error-Code": "RepoNotFound"})
                    return
                self._json(200, hub.models[repo])
                return
            if path == "/api/models":
                author = (parse_qs(parts.query).get("author") or [""])[0]
                bodies = []
                for r in (r for r in hub.models if r.split("/")[0] == author):
                    fault = hub.faults.get(r)
                    if fault is not None and fault.times > 0:
                        if fault.kind in {"notfound", "gated"}:
                            continue  # not listed publicly
                        if fault.kind == "nototal":
                            with lock:
                                fault.times -= 1
                            bodies.append({**hub.models[r], "safetensors": {"parameters": {"BF16": 1}}})
                            continue
                        if self._fault(r):
                            return
                    bodies.append(hub.models[r])
                self._json(200, bodies)
                return
            self._json(404, {"error": f"no route for {path}"})

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeouts are tested on purpose) is not a test failure


@contextmanager
def serve(hub: StandInHub | None = None) -> Iterator[StandInHub]:
    hub = hub or StandInHub()
    server = _QuietServer(("127.0.0.1", 0), _handler(hub))
    hub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield hub
    finally:
        server.shutdown()
        server.server_close()
