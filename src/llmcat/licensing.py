"""Derive a model's effective commercial status from its licence, its ancestors and binding restrictions.

The rule: the most restrictive of (a) the model's own licence class, (b) the licence class of every
ancestor along ``base_model``, and (c) every restriction marked binding on the model or an ancestor.
Restrictions the publisher does not treat as binding become caveats shown beside the answer.

One exception: an ancestor's licence is not inherited when the ancestor comes from the same publisher
as the model and the model carries a different licence (e.g. DeepSeek-R1, released under MIT by
DeepSeek on top of its own DeepSeek-V3-Base): a licensor may relicense its own work. The step stays
in the chain, marked ``superseded``, so the explanation shows it; ancestors further up are still
inherited when they come from someone else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from llmcat.records import Commercial, License, LicenseCondition, Model, Status, Step

_RANK = {s: s.rank for s in Status}


def lineage(model: Model, models: Mapping[str, Model]) -> list[Model]:
    """The model followed by its ancestors, nearest first. Stops at an unknown id or a cycle."""
    chain = [model]
    seen = {model.id}
    current = model
    while current.base_model is not None:
        parent = models.get(current.base_model)
        if parent is None or parent.id in seen:
            break
        chain.append(parent)
        seen.add(parent.id)
        current = parent
    return chain


def _describe(m: Model, subject: Model) -> str:
    return "its own licence" if m.id == subject.id else f"base model {m.name} ({m.id})"


class _Facts(NamedTuple):
    """What one model contributes to the status of a model built on it (independent of that model)."""

    license: License | None
    license_step: Step
    conditions: tuple[LicenseCondition, ...]  # its licence's conditions
    binding: tuple[Step, ...]
    caveats: tuple[str, ...]


def _licence_terms(lic: License, memo: dict[Any, Any]) -> tuple[str, tuple[LicenseCondition, ...]]:
    """A licence's step detail and conditions, built once per licence."""
    key = ("licence", lic.id)
    terms = memo.get(key)
    if terms is None:
        detail = f"{lic.name} [{lic.license_class.value}]"
        terms = memo[key] = (detail, tuple(LicenseCondition(lic.id, c.kind, c.text) for c in lic.conditions))
    return terms


def _licence_step(m: Model, lic_id: str, licenses: Mapping[str, License], memo: dict[Any, Any]) -> _Facts:
    lic = licenses.get(lic_id)
    if lic is None:
        return _Facts(
            None, Step(m.id, "license", Status.UNKNOWN, f"licence {lic_id!r} is not in the table"), (), (), ()
        )
    detail, conditions = _licence_terms(lic, memo)
    return _Facts(lic, Step(m.id, "license", lic.license_class.status, detail), conditions, (), ())


def _facts(m: Model, licenses: Mapping[str, License], memo: dict[Any, Any], *, via: bool) -> _Facts:
    own = _licence_step(m, m.license, licenses, memo)
    lic, step, conditions = own.license, own.license_step, own.conditions
    if m.licenses:  # several licences apply: the most restrictive decides, the conditions of all apply
        parts = [own] + [_licence_step(m, x, licenses, memo) for x in m.licenses[1:]]
        worst = max(parts, key=lambda f: _RANK[f.license_step.status])
        step = worst.license_step._replace(detail=" + ".join(f.license_step.detail for f in parts))
        conditions = tuple(c for f in parts for c in f.conditions)
    if not m.restrictions:
        return _Facts(lic, step, conditions, (), ())
    binding = tuple(Step(m.id, "restriction", r.status, r.text) for r in m.restrictions if r.binding and r.status)
    caveats = tuple(
        (f"{r.text} (via {m.id})" if via else r.text) for r in m.restrictions if not (r.binding and r.status)
    )
    return _Facts(lic, step, conditions, binding, caveats)


