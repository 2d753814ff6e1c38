"""Live enrichment of the whole bundled registry against a stand-in Hub with 100 ms latency per request.

Targets (issue "Live Hugging Face Hub enrichment"): the first `llmcat list --live --json` (empty cache)
within 2 s wall; a second one, served from the cache, within 1.2 x an offline `llmcat list --json`.
The stand-in (tests/hubserver.py) listens on 127.0.0.1 only. Usage: python benchmarks/hub_enrich.py
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import llmcat_command, paired, run_env, verdict, wall

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.hubserver import StandInHub, serve


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    llmcat = llmcat_command()
    with tempfile.TemporaryDirectory() as tmp, serve(StandInHub(latency=args.latency)) as hub:
        env = {"LLMCAT_CACHE_DIR": str(Path(tmp) / "cache"), "HF_ENDPOINT": hub.url, "HF_HUB_OFFLINE": ""}
        ids = subprocess.run([*llmcat, "list", "--json"], capture_output=True, check=True, env={**env}).stdout
        repos = [r["hf_repos"][0] for r in json.loads(ids) if r["hf_repos"]]
        for repo in repos:
            hub.add(repo)
        live = [*llmcat, "list", "--live", "--json"]
        first = wall(live, env)
        requests = hub.requests
        out = subprocess.run(live, capture_output=True, check=True, env=run_env(env))
        enriched = sum(1 for r in json.loads(out.stdout) if r.get("hub"))
        cached, offline = paired(live, [*llmcat, "list", "--json"], args.runs, env)
    ratio = cached / offline
    ok_first, ok_ratio = first <= 2.0, ratio <= 1.2
    print(f"{len(repos)} repos in the bundled registry; stand-in Hub latency {args.latency * 1000:.0f} ms/request")
    print(f"first  list --live --json  {first:6.2f} s  ({requests} requests)  (target <= 2 s)  {verdict(ok_first)}")
    print(f"cached list --live --json  {cached * 1000:6.0f} ms  ({enriched} models with Hub data, no requests)")
    print(f"offline list --json        {offline * 1000:6.0f} ms")
    print(f"ratio                      {ratio:6.2f}  (target <= 1.2)  {verdict(ok_ratio)}")
    return 0 if ok_first and ok_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
