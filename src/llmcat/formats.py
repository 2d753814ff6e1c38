"""The stable machine-readable forms of models and licences: JSON, JSONL, CSV, YAML, ids.

This module knows nothing of rich or Typer. The JSON object of a model is the documented contract
(README "JSON fields"); CSV flattens it; every other output derives from :func:`model_record`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from llmcat.records import License

if TYPE_CHECKING:
    from llmcat.views import ModelView


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    YAML = "yaml"
    IDS = "ids"


# C0 controls except tab/newline, DEL and C1 controls: what a terminal could act on.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def inert(text: str) -> str:
    """Make untrusted text safe for a terminal: control characters become visible escapes.

    ``"\\x1b[2J"`` prints as the six characters ``\\x1b[2J`` rather than clearing the screen.
    """
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


_RAW_CONTROL = re.compile(rb"\x7f|\xc2[\x80-\x9f]")  # DEL and C1 as UTF-8: JSON allows them raw


def _escape_raw_control(m: re.Match[bytes]) -> bytes:
    return b"\\u%04x" % ord(m.group().decode())


def _safe_bytes(data: bytes) -> bytes:
    if _RAW_CONTROL.search(data):
        data = _RAW_CONTROL.sub(_escape_raw_control, data)
    return data


def _safe(data: bytes) -> str:
    return _safe_bytes(data).decode()


def dumps_json(obj: Any, *, indent: bool = True) -> str:
    """JSON text (orjson: fast, UTF-8 kept readable), every control character escaped for terminals."""
    import orjson

    return _safe(orjson.dumps(obj, option=orjson.OPT_INDENT_2 if indent else 0))


def _json_lines_bytes(records: Sequence[Mapping[str, Any]], sep: bytes) -> bytes:
    import orjson

    dumps = orjson.dumps
    return _safe_bytes(sep.join([dumps(r) for r in records]))


def _write_utf8(out: Any, data: bytes) -> None:
    """Write UTF-8 ``data`` to a text stream, straight to its byte buffer when it has one."""
    buffer = getattr(out, "buffer", None)
    if buffer is not None and (getattr(out, "encoding", "") or "").lower().replace("-", "") == "utf8":
        out.flush()
        buffer.write(data)
        buffer.flush()
    else:
        out.write(data.decode())


def license_record(lic: License) -> dict[str, Any]:
    return {
        "id": lic.id,
        "name": lic.name,
        "spdx": lic.spdx,
        "class": lic.license_class.value,
        "commercial": lic.license_class.status.value,
        "conditions": [{"kind": c.kind, "text": c.text} for c in lic.conditions],
        "url": lic.url,
        "sources": list(lic.sources),
    }


def model_record(view: ModelView, *, detail: bool = False) -> dict[str, Any]:
    """The JSON object for one model (see README, "JSON fields"). Keys and order are stable.

    ``detail`` (``show``) adds the explanation: the chain of steps, the full text of the licence
    conditions, and the lineage both ways (the view must then have been built with ``detail``).
    """
    m, c, lic = view.model, view.commercial, view.licence
    rec: dict[str, Any] = {
        "id": m.id,
        "name": m.name,
        "aliases": m.aliases,
        "family": m.family,
        "org": m.org,
        "released": m.released,
        "params_b": view.size.billions if view.size is not None else None,
        "active_params_b": m.active_params_b,
        "architecture": m.architecture,
        "context_tokens": view.context.tokens if view.context is not None else None,
        "base_model": m.base_model,
        "license": m.license,
        "license_name": lic.name if lic else None,
        "license_class": lic.license_class.value if lic else None,
        "commercial": c.status.value,
        "commercial_reason": c.reason,
        "condition_kinds": sorted({x.kind for x in c.conditions}),
        "caveats": c.caveats,
        "languages": m.languages,
        "japanese": m.japanese.value if m.japanese else None,
        "modalities": m.modalities,
        "image_input": "image" in m.modalities,
        "hf_repos": m.hf_repos,
        "gated": m.gated,
        "tags": m.tags,
        "description": m.description,
        "restrictions": [
            {
                "kind": r.kind,
                "text": r.text,
                "binding": r.binding,
                "status": r.status.value if r.status else None,
                "source": r.source,
            }
            for r in m.restrictions
        ],
        "sources": m.sources,
        "origin": m.origin,
        "org_id": m.org_id,
        "licenses": m.all_licenses,
        "base_model_note": m.base_model_note,
        "source_copies": [{"url": u, "via": v} for u, v in m.source_copies],
        "params_nominal": view.size is not None and view.size.nominal,
        "context_basis": view.context.basis if view.context is not None else None,
        "context_config_from": view.context.config_from if view.context is not None else None,
    }
    if detail:
        rec["commercial_chain"] = [
            {"model": s.model, "source": s.source, "status": s.status.value, "detail": s.detail} for s in c.chain
        ]
        rec["conditions"] = [{"license": x.license, "kind": x.kind, "text": x.text} for x in c.conditions]
        if not view.detail:
            raise ValueError(f"model_record(detail=True) needs a view built with detail ({m.id})")
        rec["ancestors"] = list(view.ancestors)
        rec["descendants"] = list(view.descendants)
    return rec


HUB_CSV_COLUMNS = ("hub.downloads", "hub.likes", "hub.trending_score", "hub.gated", "hub.fetched_at")

CSV_COLUMNS = (
    "id",
    "name",
    "family",
    "org",
    "released",
    "params_b",
    "active_params_b",
    "context_tokens",
    "base_model",
    "license",
    "license_class",
    "commercial",
    "commercial_reason",
    "japanese",
    "languages",
    "modalities",
    "hf_repos",
    "tags",
    "condition_kinds",
    "caveats",
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(_cell(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return dumps_json(value, indent=False)
    return inert(str(value))


def write_records(
    records: Sequence[Mapping[str, Any]],
    fmt: OutputFormat,
    out: io.TextIOBase | Any,
    *,
    columns: Sequence[str] | None = None,
) -> None:
    """Write ``records`` to ``out`` as JSON, JSONL, CSV, YAML or ids (not table: see render)."""
    if fmt is OutputFormat.JSON:
        # An array with one compact object per line: valid JSON, greppable, and written by the C encoder
        # (json's pure-Python indenting encoder is ~10x slower on big listings).
        if not records:
            out.write("[]\n")
        else:
            _write_utf8(out, b"[\n" + _json_lines_bytes(records, b",\n") + b"\n]\n")
    elif fmt is OutputFormat.JSONL:
        if records:
            _write_utf8(out, _json_lines_bytes(records, b"\n") + b"\n")
    elif fmt is OutputFormat.CSV:
        import csv

        cols = list(columns or (records[0].keys() if records else ()))
        w = csv.writer(out, lineterminator="\n")
        w.writerow(cols)
        for r in records:
            w.writerow([_cell(_dig(r, c)) for c in cols])
    elif fmt is OutputFormat.YAML:
        import yaml

        out.write(yaml.safe_dump(_yaml_safe(list(records)), allow_unicode=True, sort_keys=False))
    elif fmt is OutputFormat.IDS:
        for r in records:
            out.write(inert(str(r["id"])) + "\n")
    else:  # pragma: no cover - the table is rendered by llmcat.render
        raise ValueError(f"not a machine format: {fmt}")


def _dig(record: Mapping[str, Any], column: str) -> Any:
    """``record[column]``, where ``hub.likes`` reaches into a nested object."""
    value: Any = record
    for part in column.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _yaml_safe(obj: Any) -> Any:
    if isinstance(obj, str):
        return inert(obj)
    if isinstance(obj, list | tuple):
        return [_yaml_safe(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _yaml_safe(v) for k, v in obj.items()}
    return obj
