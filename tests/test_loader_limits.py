"""The loader never raises anything but located RegistryErrors: tags, limits, numbers, control characters,
JSON positions, errors filed under the user's entry, bounded suggestions, and a complete `validate`."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcat import yamlsrc
from llmcat.cli import app
from llmcat.errors import Issue, RegistryError
from llmcat.registry import Source, bundled_sources, load_sources

from .test_registry_errors import GOOD_LICENSE, entry

LINE = re.compile(r"^[^\n]+:\d+:\d+: [^\n]+$")


def issues(data: bytes | str, name: str = "reg.yaml", *, with_bundled: bool = False) -> list[str]:
    raw = data.encode() if isinstance(data, str) else data
    sources = [*(bundled_sources() if with_bundled else []), Source(name, raw, origin=name)]
    with pytest.raises(RegistryError) as info:
        load_sources(sources, use_cache=False)
    out = [str(i) for i in info.value.issues]
    for line in out:
        assert LINE.match(line), line
    return out


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('!!bool "aGVsbG8="', "!!bool: 'aGVsbG8=' is not a boolean"),
        ('!!timestamp "x"', "the YAML tag 'tag:yaml.org,2002:timestamp' is not supported"),
        ("!!timestamp 2023-02-30", "the YAML tag 'tag:yaml.org,2002:timestamp' is not supported"),
        ("!!float text", "!!float: 'text' is not a number"),
        ("!!int text", "!!int: 'text' is not an integer"),
        ("!!binary aGVsbG8=", "the YAML tag 'tag:yaml.org,2002:binary' is not supported"),
        ("!!python/object/apply:os.system [ls]", "is not supported in a registry"),
        ("!custom x", "the YAML tag '!custom' is not supported"),
        ("!!set {a: null}", "the YAML tag 'tag:yaml.org,2002:set' is not supported"),
    ],
)
def test_tags_never_reach_a_constructor_that_raises(value: str, message: str) -> None:
    (issue,) = issues(GOOD_LICENSE + entry("a", released=value))
    assert issue.startswith("reg.yaml:12:15: ")
    assert message in issue


def test_tags_that_name_plain_data_are_read_safely() -> None:
    text = GOOD_LICENSE + entry("a", name="!!str 123", context_tokens="!!int 4_096", params_b="!!float 7")
    reg = load_sources([Source("reg.yaml", text.encode(), origin="reg.yaml")], use_cache=False)
    m = reg.models["a"]
    assert (m.name, m.context_tokens, m.params_b) == ("123", 4096, 7.0)


def test_huge_integers_yaml_and_json() -> None:
    (issue,) = issues(GOOD_LICENSE + entry("a", context_tokens="9" * 4400))
    assert issue.startswith("reg.yaml:12:21: ")
    assert "integer too long" in issue
    doc = '{\n "schema_version": 1,\n "models": [\n  {"id": "a", "context_tokens": ' + "9" * 4400 + "}\n ]\n}\n"
    (issue,) = issues(doc, "reg.json")
    assert issue.startswith("reg.json:4:33: ")
    assert "integer too long" in issue


@pytest.mark.parametrize(
    ("field", "value"),
    [("context_tokens", "10000000000000000000"), ("params_b", "1e300"), ("params_b", ".inf"), ("params_b", ".nan")],
)
def test_numbers_outside_the_schema_are_schema_errors(field: str, value: str) -> None:
    (issue,) = issues(GOOD_LICENSE + entry("a", **{field: value}))
    assert f"models[0].{field}: " in issue


def test_deep_nesting_yaml_and_json() -> None:
    for depth in (70, 1_200, 100_000):
        (issue,) = issues(GOOD_LICENSE + entry("a", description="[" * depth + "]" * depth))
        assert "nested more than 64 levels deep" in issue or "maximum nesting depth" in issue, issue
        doc = '{"schema_version": 1, "models": [{"id": "a", "x": ' + "[" * depth + "]" * depth + "}]}"
        (issue,) = issues(doc, "reg.json")
        assert "nested more than 64 levels deep" in issue
    block = "schema_version: 1\nmodels:\n" + "".join("  " * i + "- \n" for i in range(2, 1500))
    (issue,) = issues(block)
    assert "nested more than 64 levels deep" in issue


def test_alias_bomb_is_rejected_early() -> None:
    lines = ["schema_version: 1", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 12)]
    started = time.perf_counter()
    (issue,) = issues("\n".join(lines) + "\n")
    assert time.perf_counter() - started < 2
    assert "aliases expand to too many values" in issue
    assert re.match(r"reg\.yaml:\d+:\d+: ", issue)


def test_anchors_aliases_and_merges_still_work() -> None:
    text = GOOD_LICENSE.replace("models:\n", "") + (
        "common: &common\n  family: fam\n  org: Org\n  license: lic\n  sources: &src [https://example.org]\n"
        "models:\n  - id: a\n    name: A\n    <<: *common\n  - id: b\n    name: B\n    <<: *common\n    org: Other\n"
    )
    with pytest.raises(RegistryError) as info:  # 'common' is not a registry field
        load_sources([Source("reg.yaml", text.encode(), origin="reg.yaml")], use_cache=False)
    assert [i.path for i in info.value.issues] == ["common"]
    data = yamlsrc.load(text, "reg.yaml")
    assert data["models"][1]["org"] == "Other"
    assert data["models"][0]["sources"] == ["https://example.org"]


@pytest.mark.parametrize("char", ["\x85", "\x9b", "\x7f", "\ufffe", "\x00", "\x1b"])
def test_control_characters_in_yaml_are_located(char: str) -> None:
    (issue,) = issues(GOOD_LICENSE + entry("a", description=f"bad{char}here"))
    # U+0085 (NEL) is a line break to YAML: the next line then reads as a key without a colon.
    assert issue.startswith("reg.yaml:14:" if char == "\x85" else "reg.yaml:12:")
    assert "\n" not in issue


@pytest.mark.parametrize("char", ["\\u0085", "\\u009b", "\\u007f", "\\ufffe", "\\u0000", "\u0085", "\u009b", "\x7f"])
def test_control_characters_in_json_strings_are_escaped_in_messages(char: str) -> None:
    doc = '{\n "schema_version": 1,\n "models": [\n  {"id": "a' + char + '", "license": "x' + char + '"}\n ]\n}\n'
    found = issues(doc, "reg.json")
    assert found
    assert all(line.startswith("reg.json:4:") for line in found), found


def test_a_nul_byte_gives_one_line_messages() -> None:
    for found in (issues(GOOD_LICENSE + entry("a") + "\x00\n"), issues(b'{"schema_version": 1,\x00}', "reg.json")):
        assert len(found) == 1
        assert "\n" not in found[0]


def test_issue_lines_are_always_one_line() -> None:
    assert (
        str(Issue("f\nx.yaml", 1, 2, "a\x00b", "two\nlines\x1b[2J"))
        == "f\\x0ax.yaml:1:2: a\\x00b: two\\x0alines\\x1b[2J"
    )


def test_multiple_documents_and_odd_keys() -> None:
    (issue,) = issues("schema_version: 1\n---\nmodels: []\n")
    assert issue == "reg.yaml:2:1: expected one YAML document, found a second one"
    (issue,) = issues("schema_version: 1\n? [a, b]\n: 1\n")
    assert "a mapping key must be a plain value" in issue


def test_json_cross_entry_errors_are_at_their_real_position() -> None:
    doc = (
        '{\n "schema_version": 1,\n "models": [\n'
        '  {"id": "a", "name": "A", "family": "f", "org": "o",\n'
        '   "license": "nope", "sources": ["https://example.org"]},\n'
        '  {"id": "b", "name": "B", "family": "f", "org": "o", "license": "apache-2.0",\n'
        '   "base_model": "zzz", "sources": ["https://example.org"]}\n ]\n}\n'
    )
    assert issues(doc, "reg.json", with_bundled=True) == [
        "reg.json:5:15: models[0].license: unknown licence id 'nope'",
        "reg.json:7:18: models[1].base_model: base model 'zzz' is not in the registry",
    ]


def test_collisions_and_cycles_with_bundled_entries_are_filed_under_the_user_entry() -> None:
    user = (
        "schema_version: 1\nmodels:\n"
        "  - id: llama-30b\n    name: X\n    family: f\n    org: o\n    license: apache-2.0\n"
        "    sources: [https://example.org]\n"
        "  - id: llama-13b\n    name: Y\n    family: f\n    org: o\n    license: apache-2.0\n"
        "    base_model: vicuna-13b-v1.3\n    sources: [https://example.org]\n"
    )
    found = issues(user, "mine.yaml", with_bundled=True)
    assert found == [
        "mine.yaml:3:9: models[0].id: id 'llama-30b' is already an alias of 'llama-33b'",
        "mine.yaml:14:17: models[1].base_model: lineage cycle: llama-13b -> vicuna-13b-v1.3 -> llama-13b",
    ]


def test_did_you_mean_is_not_quadratic(tmp_path: Path, runner: CliRunner) -> None:
    models = [
        {
            "id": f"m-{i}",
            "name": f"M {i}",
            "family": "f",
            "org": "o",
            "license": "apache-2.0",
            "base_model": f"missing-{i}",
            "sources": ["https://example.org"],
        }
        for i in range(5000)
    ]
    reg = tmp_path / "big.json"
    reg.write_text(json.dumps({"schema_version": 1, "models": models}, indent=1))
    started = time.perf_counter()
    result = runner.invoke(app, ["validate", str(reg)])
    elapsed = time.perf_counter() - started
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 5001
    assert lines[0] == f"{reg}:10:18: models[0].base_model: base model 'missing-0' is not in the registry"
    assert elapsed < 5, elapsed  # was 38 s


def test_oversized_registry_file_is_refused(tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    from llmcat.registry import sources

    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 1000)
    reg = tmp_path / "big.yaml"
    reg.write_text(GOOD_LICENSE + "".join(entry(f"m{i}") for i in range(40)))
    result = runner.invoke(app, ["validate", str(reg)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot read registry '{reg}': larger than the limit of 1,000 bytes\n"


def test_long_strings_are_refused() -> None:
    (issue,) = issues(GOOD_LICENSE + entry("a", bogus="x" * 200_000))
    assert "a string longer than 100,000 characters" in issue
    doc = '{"schema_version": 1, "models": [{"id": "a", "bogus": "' + "x" * 200_000 + '"}]}'
    (issue,) = issues(doc, "reg.json")
    assert issue.startswith("reg.json:1:")
    assert "a string longer than 100,000 characters" in issue


# --------------------------------------------------------------------------- validate is complete (issue 8)


def test_validate_reports_every_kind_of_error_in_one_run(tmp_path: Path, runner: CliRunner) -> None:
    reg = tmp_path / "mine.yaml"
    reg.write_text(
        GOOD_LICENSE
        + entry("good", base_model="missing-base").replace("license: lic", "license: nope")
        + entry("Bad Id")
        + entry("child", base_model="other-missing", params_b="lots")
        + entry("grandchild", base_model="child")
    )
    result = runner.invoke(app, ["validate", str(reg)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{reg}:11:14: models[0].license: unknown licence id 'nope'",
        f"{reg}:12:17: models[0].base_model: base model 'missing-base' is not in the registry",
        f"{reg}:14:9: models[1].id: must be a lower-case slug (a-z, 0-9, '.', '_', '-'; starting with a letter"
        " or digit)",
        f"{reg}:25:17: models[2].base_model: base model 'other-missing' is not in the registry",
        f"{reg}:26:15: models[2].params_b: Input should be a valid number, unable to parse string as a number",
        "Error: 5 problems in the registry",
    ]  # and 'grandchild' is not blamed for naming the broken 'child'


def test_validate_counts_the_users_files_and_notes_replacements(tmp_path: Path, runner: CliRunner) -> None:
    reg = tmp_path / "mine.yaml"
    reg.write_text(
        "schema_version: 1\nmodels:\n"
        "  - id: llama-13b\n    name: Mine\n    family: f\n    org: o\n    license: apache-2.0\n"
        "    sources: [https://example.org]\n"
        "  - id: brand-new\n    name: New\n    family: f\n    org: o\n    license: apache-2.0\n"
        "    sources: [https://example.org]\n"
    )
    result = runner.invoke(app, ["validate", str(reg)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"{reg}:3:9: models[0].id: note: replaces the bundled entry 'llama-13b'",
        f"OK: {reg}: 2 model(s) (1 replacing bundled entries), 0 licence(s)",
    ]


@pytest.mark.parametrize("command", [["stats"], ["licenses"], ["list"], ["show", "vicuna-13b-v1.3"]])
def test_every_format_a_command_offers_works(runner: CliRunner, command: list[str]) -> None:
    help_text = runner.invoke(app, [*command[:1], "--help"]).stdout
    offered = re.search(r"--format\s*[<\[]([a-z|]+)[>\]]", help_text)
    assert offered, help_text
    for fmt in offered.group(1).split("|"):
        result = runner.invoke(app, [*command, "--format", fmt])
        assert result.exit_code == 0, (command, fmt, result.stderr)
        assert result.stdout.strip(), (command, fmt)
