"""Property tests for the licence logic: more restrictions never loosen the answer, and the answer never
depends on the order of entries or files."""

from __future__ import annotations

import json
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from llmcat.licensing import derive, status_only
from llmcat.records import License, LicenseClass, Model, Restriction, Status
from llmcat.registry import Registry, Source, load_sources

CLASSES = list(LicenseClass)
ORGS = ["Org A", "Org B", "org a"]  # "org a": the same publisher as "Org A" (case-insensitive)
RANK = {s: s.rank for s in Status}


@dataclass
class World:
    licenses: dict[str, License]
    models: list[Model]  # every base comes earlier in the list: no cycles


@st.composite
def worlds(draw: st.DrawFn) -> World:
    n_lic = draw(st.integers(1, 4))
    licenses = {f"l{i}": License(f"l{i}", f"L{i}", draw(st.sampled_from(CLASSES))) for i in range(n_lic)}
    # Only licences of the table: validation rejects any other id (an unknown *class* is allowed). The
    # relicensing rule (a same-publisher ancestor's licence is superseded) applies only to known licences,
    # so an id missing from the table would make "unknown -> a stricter known licence" loosen a descendant.
    lic_ids = list(licenses)
    models: list[Model] = []
    for i in range(draw(st.integers(1, 8))):
        base = draw(st.one_of(st.none(), st.sampled_from([m.id for m in models]))) if models else None
        restrictions = tuple(
            draw(
                st.lists(
                    st.builds(
                        lambda binding, status: Restriction("other", "r", binding, status if binding else None),
                        st.booleans(),
                        st.sampled_from([Status.NO, Status.CONDITIONAL]),
                    ),
                    max_size=2,
                )
            )
        )
        models.append(
            Model(
                id=f"m{i}",
                name=f"M{i}",
                family="f",
                org=draw(st.sampled_from(ORGS)),
                license=draw(st.sampled_from(lic_ids)),
                sources=("https://example.org",),
                base_model=base,
                restrictions=restrictions,
            )
        )
    return World(licenses, models)


def statuses(world: World, order: list[int] | None = None) -> dict[str, Status]:
    models = world.models if order is None else [world.models[i] for i in order]
    table = {m.id: m for m in models}
    reg = Registry(table, world.licenses)
    out = {m.id: reg.status(m.id) for m in models}
    memo: dict[str, Status] = {}
    for m in models:  # the explanation and the fast path agree
        assert derive(m, table, world.licenses).status is out[m.id]
        assert status_only(m, table, world.licenses, memo) is out[m.id]
    return out


def no_looser(before: dict[str, Status], after: dict[str, Status]) -> None:
    for mid, status in before.items():
        assert RANK[after[mid]] >= RANK[status], (mid, status, after[mid])


@settings(max_examples=200, deadline=None)
@given(worlds(), st.data())
def test_a_more_restrictive_ancestor_never_loosens(world: World, data: st.DataObject) -> None:
    before = statuses(world)
    root = data.draw(st.sampled_from([m for m in world.models if m.base_model is None]))
    ancestor = Model(
        id="new-ancestor",
        name="New",
        family="f",
        org=data.draw(st.sampled_from(ORGS)),
        license=data.draw(st.sampled_from(list(world.licenses))),
        sources=("https://example.org",),
        restrictions=data.draw(st.sampled_from([(), (Restriction("other", "r", True, Status.NO),)])),
    )
    models = [ancestor, *(m._replace(base_model="new-ancestor") if m.id == root.id else m for m in world.models)]
    after = statuses(World(world.licenses, models))
    no_looser(before, after)


@settings(max_examples=200, deadline=None)
@given(worlds(), st.data())
def test_a_more_restrictive_licence_never_loosens(world: World, data: st.DataObject) -> None:
    before = statuses(world)
    lic_id = data.draw(st.sampled_from(list(world.licenses)))
    lic = world.licenses[lic_id]
    stricter = [c for c in CLASSES if c.status.rank >= lic.license_class.status.rank]
    licenses = {**world.licenses, lic_id: lic._replace(license_class=data.draw(st.sampled_from(stricter)))}
    after = statuses(World(licenses, world.models))
    no_looser(before, after)


@settings(max_examples=200, deadline=None)
@given(worlds(), st.data())
def test_a_model_moved_to_a_more_restrictive_licence_never_loosens(world: World, data: st.DataObject) -> None:
    before = statuses(world)
    i = data.draw(st.integers(0, len(world.models) - 1))
    m = world.models[i]
    own_rank = world.licenses[m.license].license_class.status.rank
    stricter = [lid for lid, lic in world.licenses.items() if lic.license_class.status.rank >= own_rank]
    if not stricter:
        return
    models = list(world.models)
    models[i] = m._replace(license=data.draw(st.sampled_from(stricter)))
    after = statuses(World(world.licenses, models))
    # The model itself and its descendants that it does not supersede: never looser. (A descendant from
    # the same publisher ignores this ancestor's licence whatever it is, so it cannot loosen there either.)
    no_looser(before, after)


@settings(max_examples=200, deadline=None)
@given(worlds(), st.data())
def test_a_binding_restriction_never_loosens(world: World, data: st.DataObject) -> None:
    before = statuses(world)
    i = data.draw(st.integers(0, len(world.models) - 1))
    status = data.draw(st.sampled_from([Status.NO, Status.CONDITIONAL]))
    models = list(world.models)
    m = models[i]
    models[i] = m._replace(restrictions=(*m.restrictions, Restriction("other", "new", True, status)))
    after = statuses(World(world.licenses, models))
    no_looser(before, after)
    assert RANK[after[m.id]] >= RANK[status]


@settings(max_examples=200, deadline=None)
@given(worlds(), st.randoms())
def test_status_does_not_depend_on_the_order_of_entries(world: World, rnd: object) -> None:
    order = list(range(len(world.models)))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    assert statuses(world, order) == statuses(world)


def _file(name: str, world: World, models: list[Model]) -> Source:
    doc = {
        "schema_version": 1,
        "licenses": [
            {"id": lic.id, "name": lic.name, "class": lic.license_class.value} for lic in world.licenses.values()
        ]
        if name == "a.json"
        else [],
        "models": [
            {
                "id": m.id,
                "name": m.name,
                "family": m.family,
                "org": m.org,
                "license": m.license,
                "sources": list(m.sources),
                "base_model": m.base_model,
                "restrictions": [
                    {"kind": r.kind, "text": r.text, "binding": r.binding, "status": r.status} for r in m.restrictions
                ],
            }
            for m in models
        ],
    }
    return Source(name, json.dumps(doc).encode(), origin=name)


@settings(max_examples=100, deadline=None)
@given(worlds(), st.data())
def test_status_does_not_depend_on_the_order_of_files(world: World, data: st.DataObject) -> None:
    known = [m for m in world.models if m.license in world.licenses]
    world = World(
        world.licenses, [m._replace(base_model=None) if m.base_model not in {k.id for k in known} else m for m in known]
    )
    if not world.models:
        return
    cut = data.draw(st.integers(0, len(world.models)))
    first, second = world.models[:cut], world.models[cut:]
    a = load_sources([_file("a.json", world, first), _file("b.json", world, second)], use_cache=False)
    b = load_sources(
        [_file("a.json", world, []), _file("c.json", world, second), _file("b.json", world, first)], use_cache=False
    )
    assert {m: a.status(m) for m in a.models} == {m: b.status(m) for m in b.models}
    assert {m: a.status(m) for m in a.models} == statuses(world)