def derive(
    model: Model,
    models: Mapping[str, Model],
    licenses: Mapping[str, License],
    memo: dict[Any, Any] | None = None,
) -> Commercial:
    """The effective status of ``model`` with its reason, chain, conditions and caveats.

    ``memo`` (owned by the caller, e.g. a Registry) keeps each ancestor's contribution between calls.
    """
    if memo is None:
        memo = {}
    chain = lineage(model, models)
    own = _facts(model, licenses, memo, via=False)
    steps: list[Step] = [own.license_step, *own.binding]
    conditions: list[LicenseCondition] = list(own.conditions)
    caveats: list[str] = list(dict.fromkeys(own.caveats)) if own.caveats else []
    seen: set[str] = set(model.all_licenses)
    org = model.org.casefold()
    for m in chain[1:] if len(chain) > 1 else ():
        f = memo.get(m.id)
        if f is None:
            f = memo[m.id] = _facts(m, licenses, memo, via=True)
        lic = f.license
        if lic is not None and lic.id != model.license and m.org.casefold() == org:
            # The licensor of the ancestor released this model under its own terms: those govern.
            steps.append(
                Step(
                    m.id,
                    "superseded",
                    lic.license_class.status,
                    f"{lic.name} [{lic.license_class.value}]; not inherited: the same publisher ({m.org}) "
                    f"released {model.id} under its own licence",
                )
            )
        else:
            steps.append(f.license_step)
            if m.license not in seen or m.licenses:
                conditions.extend(c for c in f.conditions if c.license not in seen)
                seen.update(m.all_licenses)
        if f.binding:
            steps.extend(f.binding)
        if f.caveats:
            caveats.extend(c for c in f.caveats if c not in caveats)

    culprit = steps[0]  # the nearest step with the worst status decides
    worst = _RANK[culprit.status]
    for st in steps:
        rank = _RANK[st.status]
        if rank > worst and st.source != "superseded":
            culprit, worst = st, rank
    status = culprit.status
    subject = model if culprit.model == model.id else next((m for m in chain if m.id == culprit.model), model)
    who = _describe(subject, model)
    if culprit.source == "license":
        if status is Status.YES:
            reason = f"{who} allows commercial use: {culprit.detail}"
        elif status is Status.CONDITIONAL:
            reason = f"{who} allows commercial use under conditions: {culprit.detail}"
        elif status is Status.UNKNOWN:
            reason = f"{who} does not state its terms clearly: {culprit.detail}"
        else:
            reason = f"{who} does not allow commercial use: {culprit.detail}"
    else:
        owner = "the publisher" if subject.id == model.id else f"the publisher of {subject.name} ({subject.id})"
        reason = f"{owner} states a binding restriction: {culprit.detail}"
    if status is not Status.YES:
        # Name the other links that also lead to this answer (a fine-tune of a research-only model
        # under a non-commercial licence is "no" twice over).
        also = []
        for st in steps:
            if st is culprit or st.status is not status or st.source == "superseded" or st.detail == culprit.detail:
                continue
            m = next((x for x in chain if x.id == st.model), model)
            what = "a restriction on" if st.source == "restriction" else "the licence of"
            who_also = "this model" if m.id == model.id else f"base model {m.name} ({m.id})"
            also.append(f"{what} {who_also}: {st.detail}")
        if also:
            reason += "; so does " + "; and ".join(also[:2]) + (f" (+{len(also) - 2} more)" if len(also) > 2 else "")
    if status is Status.YES and len(chain) > 1:
        superseded = sum(1 for st in steps if st.source == "superseded")
        inherited = len(chain) - 1 - superseded
        reason = f"its own licence ({culprit.detail}) allows it"
        if inherited:
            reason += f", and so do those of its {inherited} base model(s)"
        if superseded:
            reason += (
                f"; {superseded} base model(s) from the same publisher carry other terms, which this release"
                " does not inherit"
            )
    return Commercial(status, f"{status.value}: {reason}", tuple(steps), tuple(conditions), tuple(caveats))


def status_only(
    model: Model, models: Mapping[str, Model], licenses: Mapping[str, License], memo: dict[str, Status]
) -> Status:
    """``derive(model, ...).status``, without building the explanation: the compile-time fast path.

    ``memo`` maps a model id to the status its own licence and binding restrictions give it.
    Tests check that this agrees with :func:`derive` on every model of the bundled registry.
    """
    result = memo.get(model.id) or _own_status(model, licenses, memo)
    base = model.base_model
    if base is None:
        return result
    rank = _RANK
    worst = rank[result]
    seen = {model.id}
    org: str | None = None
    current = models.get(base)
    while current is not None and current.id not in seen:
        seen.add(current.id)
        superseded = False
        if current.license != model.license and current.license in licenses:
            if org is None:
                org = model.org.casefold()
            superseded = current.org.casefold() == org
        s = _binding_status(current) if superseded else (memo.get(current.id) or _own_status(current, licenses, memo))
        if rank[s] > worst:
            worst, result = rank[s], s
        base = current.base_model
        current = models.get(base) if base is not None else None
    return result


def _binding_status(m: Model) -> Status:
    worst = Status.YES
    for r in m.restrictions:
        if r.binding and r.status is not None and r.status.rank > worst.rank:
            worst = r.status
    return worst


def _own_status(m: Model, licenses: Mapping[str, License], memo: dict[str, Status]) -> Status:
    s = memo.get(m.id)
    if s is None:
        s = Status.YES
        for lic_id in m.all_licenses:
            lic = licenses.get(lic_id)
            ls = lic.license_class.status if lic is not None else Status.UNKNOWN
            if ls.rank > s.rank:
                s = ls
        if m.restrictions:
            b = _binding_status(m)
            if b.rank > s.rank:
                s = b
        memo[m.id] = s
    return s
