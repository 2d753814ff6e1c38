"""Licence policies: a YAML file of rules (validated with pydantic, JSON Schema in schema/), and their
evaluation against registry models and audited models.

A model complies when no rule is broken. Every rule reads the same derived facts as ``llmcat show``
and ``llmcat audit``: the effective status, the chain of licences that apply (superseded ones excluded),
the licence conditions along the lineage, the caveats, the lineage depth, and the audit findings.
A violation names the model, the rule, and the link of the chain or the condition that breaks it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StringConstraints

from llmcat.errors import Issue, RegistryError
from llmcat.records import Commercial, LicenseClass, LicenseCondition, Status
from llmcat.schema import ConditionKind

if TYPE_CHECKING:
    from llmcat.audit import Audit
    from llmcat.registry import Registry
    from llmcat.yamlsrc import Loc

FindingKind = Literal[
    "more-permissive",
    "unresolved-base",
    "unknown-license",
    "no-license",
    "chain-too-deep",
    "cycle",
    "lineage-too-large",
]
LicenseId = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=120)]
_MAX_BYTES = 1024 * 1024


def _yaml_bool_status(value: Any) -> Any:
    """``allow_commercial: [yes, no]`` unquoted: YAML reads yes/no as booleans; take them as meant."""
    if isinstance(value, list):
        return [("yes" if v else "no") if isinstance(v, bool) else v for v in value]
    return value


class PolicyFile(BaseModel):
    """A licence policy. Every rule is optional; an empty policy accepts every model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    policy_version: Literal[1] = Field(1, description="Format version of this file.")
    allow_commercial: Annotated[list[Status] | None, BeforeValidator(_yaml_bool_status)] = Field(
        None, description="Effective commercial statuses accepted (yes, conditional, unknown, no)."
    )
    require_known: StrictBool = Field(False, description="Fail a model whose effective status is unknown.")
    deny_conditions: list[ConditionKind] = Field(
        [], description="Licence condition kinds that fail a model when they apply anywhere along its lineage."
    )
    deny_license_classes: list[LicenseClass] = Field(
        [], description="Licence classes that fail a model when a licence along its lineage has one."
    )
    allow_licenses: list[LicenseId] | None = Field(
        None, description="Licence ids accepted; every licence along the lineage must be one of them."
    )
    deny_licenses: list[LicenseId] = Field([], description="Licence ids that fail a model anywhere along its lineage.")
    deny_caveats: StrictBool = Field(False, description="Fail a model with any caveat (non-binding provenance note).")
    max_chain_depth: Annotated[int, Field(ge=0, le=1000, strict=True)] | None = Field(
        None, description="The most ancestors a model may have."
    )
    require_source: StrictBool = Field(
        False, description="Every model along the lineage must be in the registry (sourced facts, not just a card)."
    )
    deny_findings: list[FindingKind] = Field([], description="Audit findings that fail a model.")


RULES = tuple(f for f in PolicyFile.model_fields if f != "policy_version")


