"""Effective commercial status: the most restrictive of own licence, ancestors and binding restrictions."""

from __future__ import annotations

from llmcat.records import LicenseCondition, Status
from llmcat.registry import Registry


def test_permissive_from_scratch_is_yes(small: Registry) -> None:
    c = small.commercial("base-a")
    assert c.status is Status.YES
    assert c.reason == "yes: its own licence allows commercial use: Test Permissive [permissive]"
    assert c.caveats == ()


def test_non_binding_provenance_is_a_caveat_not_a_no(small: Registry) -> None:
    c = small.commercial("tune-b")
    assert c.status is Status.YES
    assert c.caveats == ("Tuned on ChatGPT outputs.",)
    assert "base model" in c.reason or "base models" in c.reason


def test_binding_restriction_decides(small: Registry) -> None:
    c = small.commercial("tune-c")
    assert c.status is Status.NO
    assert c.reason == (
        "no: the publisher states a binding restriction: Non-commercial use only, by the publisher's statement."
    )
    # The grandparent's caveat still travels with the answer.
    assert c.caveats == ("Tuned on ChatGPT outputs. (via tune-b)",)


def test_three_level_chain_inherits_a_grandparents_restriction(small: Registry) -> None:
    c = small.commercial("tune-d")
    assert c.status is Status.NO
    assert [(s.model, s.source, s.status) for s in c.chain] == [
        ("tune-d", "license", Status.YES),
        ("tune-c", "license", Status.YES),
        ("tune-c", "restriction", Status.NO),
        ("tune-b", "license", Status.YES),
        ("base-a", "license", Status.YES),
    ]
    assert c.reason.startswith("no: the publisher of Tune C 7B (tune-c) states a binding restriction")


def test_research_only_base_makes_a_permissive_finetune_a_no(small: Registry) -> None:
    c = small.commercial("r-child")
    assert c.status is Status.NO
    assert c.reason == (
        "no: base model Research R 13B (research-r) does not allow commercial use: Test Research-Only [research-only]"
    )


def test_conditional_base_makes_child_conditional_with_conditions(small: Registry) -> None:
    c = small.commercial("l-child")
    assert c.status is Status.CONDITIONAL
    assert c.conditions == (
        LicenseCondition(
            "t-conditional", "user-cap", "More than 700 million monthly active users need another licence."
        ),
    )


def test_copyleft_is_yes_with_share_alike_condition(small: Registry) -> None:
    c = small.commercial("share-s")
    assert c.status is Status.YES
    assert c.conditions == (LicenseCondition("t-copyleft", "share-alike", "Share adaptations under the same licence."),)


def test_unknown_licence_is_unknown(small: Registry) -> None:
    assert small.commercial("mystery-m").status is Status.UNKNOWN


def test_status_order() -> None:
    assert [s.rank for s in (Status.YES, Status.CONDITIONAL, Status.UNKNOWN, Status.NO)] == [0, 1, 2, 3]


def test_same_publisher_may_relicense_its_own_base() -> None:
    """DeepSeek-R1 (MIT) on DeepSeek-V3-Base (DeepSeek License): the licensor's own choice governs,
    but an ancestor from someone else further up is still inherited."""
    from .conftest import small_registry

    reg = small_registry(
        """\
schema_version: 1
models:
  - id: relic-p
    name: Relicensed P
    family: fam-p
    org: BIG CO
    base_model: cond-l
    license: t-permissive
    sources: [https://example.org/relic-p]
  - id: other-q
    name: Other Q
    family: fam-p
    org: Org Two
    base_model: research-r
    license: t-permissive
    sources: [https://example.org/other-q]
  - id: relic-q
    name: Relicensed Q
    family: fam-p
    org: Org Two
    base_model: other-q
    license: t-copyleft
    sources: [https://example.org/relic-q]
"""
    )
    c = reg.commercial("relic-p")
    assert c.status is Status.YES
    assert [(s.model, s.source) for s in c.chain] == [("relic-p", "license"), ("cond-l", "superseded")]
    assert "not inherited: the same publisher (Big Co)" in c.chain[1].detail
    assert c.conditions == ()
    # Org Two relicensed its own other-q, but other-q sits on research-r from Lab: still "no".
    assert reg.status("relic-p") is Status.YES  # the compiled (fast) status agrees
    assert reg.status("relic-q") is Status.NO
    q = reg.commercial("relic-q")
    assert q.status is Status.NO
    assert [s.source for s in q.chain] == ["license", "superseded", "license"]


def test_fast_status_agrees_with_derive_on_the_bundled_registry() -> None:
    from llmcat.licensing import derive, status_only
    from llmcat.registry import load_registry

    reg = load_registry(use_cache=False)
    memo: dict[str, Status] = {}
    for m in reg.models.values():
        assert status_only(m, reg.models, reg.licenses, memo) is derive(m, reg.models, reg.licenses).status, m.id


def test_fast_status_agrees_with_derive_on_the_fixture(small: Registry) -> None:
    from llmcat.licensing import derive, status_only

    memo: dict[str, Status] = {}
    for m in small.models.values():
        assert status_only(m, small.models, small.licenses, memo) is derive(m, small.models, small.licenses).status
