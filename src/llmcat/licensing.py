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

from llmcat.records import Commercial, License, Model, Status, Step


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


def derive(model: Model, models: Mapping[str, Model], licenses: Mapping[str, License]) -> Commercial:
    steps: list[Step] = []
    conditions: list[str] = []
    caveats: list[str] = []
    licences_seen: set[str] = set()
    chain = lineage(model, models)
    for m in chain:
        lic = licenses.get(m.license)
        if lic is None:
            steps.append(Step(m.id, "license", Status.UNKNOWN, f"licence {m.license!r} is not in the table"))
        elif m.id != model.id and m.org.casefold() == model.org.casefold() and lic.id != model.license:
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
            steps.append(Step(m.id, "license", lic.license_class.status, f"{lic.name} [{lic.license_class.value}]"))
            if lic.id not in licences_seen:
                licences_seen.add(lic.id)
                where = "" if m.id == model.id else f" ({lic.name}, via {m.id})"
                conditions.extend(f"{c.text}{where}" for c in lic.conditions)
        for r in m.restrictions:
            if r.binding and r.status is not None:
                steps.append(Step(m.id, "restriction", r.status, r.text))
            else:
                note = r.text if m.id == model.id else f"{r.text} (via {m.id})"
                if note not in caveats:
                    caveats.append(note)

    deciding = [s for s in steps if s.source != "superseded"]
    status = max(deciding, key=lambda s: s.status.rank).status
    culprit = next(s for s in deciding if s.status is status)  # the nearest step with the worst status
    subject = next((m for m in chain if m.id == culprit.model), model)
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
    if status is Status.YES and len(chain) > 1:
        reason = f"its own licence ({culprit.detail}) and those of all {len(chain) - 1} base model(s) allow it"
    return Commercial(status, f"{status.value}: {reason}", tuple(steps), tuple(conditions), tuple(caveats))
