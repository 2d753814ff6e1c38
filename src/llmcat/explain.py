"""`llmcat why`: which filter of a query keeps a model out of the list, and with which value.

Pure: takes a registry, a model and a :class:`~llmcat.query.Query`; returns finished verdicts that a
renderer only has to print.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from llmcat.query import Query, field_checks, matches, select
from llmcat.records import JapaneseLevel, Model, Status

if TYPE_CHECKING:
    from llmcat.registry import Registry

PASSES = "passes"
LEFT_OUT = "left out"
UNKNOWN = "unknown"


class Verdict(NamedTuple):
    option: str  # the filter as given: "--min-context 8000"
    outcome: str  # PASSES, LEFT_OUT or UNKNOWN
    detail: str  # the model's value against the bound, in words


class Explanation(NamedTuple):
    id: str
    listed: bool  # whether `llmcat list` with the same options shows it
    verdicts: tuple[Verdict, ...]  # one per filter given, in option order
    summary: str  # one sentence

    def record(self) -> dict[str, object]:
        return {
            "id": self.id,
            "listed": self.listed,
            "summary": self.summary,
            "filters": [v._asdict() for v in self.verdicts],
        }


def _v(option: str, ok: bool, detail: str) -> Verdict:
    return Verdict(option, PASSES if ok else LEFT_OUT, detail)


def _list(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(values) if values else "none"


def explain(registry: Registry, m: Model, q: Query) -> Explanation:
    """Every filter of ``q`` judged on ``m``: passes, leaves it out (value against bound), or unknown."""
    out: list[Verdict] = []
    one = Query(words=q.words)
    for w in q.words:
        ok = matches(m, one._replace(words=(w,)), registry)
        out.append(_v(repr(w), ok, "a whole word of its names, family, org, tags or repos" if ok else "not found"))
    status = registry.status(m.id)
    if q.commercial:
        ok = status in (Status.YES, Status.CONDITIONAL)
        out.append(_v("--commercial", ok, f"commercial status {status.value} (needs yes or conditional)"))
    if q.unconditional:
        out.append(_v("--unconditional", status is Status.YES, f"commercial status {status.value} (needs yes)"))
    if q.licenses:
        ok = m.license.lower() in {x.lower() for x in q.licenses}
        out.append(_v(f"--license {' '.join(q.licenses)}", ok, f"licence {m.license}"))
    if q.license_classes:
        lic = registry.licenses.get(m.license)
        cls = lic.license_class.value if lic is not None else "unknown"
        ok = lic is not None and lic.license_class in q.license_classes
        out.append(_v(f"--license-class {' '.join(c.value for c in q.license_classes)}", ok, f"licence class {cls}"))
    if q.languages:
        langs = set(m.languages)
        if m.japanese is not None and JapaneseLevel(m.japanese).supported:
            langs.add("ja")
        ok = all(code.lower() in langs for code in q.languages)
        out.append(_v(f"--lang {' '.join(q.languages)}", ok, f"languages {_list(sorted(langs))}"))
    if q.modalities:
        ok = all(x in m.modalities for x in q.modalities)
        out.append(_v("--image", ok, f"input {_list(m.modalities)}"))
    if q.bases:
        lineage = {a.id for a in registry.ancestors(m)}
        hit = sorted(lineage & set(q.bases))
        shown = q.bases[0] if len(q.bases) == 1 else f"{q.bases[0]} (and {len(q.bases) - 1} more)"
        detail = f"built on {', '.join(hit)}" if hit else f"not built on {shown}"
        out.append(_v("--base", bool(hit), detail))
    if q.families:
        ok = m.family.lower() in {f.lower() for f in q.families}
        out.append(_v(f"--family {' '.join(q.families)}", ok, f"family {m.family}"))
    if q.orgs:
        ok = any(o.lower() in m.org.lower() for o in q.orgs)
        out.append(_v(f"--org {' '.join(q.orgs)}", ok, f"organisation {m.org}"))
    if q.tags:
        ok = all(t.lower() in m.tags for t in q.tags)
        out.append(_v(f"--tag {' '.join(q.tags)}", ok, f"tags {_list(m.tags)}"))
    if q.without_conditions:
        kinds = set(q.without_conditions)
        if status is Status.UNKNOWN:
            out.append(_v(f"--without-condition {' '.join(q.without_conditions)}", False, "licence terms unknown"))
        else:
            hit = sorted({c.kind for c in registry.commercial(m.id).conditions} & kinds)
            detail = f"has {', '.join(hit)} along its lineage" if hit else "none of them along its lineage"
            out.append(_v(f"--without-condition {' '.join(q.without_conditions)}", not hit, detail))
    if q.policy is not None:
        from llmcat.policy import evaluate, from_registry

        broken = evaluate(q.policy, from_registry(registry, m.id))
        detail = "; ".join(f"{v.rule}: {v.detail}" for v in broken) if broken else "complies"
        out.append(_v("--policy", not broken, detail))
    for c in field_checks(q, registry):
        value = c.value(m)
        if value is None:
            keep = " (kept: --include-unknown)" if q.include_unknown else " (--include-unknown keeps it)"
            out.append(Verdict(c.option, PASSES if q.include_unknown else UNKNOWN, f"{c.field} unknown{keep}"))
        else:
            how = c.basis(m) if c.basis is not None else ""
            out.append(_v(c.option, c.keeps(value), f"{c.field} {c.shown(value)}" + (f" ({how})" if how else "")))
    excluded = [v for v in out if v.outcome != PASSES]
    listed = not excluded
    if excluded:
        n = len(excluded)
        summary = f"{m.id} is not listed: {n} filter{'s' if n != 1 else ''} leave{'s' if n == 1 else ''} it out."
    elif not out:
        summary = f"{m.id} is listed: no filter was given."
    else:
        summary = f"{m.id} is listed: it passes every filter."
    if listed and q.limit is not None:
        ranked = [x.id for x in select(registry, q._replace(limit=None)).models]
        place = ranked.index(m.id) + 1 if m.id in ranked else None
        if place is not None and place > q.limit:
            listed = False
            summary = (
                f"{m.id} passes every filter but is not listed: it is number {place} "
                f"in --sort {q.sort.value} order, after the first {q.limit} (--limit)."
            )
    return Explanation(m.id, listed, tuple(out), summary)
