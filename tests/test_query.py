from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcat.query import Query, SortKey, run
from llmcat.records import JapaneseLevel, LicenseClass
from llmcat.registry import Registry

from .conftest import small_registry

REG = small_registry()


def ids(q: Query, reg: Registry = REG) -> list[str]:
    return [m.id for m in run(reg, q)]


def test_no_filter_keeps_everything_sorted_by_name() -> None:
    got = ids(Query())
    assert sorted(got) == sorted(REG.models)
    assert [REG.models[i].name.lower() for i in got] == sorted(REG.models[i].name.lower() for i in got)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (Query(commercial=True), {"base-a", "tune-b", "cond-l", "l-child", "share-s"}),
        (Query(unconditional=True), {"base-a", "tune-b", "share-s"}),
        (Query(licenses=("t-copyleft",)), {"share-s"}),
        (Query(license_classes=(LicenseClass.RESEARCH_ONLY,)), {"research-r"}),
        (Query(japanese=JapaneseLevel.MULTILINGUAL), {"base-a", "tune-b", "cond-l", "l-child", "share-s"}),
        (Query(japanese=JapaneseLevel.CONTINUED), {"base-a", "l-child", "share-s"}),
        (Query(japanese=JapaneseLevel.PRETRAINED), {"base-a", "share-s"}),
        (Query(languages=("en", "ja")), {"base-a", "cond-l"}),
        (Query(modalities=("image",)), {"r-child"}),
        (Query(bases=("base-a",)), {"tune-b", "tune-c", "tune-d"}),
        (Query(bases=("tune-c",)), {"tune-d"}),
        (Query(families=("FAM-A",)), {"base-a", "tune-b"}),
        (Query(orgs=("org t",)), {"tune-b", "tune-c", "r-child", "tune-d"}),
        (Query(min_params_b=13), {"research-r", "r-child", "cond-l", "l-child"}),
        (Query(max_params_b=1), {"share-s"}),
        (Query(min_context=8000), {"tune-b", "cond-l", "l-child"}),
        (Query(released_after="2023-05"), {"tune-b", "tune-c", "tune-d", "cond-l"}),
        (Query(released_before="2023"), {"research-r"}),
        (Query(released_after="2023", released_before="2024"), {"base-a", "tune-b", "tune-c"}),
        (Query(tags=("chat",)), {"tune-b", "tune-c", "r-child"}),
        (Query(tags=("chat", "vision")), {"r-child"}),
        (Query(words=("tune",)), {"tune-b", "tune-c", "tune-d"}),
        (Query(words=("TUNE", "org three")), {"tune-d"}),
        (Query(words=("org-one/base-a-7b",)), {"base-a"}),
        (Query(commercial=True, japanese=JapaneseLevel.MULTILINGUAL, min_params_b=10), {"cond-l", "l-child"}),
    ],
)
def test_filters(query: Query, expected: set[str]) -> None:
    assert set(ids(query)) == expected


def test_sort_with_missing_values_last_both_ways() -> None:
    asc = ids(Query(sort=SortKey.CONTEXT))
    desc = ids(Query(sort=SortKey.CONTEXT, descending=True))
    with_ctx = [i for i in asc if REG.models[i].context_tokens is not None]
    assert asc[: len(with_ctx)] == ["research-r", "base-a", "tune-b", "cond-l", "l-child"]
    assert desc[:2] == ["cond-l", "l-child"]  # equal values keep id order
    assert all(REG.models[i].context_tokens is None for i in desc[len(with_ctx) :])


def test_sort_released_uses_partial_dates() -> None:
    got = [i for i in ids(Query(sort=SortKey.RELEASED)) if REG.models[i].released]
    assert got == ["research-r", "base-a", "tune-b", "tune-c", "tune-d", "cond-l"]


def test_limit() -> None:
    assert len(ids(Query(limit=3))) == 3


# ---------------------------------------------------------------- properties

queries = st.builds(
    Query,
    words=st.lists(st.sampled_from(["a", "tune", "org", "7b", "zzz"]), max_size=2).map(tuple),
    commercial=st.booleans(),
    unconditional=st.booleans(),
    japanese=st.none() | st.sampled_from(list(JapaneseLevel)),
    modalities=st.sampled_from([(), ("image",)]),
    min_params_b=st.none() | st.sampled_from([0.1, 7, 13, 70]),
    max_params_b=st.none() | st.sampled_from([1, 7, 100]),
    min_context=st.none() | st.sampled_from([2048, 8000, 100_000]),
    released_after=st.none() | st.sampled_from(["2023", "2023-05", "2024-01-01"]),
    tags=st.lists(st.sampled_from(["chat", "base", "vision"]), max_size=2).map(tuple),
    sort=st.sampled_from([SortKey.NAME, SortKey.RELEASED, SortKey.PARAMS, SortKey.CONTEXT]),
    descending=st.booleans(),
    limit=st.none() | st.integers(min_value=1, max_value=20),
    include_unknown=st.booleans(),
    checks=st.just(()),
    fits_gib=st.none() | st.sampled_from([0.5, 8.0, 24.0, 80.0]),
    fit_mode=st.sampled_from(["inference", "lora", "qlora", "full"]),
    fit_quant=st.none(),
    fit_context=st.none() | st.sampled_from([512, 8192, 131072]),
)


@settings(max_examples=300)
@given(queries)
def test_result_is_a_subset_in_requested_order(q: Query) -> None:
    got = run(REG, q)
    assert {m.id for m in got} <= set(REG.models)
    assert len({m.id for m in got}) == len(got)
    if q.limit is not None:
        assert len(got) <= q.limit


@settings(max_examples=200)
@given(queries)
def test_sort_is_a_permutation_of_the_unsorted_result(q: Query) -> None:
    unlimited = q._replace(limit=None)
    by_name = run(REG, unlimited._replace(sort=SortKey.NAME))
    assert sorted(m.id for m in run(REG, unlimited)) == sorted(m.id for m in by_name)


@settings(max_examples=200)
@given(queries)
def test_limit_is_a_prefix_of_the_unlimited_result(q: Query) -> None:
    full = run(REG, q._replace(limit=None))
    assert run(REG, q) == (full if q.limit is None else full[: q.limit])


@settings(max_examples=200)
@given(queries, queries)
def test_and_of_filters_is_the_intersection(q1: Query, q2: Query) -> None:
    """Words are AND-ed: two words together keep exactly what each keeps alone."""
    a = {m.id for m in run(REG, Query(words=q1.words))}
    b = {m.id for m in run(REG, Query(words=q2.words))}
    both = {m.id for m in run(REG, Query(words=q1.words + q2.words))}
    assert both == a & b
