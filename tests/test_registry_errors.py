"""Every kind of registry error is reported as file:line:col: path: message, all at once, exit 1."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcat.cli import app
from llmcat.errors import RegistryError
from llmcat.registry import Source, load_sources

GOOD_LICENSE = """\
schema_version: 1
licenses:
  - id: lic
    name: Lic
    class: permissive
models:
"""


def issues_of(yaml_text: str) -> list[str]:
    with pytest.raises(RegistryError) as info:
        load_sources([Source("reg.yaml", yaml_text.encode(), origin="reg.yaml")], use_cache=False)
    return [str(i) for i in info.value.issues]


def entry(id_: str, extra: str = "", **fields: str) -> str:
    lines = [
        f"  - id: {id_}",
        f"    name: {id_.upper()}",
        "    family: fam",
        "    org: Org",
        "    license: lic",
    ]
    lines += [f"    {k}: {v}" for k, v in fields.items()]
    lines += ["    sources: [https://example.org]"]
    body = "\n".join(lines) + "\n"
    return body + textwrap.indent(textwrap.dedent(extra), "    ") if extra else body


def test_yaml_syntax_error_has_line_and_column() -> None:
    text = GOOD_LICENSE + entry("a") + "  - id: [unclosed\n"
    (issue,) = issues_of(text)
    assert issue.startswith("reg.yaml:14:1: ")
    assert "YAML syntax error" in issue


def test_unknown_field_points_at_the_key() -> None:
    text = GOOD_LICENSE + entry("a", contxt_tokens="4096")
    assert issues_of(text) == [
        "reg.yaml:12:5: models[0].contxt_tokens: unknown field (check the spelling; see docs/registry-format.md)"
    ]


def test_wrong_type_points_at_the_value() -> None:
    text = GOOD_LICENSE + entry("a", params_b="lots")
    (issue,) = issues_of(text)
    assert issue.startswith("reg.yaml:12:15: models[0].params_b: ")


def test_missing_field_points_at_the_entry() -> None:
    text = GOOD_LICENSE + "  - id: a\n    family: f\n    org: o\n    license: lic\n    sources: [https://x.org]\n"
    assert issues_of(text) == ["reg.yaml:7:5: models[0].name: Field required"]


def test_unquoted_no_gets_a_hint() -> None:
    restriction = """\
    restrictions:
      - kind: other
        text: t
        binding: true
        status: no
    """
    (issue,) = issues_of(GOOD_LICENSE + entry("a", restriction))
    assert issue.startswith("reg.yaml:17:17: models[0].restrictions[0].status:")
    assert "quote the value" in issue


def test_dates_stay_strings_and_are_checked() -> None:
    (issue,) = issues_of(GOOD_LICENSE + entry("a", released="2023-02-30"))
    assert issue.startswith("reg.yaml:12:15: models[0].released: ")
    assert "not a real date" in issue


def test_every_error_is_reported_not_just_the_first() -> None:
    text = GOOD_LICENSE + entry("a", params_b="-1") + entry("b", context_tokens="0") + entry("c", bogus="1")
    issues = issues_of(text)
    assert [i.split(": ")[0] for i in issues] == ["reg.yaml:12:15", "reg.yaml:19:21", "reg.yaml:26:5"]


def test_duplicate_id_is_an_error() -> None:
    (issue,) = issues_of(GOOD_LICENSE + entry("a") + entry("a"))
    assert issue == "reg.yaml:13:9: models[1].id: duplicate id 'a' (first at line 7)"


def test_alias_colliding_with_an_id_case_insensitively() -> None:
    (issue,) = issues_of(GOOD_LICENSE + entry("a") + entry("b", aliases="[A]"))
    assert issue == "reg.yaml:18:15: models[1].aliases[0]: alias 'A' is already used by 'a'"


def test_duplicate_repo_is_an_error() -> None:
    text = GOOD_LICENSE + entry("a", hf_repos="[o/x]") + entry("b", hf_repos="[O/X]")
    (issue,) = issues_of(text)
    assert issue == "reg.yaml:19:16: models[1].hf_repos[0]: repo 'O/X' is already listed by 'a'"


def test_unknown_base_model_suggests() -> None:
    (issue,) = issues_of(GOOD_LICENSE + entry("alpha") + entry("b", base_model="alpah"))
    assert (
        issue == "reg.yaml:18:17: models[1].base_model: base model 'alpah' is not in the registry; did you mean alpha?"
    )


def test_unknown_licence_id() -> None:
    text = GOOD_LICENSE + entry("a").replace("license: lic", "license: lci")
    assert issues_of(text) == ["reg.yaml:11:14: models[0].license: unknown licence id 'lci'; did you mean lic?"]


def test_lineage_cycle_reported_once() -> None:
    text = GOOD_LICENSE + entry("a", base_model="c") + entry("b", base_model="a") + entry("c", base_model="b")
    assert issues_of(text) == ["reg.yaml:12:17: models[0].base_model: lineage cycle: a -> c -> b -> a"]


def test_top_level_must_be_a_mapping() -> None:
    assert issues_of("- just\n- a list\n") == [
        "reg.yaml:1:1: expected a mapping with 'schema_version' and 'models' or 'licenses'"
    ]


def test_not_utf8() -> None:
    (issue,) = issues_of_bytes(b"schema_version: 1\nmodels: []\n# \xff\n")
    assert issue.startswith("reg.yaml:1:1: not UTF-8 text")


def issues_of_bytes(data: bytes) -> list[str]:
    with pytest.raises(RegistryError) as info:
        load_sources([Source("reg.yaml", data, origin="reg.yaml")], use_cache=False)
    return [str(i) for i in info.value.issues]


def test_validate_command_reports_and_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD_LICENSE + entry("a", params_b="-1") + entry("b", bogus="1"))
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{bad}:12:15: models[0].params_b: ")
    assert lines[1].startswith(f"{bad}:19:5: models[1].bogus: unknown field")
    assert lines[-1] == "Error: 2 problems in the registry"
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_broken_user_registry_breaks_list_with_one_message_per_issue(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 1\nmodels:\n  - id: Not A Slug\n")
    result = runner.invoke(app, ["list", "--json", "--registry", str(bad)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"{bad}:3:9: models[0].id: must be a lower-case slug" in result.stderr


def test_missing_user_registry_file(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["list", "--registry", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot read registry")
    assert len(result.stderr.splitlines()) == 1


def test_own_base_model_is_a_cycle() -> None:
    assert issues_of(GOOD_LICENSE + entry("a", base_model="a")) == [
        "reg.yaml:12:17: models[0].base_model: lineage cycle: a -> a"
    ]


def test_active_parameters_cannot_exceed_total() -> None:
    assert issues_of(GOOD_LICENSE + entry("a", params_b="7", active_params_b="13")) == [
        "reg.yaml:13:22: models[0].active_params_b: active_params_b cannot exceed params_b"
    ]


def test_an_entry_needs_text_or_image_input() -> None:
    (issue,) = issues_of(GOOD_LICENSE + entry("a", modalities="[audio]"))
    assert issue == "reg.yaml:12:17: models[0].modalities: modalities must include text or image"
