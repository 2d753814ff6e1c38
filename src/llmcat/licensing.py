"""Derive a model's effective commercial status from its licence, its ancestors and binding restrictions.

The rule: the most restrictive of (a) the model's own licence class, (b) the licence class of every
ancestor along ``base_model``, and (c) every restriction marked binding on the model or an ancestor.
Restrictions the publisher does not treat as binding become caveats shown beside the answer.
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
    chain = lineage(model, models)
    for m in chain:
        lic = licenses.get(m.license)
        if lic is None:
            steps.append(Step(m.id, "license", Status.UNKNOWN, f"licence {m.license!r} is not in the table"))
        else:
            where = "" if m.id == model.id else f" (via {m.id})"
            steps.append(
                Step(m.id, "license", lic.license_class.status, f"{lic.name} [{lic.license_class.value}]")
            )
            for c in lic.conditions:
                text = f"{c.text}{where}"
                if text not in conditions:
                    conditions.append(text)
        for r in m.restrictions:
            if r.binding and r.status is not None:
                steps.append(Step(m.id, "restriction", r.status, r.text))
            else:
                note = r.text if m.id == model.id else f"{r.text} (via {m.id})"
                if note not in caveats:
                    caveats.append(note)

    worst = max(steps, key=lambda s: s.status.rank)
    status = worst.status
    culprit = next(s for s in steps if s.status is status)  # nearest step with the worst status
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
