"""Licence policies: the file format (errors at file:line:col), every rule passing and failing,
`llmcat check`, `list --policy` and `list --without-condition`, and the ordering property."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from llmcat import policy as pol
from llmcat.cli import app
from llmcat.cli.options import ConditionKindChoice
from llmcat.records import LicenseClass, LicenseCondition, Status
from llmcat.registry import Registry

from .conftest import SMALL
from .test_audit import REG as AUDIT_REG
from .test_audit import hub  # noqa: F401 - the stand-in Hub fixture

SMALL_REG = ["--registry", str(SMALL)]


def policy_file(tmp_path: Path, text: str, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def rules(text: str) -> pol.PolicyFile:
    return pol.parse_policy(text, "p.yaml").rules


def invoke(runner: CliRunner, *args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output, result.output
    return result


# --------------------------------------------------------------------------- every rule, both ways

CASES = [
    # (policy, a model that complies, a model that does not, the rule, the link named)
    ("allow_commercial: [yes]", "base-a", "cond-l", "allow_commercial", None),
    ("allow_commercial: [yes, conditional]", "l-child", "r-child", "allow_commercial", None),
    ("require_known: true", "base-a", "mystery-m", "require_known", "mystery-m"),
    ("deny_conditions: [user-cap]", "base-a", "l-child", "deny_conditions", "cond-l"),
    ("deny_conditions: [share-alike]", "cond-l", "share-s", "deny_conditions", "share-s"),
    ("deny_license_classes: [research-only]", "tune-d", "r-child", "deny_license_classes", "research-r"),
    ("allow_licenses: [t-permissive]", "tune-b", "l-child", "allow_licenses", "cond-l"),
    ("deny_licenses: [t-copyleft]", "base-a", "share-s", "deny_licenses", "share-s"),
    ("deny_caveats: true", "base-a", "tune-b", "deny_caveats", None),
    ("max_chain_depth: 1", "tune-b", "tune-d", "max_chain_depth", None),
    ("require_source: true", "tune-d", None, "require_source", None),
    ("deny_findings: [cycle]", "tune-d", None, "deny_findings", None),
]


@pytest.mark.parametrize(("text", "good", "bad", "rule", "link"), CASES)
def test_every_rule_passes_and_fails_on_registry_models(
    small: Registry, text: str, good: str, bad: str | None, rule: str, link: str | None
) -> None:
    p = rules(text)
    assert pol.evaluate(p, pol.from_registry(small, good)) == []
    if bad is None:
        return  # these rules fail only on audited models: see the Hub tests below
    found = pol.evaluate(p, pol.from_registry(small, bad))
    assert found, text
    assert {v.rule for v in found} == {rule}
    assert all(v.model == bad for v in found)
    if link is not None:
        assert found[0].link == link


def test_every_rule_is_covered_by_a_case() -> None:
    assert {c[3] for c in CASES} == set(pol.RULES)


def test_violation_names_the_condition_and_the_link(small: Registry) -> None:
    (v,) = pol.evaluate(rules("deny_conditions: [user-cap]"), pol.from_registry(small, "l-child"))
    assert v.detail.startswith("user-cap from licence t-conditional (base cond-l): More than 700 million")
    (v,) = pol.evaluate(rules("allow_commercial: ['yes']"), pol.from_registry(small, "r-child"))
    assert "status no" in v.detail
    assert "research-r" in v.detail


def test_empty_policy_accepts_everything(small: Registry) -> None:
    p = rules("# nothing\n")
    assert all(pol.compliant(p, pol.from_registry(small, mid)) for mid in small.models)


@pytest.mark.usefixtures("hub")
def test_require_source_and_deny_findings_on_audited_models(
    runner: CliRunner,
    tmp_path: Path,
) -> None:
    src = policy_file(tmp_path, "require_source: true\n", "src.yaml")
    ok = invoke(runner, "check", "--policy", str(src), "audit-llama", *AUDIT_REG)
    assert ok.exit_code == 0, ok.stdout + ok.stderr
    bad = invoke(runner, "check", "--policy", str(src), "fan/llama-ft", "--json", *AUDIT_REG)
    assert bad.exit_code == 1
    (rec,) = json.loads(bad.stdout)
    assert rec["violations"] == [
        {
            "rule": "require_source",
            "link": "fan/llama-ft",
            "detail": "its own licence: fan/llama-ft is not in the registry (source: hub)",
        }
    ]
    findings = policy_file(tmp_path, "deny_findings: [more-permissive, cycle]\n", "f.yaml")
    ok = invoke(runner, "check", "--policy", str(findings), "fan/llama-ft", *AUDIT_REG)
    assert ok.exit_code == 0
    assert ok.stdout == "fan/llama-ft: ok (conditional)\n"
    bad = invoke(runner, "check", "--policy", str(findings), "fan/apache-llama", "cyc/a", *AUDIT_REG)
    assert bad.exit_code == 1
    assert "fan/apache-llama: deny_findings: more-permissive: fan/apache-llama declares Apache" in bad.stdout
    assert "cyc/a: deny_findings: cycle:" in bad.stdout
    assert "2 of 2 model(s) fail policy" in bad.stderr
    # An audited licence llmcat does not know, or a base it cannot read, counts as class unknown.
    unknown = policy_file(tmp_path, "deny_license_classes: [unknown]\nrequire_known: true\n", "u.yaml")
    result = invoke(runner, "check", "--policy", str(unknown), "fan/weird", "fan/orphan", "fan/l2", *AUDIT_REG)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "fan/weird: require_known: terms unknown: its own licence: licence 'wtfpl' is not in the table",
        "fan/weird: deny_license_classes: its own licence: class unknown: licence 'wtfpl' is not in the table",
        "fan/orphan: require_known: terms unknown: base ghost/none: terms unknown: this base could not be read"
        " [unknown]",
        "fan/orphan: deny_license_classes: base ghost/none: class unknown: terms unknown: this base could not be read"
        " [unknown]",
        "fan/l2: ok (conditional)",
    ]


# --------------------------------------------------------------------------- llmcat check


def test_check_exit_codes_and_every_violation_named(runner: CliRunner, tmp_path: Path) -> None:
    p = policy_file(tmp_path, "allow_commercial: [yes, conditional]\ndeny_conditions: [user-cap]\n")
    ok = invoke(runner, "check", "--policy", str(p), "base-a", "tune-b", *SMALL_REG)
    assert ok.exit_code == 0
    assert ok.stdout == "base-a: ok (yes)\ntune-b: ok (yes)\n"
    assert "All 2 model(s) comply" in ok.stderr
    bad = invoke(runner, "check", "--policy", str(p), "base-a", "l-child", "tune-d", *SMALL_REG)
    assert bad.exit_code == 1
    lines = bad.stdout.splitlines()
    assert lines[0] == "base-a: ok (yes)"
    assert lines[1].startswith("l-child: deny_conditions: user-cap from licence t-conditional (base cond-l)")
    assert lines[2].startswith("tune-d: allow_commercial: status no is not one of yes, conditional")
    assert "2 of 3 model(s) fail policy" in bad.stderr
    assert "2 violation(s)" in bad.stderr


def test_check_json_for_ci(runner: CliRunner, tmp_path: Path) -> None:
    p = policy_file(tmp_path, "deny_license_classes: [research-only, non-commercial]\n")
    result = invoke(runner, "check", "--policy", str(p), "fam-r", "base-a", "--format", "json", *SMALL_REG)
    assert result.exit_code == 1
    records = json.loads(result.stdout)
    assert [r["model"] for r in records] == ["research-r", "r-child", "base-a"]  # a family checks every member
    assert [r["compliant"] for r in records] == [False, False, True]
    assert records[1]["violations"][0]["link"] == "research-r"
    assert set(records[0]) == {"target", "model", "commercial", "compliant", "violations"}


def test_check_other_formats(runner: CliRunner, tmp_path: Path) -> None:
    p = policy_file(tmp_path, "deny_conditions: [user-cap]\n")
    csv = invoke(runner, "check", "--policy", str(p), "l-child", "base-a", "--format", "csv", *SMALL_REG)
    assert csv.exit_code == 1
    lines = csv.stdout.splitlines()
    assert lines[0] == "target,model,commercial,compliant,violations"
    assert lines[1].startswith("l-child,l-child,conditional,false,")
    assert lines[2] == "base-a,base-a,yes,true,"
    ids = invoke(runner, "check", "--policy", str(p), "base-a", "--format", "ids", *SMALL_REG)
    assert ids.exit_code == 2
    assert "check prints a table" in ids.stderr


def test_check_unknown_target_is_an_error_but_others_are_still_checked(runner: CliRunner, tmp_path: Path) -> None:
    p = policy_file(tmp_path, "require_known: true\n")
    result = invoke(runner, "check", "--policy", str(p), "base-aa", "base-a", *SMALL_REG)
    assert result.exit_code == 1
    assert "Error: 'base-aa' is not a model folder, a registry model, or a Hub repo id" in result.stderr
    assert "Did you mean: base-a" in result.stderr
    assert "base-a: ok (yes)" in result.stdout
    assert "1 could not be read" in result.stderr


def test_check_local_folder_first(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "base-a"  # a folder named like a registry model: the folder is what is checked
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: t-noncommercial\n---\n")
    monkeypatch.chdir(tmp_path)
    p = policy_file(tmp_path, "allow_commercial: [yes]\n")
    result = invoke(runner, "check", "--policy", str(p), "base-a", "--json", *SMALL_REG)
    assert result.exit_code == 1
    (rec,) = json.loads(result.stdout)
    assert rec["model"] == "./base-a"
    assert rec["commercial"] == "no"


def test_check_needs_targets_and_a_policy(runner: CliRunner, tmp_path: Path) -> None:
    p = policy_file(tmp_path, "require_known: true\n")
    assert invoke(runner, "check", "--policy", str(p)).exit_code == 2
    assert invoke(runner, "check", "base-a").exit_code == 2


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("allow_commercial: [yes, maybe]\n", "1:25: allow_commercial[1]", "Input should be 'yes'"),
        ("deny_conditions:\n  - user-cap\n  - user-caps\n", "3:5: deny_conditions[1]", "Input should be"),
        ("require_known: sure\n", "1:16: require_known", "boolean"),
        ("# rules\ndeny_caveat: true\n", "2:1: deny_caveat", "unknown rule (known: allow_commercial"),
        ("max_chain_depth: -1\n", "1:18: max_chain_depth", "greater than or equal to 0"),
        ("allow_licenses: apache-2.0\n", "1:17: allow_licenses", "valid list"),
        ("- a\n- b\n", "1:1", "expected a mapping of rules"),
        ("deny_conditions: [user-cap\n", "2:1", "YAML syntax error"),
        ("policy_version: 2\n", "1:17: policy_version", "Input should be 1"),
    ],
)
def test_malformed_policy_is_located(runner: CliRunner, tmp_path: Path, text: str, where: str, message: str) -> None:
    p = policy_file(tmp_path, text)
    result = invoke(runner, "check", "--policy", str(p), "base-a", *SMALL_REG)
    assert result.exit_code == 1
    assert result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{p}:{where}"), first
    assert message in first
    assert result.stderr.splitlines()[-1].startswith("Error: 1 problem in the policy file")


def test_unknown_licence_id_in_a_policy_is_an_error_with_a_suggestion(runner: CliRunner, tmp_path: Path) -> None:
    p = policy_file(tmp_path, "allow_licenses:\n  - apache-2.0\n  - t-permisive\n")
    result = invoke(runner, "check", "--policy", str(p), "base-a", *SMALL_REG)
    assert result.exit_code == 1
    assert f"{p}:3:5: allow_licenses[1]: unknown licence id 't-permisive'; did you mean t-permissive" in result.stderr


def test_unreadable_policy_file(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "check", "--policy", str(tmp_path / "nope.yaml"), "base-a", *SMALL_REG)
    assert result.exit_code == 1
    assert "cannot read" in result.stderr


def test_unquoted_yes_and_no_mean_statuses() -> None:
    assert rules("allow_commercial: [yes, no]").allow_commercial == [Status.YES, Status.NO]


def test_committed_policy_schema_is_current() -> None:
    committed = json.loads((Path(__file__).resolve().parents[1] / "schema" / "policy.schema.json").read_text())
    assert committed == pol.json_schema(), "regenerate: python -m llmcat.policy > schema/policy.schema.json"


def test_condition_kind_choices_match_the_schema() -> None:
    from typing import get_args

    from llmcat.schema import ConditionKind

    assert [c.value for c in ConditionKindChoice] == list(get_args(ConditionKind))


# --------------------------------------------------------------------------- list --policy / --without-condition


def list_ids(runner: CliRunner, *args: str) -> tuple[list[str], str]:
    result = invoke(runner, "list", "--family", "fam-a", "--family", "fam-c", "--family", "fam-l", "--family",
                    "fam-s", "--family", "fam-m", "--family", "fam-r", "-q", *SMALL_REG, *args)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return result.stdout.split(), result.stderr


def test_list_policy_keeps_only_compliant_models(runner: CliRunner, tmp_path: Path) -> None:
    p = policy_file(tmp_path, "allow_commercial: [yes, conditional]\ndeny_conditions: [user-cap]\n")
    everything, _ = list_ids(runner)
    kept, note = list_ids(runner, "--policy", str(p))
    assert kept == ["base-a", "share-s", "tune-b"]
    assert f"Note: {len(everything) - 3} model(s) matching the other filters do not comply with {p}" in note
    limited, _ = list_ids(runner, "--policy", str(p), "-n", "2")
    assert limited == kept[:2]


def test_list_without_condition(runner: CliRunner) -> None:
    commercial, _ = list_ids(runner, "--commercial")
    kept, note = list_ids(runner, "--commercial", "--without-condition", "user-cap")
    assert set(commercial) - set(kept) == {"cond-l", "l-child"}
    assert note == ""
    both, _ = list_ids(runner, "--without-condition", "user-cap", "--without-condition", "share-alike")
    assert "share-s" not in both
    assert "cond-l" not in both
    # Unknown terms cannot be shown to lack a condition: dropped, and said so.
    _, note = list_ids(runner, "--without-condition", "user-cap")
    assert "Note: --without-condition also drops 1 model(s) whose licence terms are unknown." in note
    bad = invoke(runner, "list", "--without-condition", "user-caps")
    assert bad.exit_code == 2


def test_list_policy_errors(runner: CliRunner, tmp_path: Path) -> None:
    p = policy_file(tmp_path, "deny_licenses: [nope-licence]\n")
    result = invoke(runner, "list", "--policy", str(p), *SMALL_REG)
    assert result.exit_code == 1
    assert f"{p}:1:17: deny_licenses[0]: unknown licence id 'nope-licence'" in result.stderr


# --------------------------------------------------------------------------- a stricter policy never accepts more

STATUSES = list(Status)
KINDS = [c.value for c in ConditionKindChoice]
CLASSES = list(LicenseClass)
LICS = ["l-a", "l-b", "l-c", "l-d"]
FINDINGS = ["more-permissive", "unresolved-base", "cycle"]
SOURCES = ["registry", "hub", "local", "unresolved"]


@st.composite
def subjects(draw: st.DrawFn) -> pol.Subject:
    links = draw(
        st.lists(
            st.builds(
                pol.Link,
                st.sampled_from(["me", "b1", "b2"]),
                st.sampled_from([*LICS, None]),
                st.sampled_from([*CLASSES, None]),
                st.sampled_from(SOURCES),
                st.just("detail"),
            ),
            max_size=4,
        )
    )
    conds = draw(st.lists(st.builds(LicenseCondition, st.sampled_from(LICS), st.sampled_from(KINDS), st.just("t"))))
    return pol.Subject(
        "me",
        draw(st.sampled_from(STATUSES)),
        "reason",
        tuple(links),
        tuple(conds),
        tuple(draw(st.lists(st.sampled_from(["c1", "c2"]), max_size=2))),
        draw(st.integers(0, 6)),
        tuple((k, "m") for k in draw(st.lists(st.sampled_from(FINDINGS), max_size=2))),
    )


def _subset(draw: st.DrawFn, items: list[Any] | None, pool: list[Any]) -> list[Any] | None:
    if items is None:
        return draw(st.none() | st.lists(st.sampled_from(pool), unique=True))
    return draw(st.lists(st.sampled_from(items), unique=True)) if items else []


def _superset(draw: st.DrawFn, items: list[Any], pool: list[Any]) -> list[Any]:
    return list(dict.fromkeys([*items, *draw(st.lists(st.sampled_from(pool)))]))


@st.composite
def policy_pairs(draw: st.DrawFn) -> tuple[pol.PolicyFile, pol.PolicyFile]:
    base = pol.PolicyFile(
        allow_commercial=draw(st.none() | st.lists(st.sampled_from(STATUSES), unique=True)),
        require_known=draw(st.booleans()),
        deny_conditions=draw(st.lists(st.sampled_from(KINDS), unique=True, max_size=3)),
        deny_license_classes=draw(st.lists(st.sampled_from(CLASSES), unique=True, max_size=2)),
        allow_licenses=draw(st.none() | st.lists(st.sampled_from(LICS), unique=True)),
        deny_licenses=draw(st.lists(st.sampled_from(LICS), unique=True, max_size=2)),
        deny_caveats=draw(st.booleans()),
        max_chain_depth=draw(st.none() | st.integers(0, 6)),
        require_source=draw(st.booleans()),
        deny_findings=draw(st.lists(st.sampled_from(FINDINGS), unique=True, max_size=2)),
    )
    depth = base.max_chain_depth
    stricter = pol.PolicyFile(
        allow_commercial=_subset(draw, base.allow_commercial, STATUSES),
        require_known=base.require_known or draw(st.booleans()),
        deny_conditions=_superset(draw, list(base.deny_conditions), KINDS),
        deny_license_classes=_superset(draw, list(base.deny_license_classes), CLASSES),
        allow_licenses=_subset(draw, base.allow_licenses, LICS),
        deny_licenses=_superset(draw, list(base.deny_licenses), LICS),
        deny_caveats=base.deny_caveats or draw(st.booleans()),
        max_chain_depth=draw(st.integers(0, 6)) if depth is None else draw(st.integers(0, depth)),
        require_source=base.require_source or draw(st.booleans()),
        deny_findings=_superset(draw, list(base.deny_findings), FINDINGS),
    )
    return base, stricter


@settings(max_examples=300, deadline=None)
@given(policy_pairs(), st.lists(subjects(), min_size=1, max_size=8))
def test_a_stricter_policy_never_accepts_more(pair: tuple[pol.PolicyFile, pol.PolicyFile], subs: list[Any]) -> None:
    base, stricter = pair
    for s in subs:
        if pol.compliant(stricter, s):
            assert pol.compliant(base, s)
        # Every violation names a known rule, and the model it is about.
        assert all(v.rule in pol.RULES and v.model == s.name for v in pol.evaluate(stricter, s))


@settings(max_examples=100, deadline=None)
@given(policy_pairs())
def test_a_stricter_policy_never_lists_more_registry_models(
    pair: tuple[pol.PolicyFile, pol.PolicyFile],
) -> None:
    from .conftest import small_registry

    reg = _SMALL.get("reg") or _SMALL.setdefault("reg", small_registry())
    base, stricter = pair
    base = base.model_copy(update={"allow_licenses": None, "deny_licenses": []})
    stricter = stricter.model_copy(update={"allow_licenses": None, "deny_licenses": []})
    keep_base = pol.registry_filter(base, reg)
    keep_strict = pol.registry_filter(stricter, reg)
    accepted = {m for m in reg.models if keep_strict(m)}
    assert accepted <= {m for m in reg.models if keep_base(m)}


_SMALL: dict[str, Registry] = {}


def test_finding_kinds_match_the_audit() -> None:
    from typing import get_args

    from llmcat.auditwalk import FINDING_KINDS

    assert get_args(pol.FindingKind) == FINDING_KINDS
