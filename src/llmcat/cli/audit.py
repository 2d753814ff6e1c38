"""`llmcat audit TARGET` and `llmcat check --policy FILE [TARGET ...]`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from llmcat.cli.common import (
    FormatOpt,
    JsonOpt,
    OfflineOpt,
    RegistryOpt,
    TimeoutOpt,
    TtlOpt,
    err,
    handles_errors,
    load,
    output_format,
)
from llmcat.cli.root import app
from llmcat.errors import ExitCode, LlmcatError, UsageError
from llmcat.formats import OutputFormat


def licence_filter_notes(reg: Any, q: Any, policy: Path | None) -> None:
    """Say on stderr how many models the licence filters dropped, and why (nothing is hidden silently)."""
    from llmcat.policy import licence_filter_drops

    unknown, failing = licence_filter_drops(reg, q)
    if unknown:
        err(f"Note: --without-condition also drops {unknown} model(s) whose licence terms are unknown.")
    if failing and policy is not None:
        where = formats_inert(str(policy))
        err(
            f"Note: {failing} model(s) matching the other filters do not comply with {where} (`llmcat check` says why)."
        )


def formats_inert(text: str) -> str:
    from llmcat.formats import inert

    return inert(text)


MaxDepthOpt = Annotated[
    int, typer.Option("--max-depth", min=1, max=100, help="Follow base models at most this many levels up.")
]
PolicyOpt = Annotated[
    Path,
    typer.Option("--policy", "-p", dir_okay=False, help="The policy file (YAML; see README, 'Licence policies')."),
]


def _cards(timeout: float | None, ttl: float | None, offline: bool) -> Any:
    from llmcat import hub
    from llmcat.cards import HubCards
    from llmcat.enrich import DEFAULT_TTL

    return HubCards(
        timeout=timeout, ttl=ttl if ttl is not None else DEFAULT_TTL, offline=offline or hub.offline_from_env()
    )


def _warn(cards: Any) -> None:
    for w in cards.warnings:
        err(f"Warning: {w}")


@app.command("audit")
@handles_errors
def audit_cmd(
    target: Annotated[
        str, typer.Argument(help="A Hugging Face repo id or URL, a local model folder, or a registry model.")
    ],
    *,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    max_depth: MaxDepthOpt = 8,
    timeout: TimeoutOpt = None,
    ttl: TtlOpt = None,
    offline: OfflineOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """Audit a model's licence: its card, its base models up the chain, the effective commercial status.

    Exit 0 whenever an answer was derived (even "no"); 1 when the target cannot be read.
    """
    from llmcat import audit, formats

    out_fmt = output_format(fmt, as_json, False)
    if out_fmt not in (OutputFormat.TABLE, OutputFormat.JSON, OutputFormat.YAML):
        raise UsageError("audit prints a table, JSON (--json) or YAML")
    reg = load(registry)
    cards = _cards(timeout, ttl, offline)
    try:
        result = audit.audit(reg, target, cards=cards, max_depth=max_depth)
    finally:
        _warn(cards)
    if out_fmt is OutputFormat.TABLE:
        from llmcat import render, render_audit

        render.make_console().print(render_audit.audit_view(result))
    elif out_fmt is OutputFormat.JSON:
        sys.stdout.write(formats.dumps_json(result.record()) + "\n")
    else:
        formats.write_records([result.record()], out_fmt, sys.stdout)


@app.command("check")
@handles_errors
def check_cmd(
    targets: Annotated[
        list[str],
        typer.Argument(
            help="Models to check: registry ids, aliases or families, Hugging Face repo ids or URLs, local folders."
        ),
    ],
    *,
    policy: PolicyOpt,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    max_depth: MaxDepthOpt = 8,
    timeout: TimeoutOpt = None,
    ttl: TtlOpt = None,
    offline: OfflineOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """Check models against a licence policy: exit 1 naming every violation, 0 when all comply."""
    from llmcat import audit, formats
    from llmcat import policy as pol

    out_fmt = output_format(fmt, as_json, False)
    if out_fmt is OutputFormat.IDS:
        raise UsageError("check prints a table, JSON (--json), JSONL, CSV or YAML")
    rules = pol.load_policy(policy)
    reg = load(registry)
    rules.check_ids(reg.licenses)
    cards = _cards(timeout, ttl, offline)
    records: list[dict[str, Any]] = []
    errors = 0
    for target in targets:
        subjects: list[Any] = []
        try:
            # As `audit` reads them: an existing folder, else a registry name, a family, a Hub repo.
            is_dir = Path(target).expanduser().is_dir()
            m = None if is_dir else reg.find(target)
            members = reg.families.get(target.strip().lower()) if m is None and not is_dir else None
            if m is not None:
                subjects = [pol.from_registry(reg, m.id)]
            elif members:
                subjects = [pol.from_registry(reg, mid) for mid in members]
            else:
                subjects = [pol.from_audit(audit.audit(reg, target, cards=cards, max_depth=max_depth))]
        except LlmcatError as e:
            err(f"Error: {e}")
            errors += 1
            records.append(pol.violations_record(target, None, []) | {"compliant": False, "error": str(e)})
            continue
        for s in subjects:
            records.append(pol.violations_record(target, s, pol.evaluate(rules.rules, s)))
    _warn(cards)
    failing = [r for r in records if not r["compliant"]]
    if out_fmt is OutputFormat.TABLE:
        for r in records:
            name = formats.inert(str(r["model"] or r["target"]))
            if "error" in r:
                sys.stdout.write(f"{name}: unreadable\n")
            elif not r["violations"]:
                sys.stdout.write(f"{name}: ok ({r['commercial']})\n")
            for x in r["violations"]:
                sys.stdout.write(f"{name}: {x['rule']}: {formats.inert(x['detail'])}\n")
    else:
        cols = ("target", "model", "commercial", "compliant", "violations")
        formats.write_records(records, out_fmt, sys.stdout, columns=cols)
    n_viol = sum(len(r["violations"]) for r in records)
    where = formats.inert(str(policy))
    if failing:
        unread = f", {errors} could not be read" if errors else ""
        err(f"{len(failing)} of {len(records)} model(s) fail policy {where}: {n_viol} violation(s){unread}.")
        raise typer.Exit(ExitCode.ERROR)
    err(f"All {len(records)} model(s) comply with policy {where}.")