class PolicyError(RegistryError):
    """A policy file that cannot be used; every issue is located as file:line:col."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(issues)
        n = len(self.issues)
        self.args = (f"{n} problem{'s' if n != 1 else ''} in the policy file",)


class Policy(NamedTuple):
    rules: PolicyFile
    path: str
    positions: dict[Loc, tuple[int, int]]

    def issue(self, loc: Loc, message: str) -> Issue:
        from llmcat import yamlsrc

        line, col = yamlsrc.locate(self.positions, loc)
        return Issue(self.path, line, col, _dotted(loc), message)

    def check_ids(self, known: Mapping[str, Any]) -> None:
        """Licence ids the registry does not know are an error, with suggestions."""
        import difflib

        issues = []
        for rule in ("allow_licenses", "deny_licenses"):
            for i, lic in enumerate(getattr(self.rules, rule) or ()):
                if lic not in known:
                    near = difflib.get_close_matches(lic, list(known), n=3)
                    hint = f"; did you mean {', '.join(near)}?" if near else " (see `llmcat licenses`)"
                    issues.append(self.issue((rule, i), f"unknown licence id {lic!r}{hint}"))
        if issues:
            raise PolicyError(issues)


def _dotted(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_policy(text: str, path: str) -> Policy:
    """A policy from YAML text. Raises PolicyError with every problem at its line and column."""
    from pydantic import ValidationError

    from llmcat import yamlsrc
    from llmcat.schema import clean_message

    try:
        data = yamlsrc.load(text, path)
    except RegistryError as e:
        raise PolicyError(e.issues) from None
    pos = yamlsrc.positions(text)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        line, col = yamlsrc.locate(pos, ())
        raise PolicyError([Issue(path, line, col, "", "expected a mapping of rules (see README, 'Policy files')")])
    try:
        rules = PolicyFile.model_validate(data)
    except ValidationError as e:
        policy = Policy(PolicyFile(), path, pos)
        issues = []
        for err in e.errors(include_url=False):
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            msg = clean_message(err["msg"])
            if err["type"] == "extra_forbidden":
                msg = f"unknown rule (known: {', '.join(RULES)})"
                line, col = yamlsrc.locate(pos, loc, key=True)
                issues.append(Issue(path, line, col, _dotted(loc), msg))
                continue
            issues.append(policy.issue(loc, msg))
        raise PolicyError(issues) from None
    return Policy(rules, path, pos)


def load_policy(path: Path) -> Policy:
    try:
        with path.open("rb") as f:
            data = f.read(_MAX_BYTES + 1)
    except OSError as e:
        raise PolicyError([Issue(str(path), 1, 1, "", f"cannot read ({e.strerror or type(e).__name__})")]) from None
    if len(data) > _MAX_BYTES:
        raise PolicyError([Issue(str(path), 1, 1, "", "larger than 1 MiB; not a policy file")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise PolicyError([Issue(str(path), 1, 1, "", f"not UTF-8 text ({e.reason} at byte {e.start})")]) from None
    return parse_policy(text, str(path))


# --------------------------------------------------------------------------- what is evaluated


class Link(NamedTuple):
    """A model along the lineage whose licence applies (superseded ones are not links)."""

    model: str
    license: str | None  # None: a licence llmcat does not know, or none stated, or unreadable
    license_class: LicenseClass | None
    source: str  # registry | hub | local | unresolved | not-walked
    detail: str  # the chain step's detail (licence name and class, or why it is unknown)


class Subject(NamedTuple):
    name: str
    status: Status
    reason: str
    links: tuple[Link, ...]
    conditions: tuple[LicenseCondition, ...]
    caveats: tuple[str, ...]
    depth: int
    findings: tuple[tuple[str, str], ...]  # (kind, message)


def _links(c: Commercial, info: Callable[[str], tuple[str | None, str]], licenses: Mapping[str, Any]) -> list[Link]:
    out: list[Link] = []
    for s in c.chain:
        if s.source != "license":
            continue
        lic_id, source = info(s.model)
        lic = licenses.get(lic_id) if lic_id is not None else None
        # A licence llmcat does not know (or none, or an unreadable base) counts as class "unknown".
        cls = lic.license_class if lic else LicenseClass.UNKNOWN
        out.append(Link(s.model, lic_id if lic else None, cls, source, s.detail))
    return out


def from_registry(registry: Registry, model_id: str) -> Subject:
    c = registry.commercial(model_id)
    m = registry.models[model_id]

    def info(mid: str) -> tuple[str | None, str]:
        return registry.models[mid].license, "registry"

    links = _links(c, info, registry.licenses)
    depth = len(registry.ancestors(m))
    return Subject(model_id, c.status, c.reason, tuple(links), c.conditions, c.caveats, depth, ())


def from_audit(a: Audit) -> Subject:
    nodes = {n.key: n for n in a.nodes}

    def info(key: str) -> tuple[str | None, str]:
        n = nodes.get(key)
        return (n.license, n.source) if n is not None else (None, "unresolved")

    links = _links(a.commercial, info, a.licenses)
    c = a.commercial
    findings = tuple((f.kind, f.message) for f in a.findings)
    return Subject(a.root.key, c.status, c.reason, tuple(links), c.conditions, c.caveats, a.depth, findings)


# --------------------------------------------------------------------------- evaluation


class Violation(NamedTuple):
    model: str
    rule: str
    link: str | None  # the model along the lineage (or the licence) that breaks the rule
    detail: str

    def __str__(self) -> str:
        return f"{self.model}: {self.rule}: {self.detail}"


def _via(link: Link, subject: Subject) -> str:
    return "its own licence" if link.model == subject.name else f"base {link.model}"


def evaluate(p: PolicyFile, s: Subject) -> list[Violation]:
    """Every rule of ``p`` that ``s`` breaks (empty: it complies)."""
    out: list[Violation] = []

    def v(rule: str, link: str | None, detail: str) -> None:
        out.append(Violation(s.name, rule, link, detail))

    if p.allow_commercial is not None and s.status not in p.allow_commercial:
        allowed = ", ".join(x.value for x in p.allow_commercial) or "none"
        v("allow_commercial", None, f"status {s.status.value} is not one of {allowed} ({s.reason})")
    if p.require_known and s.status is Status.UNKNOWN:
        unknown = [lk for lk in s.links if lk.license_class in (None, LicenseClass.UNKNOWN)]
        if unknown:
            for lk in unknown:
                v("require_known", lk.model, f"terms unknown: {_via(lk, s)}: {lk.detail}")
        else:
            v("require_known", None, f"status unknown ({s.reason})")
    if p.deny_conditions:
        deny = set(p.deny_conditions)
        for cond in s.conditions:
            if cond.kind in deny:
                carrier = next((lk for lk in s.links if lk.license == cond.license), None)
                where = _via(carrier, s) if carrier else "the lineage"
                text = cond.text if len(cond.text) <= 160 else cond.text[:157] + "..."
                v("deny_conditions", carrier.model if carrier else cond.license,
                  f"{cond.kind} from licence {cond.license} ({where}): {text}")  # fmt: skip
    for lk in s.links:
        if p.deny_license_classes and lk.license_class in p.deny_license_classes:
            what = f"licence {lk.license} is {lk.license_class}" if lk.license else f"class unknown: {lk.detail}"
            v("deny_license_classes", lk.model, f"{_via(lk, s)}: {what}")
        if p.allow_licenses is not None and (lk.license is None or lk.license not in p.allow_licenses):
            shown = lk.license or f"unknown ({lk.detail})"
            v("allow_licenses", lk.model, f"{_via(lk, s)}: licence {shown} is not allowed")
        if lk.license is not None and lk.license in p.deny_licenses:
            v("deny_licenses", lk.model, f"{_via(lk, s)}: licence {lk.license} is denied")
        if p.require_source and lk.source != "registry":
            v("require_source", lk.model, f"{_via(lk, s)}: {lk.model} is not in the registry (source: {lk.source})")
    if p.deny_caveats:
        for cav in s.caveats:
            v("deny_caveats", None, f"caveat: {cav}")
    if p.max_chain_depth is not None and s.depth > p.max_chain_depth:
        v("max_chain_depth", None, f"{s.depth} ancestors, more than {p.max_chain_depth}")
    if p.deny_findings:
        for kind, message in s.findings:
            if kind in p.deny_findings:
                v("deny_findings", None, f"{kind}: {message}")
    return out


def compliant(p: PolicyFile, s: Subject) -> bool:
    return not evaluate(p, s)


def registry_filter(p: PolicyFile, registry: Registry) -> Callable[[str], bool]:
    """A fast predicate over registry model ids (the status is checked first, from the index)."""
    allowed = set(p.allow_commercial) if p.allow_commercial is not None else None

    def keep(model_id: str) -> bool:
        status = registry.status(model_id)
        if allowed is not None and status not in allowed:
            return False
        if p.require_known and status is Status.UNKNOWN:
            return False
        return compliant(p, from_registry(registry, model_id))

    return keep


def licence_filter_drops(registry: Registry, q: Any) -> tuple[int, int]:
    """How many models matching ``q``'s other filters its licence filters drop: (``without_conditions``
    drops because the terms are unknown, the policy drops). ``q`` is a :class:`llmcat.query.Query`."""
    from llmcat.query import run

    others = run(registry, q._replace(without_conditions=(), policy=None, limit=None))
    unknown = 0
    if q.without_conditions:
        unknown = sum(1 for m in others if registry.status(m.id) is Status.UNKNOWN)
    failing = 0
    if q.policy is not None:
        keep = registry_filter(q.policy, registry)
        failing = sum(1 for m in others if not keep(m.id))
    return unknown, failing


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a policy file (committed as schema/policy.schema.json)."""
    schema = PolicyFile.model_json_schema()
    schema["title"] = "llmcat licence policy"
    return schema


def violations_record(name: str, subject: Subject | None, found: Sequence[Violation]) -> dict[str, Any]:
    return {
        "target": name,
        "model": subject.name if subject else None,
        "commercial": subject.status.value if subject else None,
        "compliant": not found,
        "violations": [{"rule": x.rule, "link": x.link, "detail": x.detail} for x in found],
    }


if __name__ == "__main__":  # python -m llmcat.policy > schema/policy.schema.json
    import json

    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))  # noqa: T201
