"""A context length that is not stated: read from the model's or its base's config.json, and said so."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from llmcat.cli import app
from llmcat.contextlen import Context, ContextBasis, model_context, named_context
from llmcat.query import Query, SortKey, select
from llmcat.registry import Registry

from .conftest import small_registry

CFG = (
    "config: {source: https://huggingface.co/acme/base/blob/abc/config.json, layers: 32, hidden_size: 4096,"
    " attention_heads: 32, max_positions: %d}"
)

EXTRA = f"""schema_version: 1
models:
  - {{id: cbase-7b, name: CBase 7B, family: cx, org: Acme, license: t-permissive, params_b: 6.74,
     sources: [https://a.example], tags: [base], {CFG % 4096}}}
  - {{id: cbase-7b-chat, name: CBase 7B Chat, family: cx, org: Acme, license: t-permissive, base_model: cbase-7b,
     sources: [https://a.example], tags: [chat]}}
  - {{id: cbase-7b-stated, name: CBase 7B Stated, family: cx, org: Acme, license: t-permissive,
     base_model: cbase-7b, context_tokens: 2048, sources: [https://a.example], tags: [chat]}}
  - {{id: cbase-7b-32k, name: CBase 7B 32K, family: cx, org: Acme, license: t-permissive, base_model: cbase-7b,
     sources: [https://a.example], tags: [chat]}}
  - {{id: cbase-7b-vision, name: CBase 7B Vision, family: cx, org: Acme, license: t-permissive,
     base_model: cbase-7b, modalities: [text, image], sources: [https://a.example], tags: [vision]}}
  - {{id: cbase-1b-pruned, name: CBase 1B Pruned, family: cx, org: Acme, license: t-permissive, params_b: 1.1,
     base_model: cbase-7b, sources: [https://a.example], tags: [instruct]}}
  - {{id: cother, name: COther, family: cx, org: Acme, license: t-permissive, sources: [https://a.example],
     {CFG % 8192}}}
"""


def _reg() -> Registry:
    return small_registry(EXTRA)


def test_stated_config_and_inherited_bases_and_where_nothing_is_inherited() -> None:
    reg = _reg()
    models = reg.models.built()

    def ctx(mid: str) -> Context | None:
        return model_context(models[mid], models)

    assert ctx("cbase-7b-stated") == (2048, ContextBasis.STATED, None, None)
    own = ctx("cother")
    assert own is not None
    assert (own.tokens, own.basis, own.config_from) == (8192, ContextBasis.CONFIG, "cother")
    kid = ctx("cbase-7b-chat")
    assert kid is not None
    assert (kid.tokens, kid.basis, kid.config_from) == (4096, ContextBasis.INHERITED, "cbase-7b")
    assert kid.source == "https://huggingface.co/acme/base/blob/abc/config.json"
    assert "cbase-7b's config.json" in kid.describe()
    # Named for another length than the base's config gives: not inherited.
    assert ctx("cbase-7b-32k") is None
    # A vision model built on a text model: its own config, not the text model's.
    assert ctx("cbase-7b-vision") is None
    # More than 15 % smaller than its base (pruned, distilled): another architecture.
    assert ctx("cbase-1b-pruned") is None
    # The registry's answer is the same, remembered.
    assert reg.context("cbase-7b-chat") == kid


def test_named_context_reads_sizes_in_ids_and_nothing_else() -> None:
    assert named_context("yi-34b-200k") == 200_000
    assert named_context("phi-3-mini-128k-instruct") == 128_000
    assert named_context("qwen2.5-7b-instruct-1m") == 1_000_000
    assert named_context("mpt-7b-8k-instruct") == 8000
    assert named_context("tinyllama-1.1b-intermediate-step-1431k-3t") is None  # training steps
    assert named_context("llava-v1.6-34b") is None
    assert named_context("a-2.8k") is None  # not a size in a name


@given(st.text(max_size=60))
def test_named_context_never_fails_and_gives_a_known_size(text: str) -> None:
    found = named_context(text)
    assert found is None or found in {n * 1000 for n in (2, 4, 8, 16, 32, 64, 100, 128, 200, 256, 512)} | {
        1_000_000,
        2_000_000,
    }


def test_min_context_and_sort_use_the_inherited_value_and_count_only_the_truly_unknown() -> None:
    reg = _reg()
    found = select(reg, Query(words=("cbase",), min_context=4000))
    assert {m.id for m in found.models} == {"cbase-7b", "cbase-7b-chat"}
    assert found.unknown == {"context length": 3}  # -32k, -vision and -pruned: nothing to read
    ordered = select(reg, Query(words=("cbase",), sort=SortKey.CONTEXT, descending=True)).models
    assert [m.id for m in ordered][:3] == ["cbase-7b", "cbase-7b-chat", "cbase-7b-stated"]


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "ctx.yaml"
    path.write_text(EXTRA.replace("t-permissive", "mit"), encoding="utf-8")
    return path


def test_json_says_where_the_context_comes_from(runner: CliRunner, tmp_path: Path) -> None:
    path = _write(tmp_path)
    out = runner.invoke(app, ["list", "cbase", "--json", "--registry", str(path)], catch_exceptions=False)
    assert out.exit_code == 0, out.stderr
    rows = {r["id"]: r for r in json.loads(out.stdout)}
    chat = rows["cbase-7b-chat"]
    assert (chat["context_tokens"], chat["context_basis"], chat["context_config_from"]) == (
        4096,
        "inherited",
        "cbase-7b",
    )
    assert (rows["cbase-7b-stated"]["context_tokens"], rows["cbase-7b-stated"]["context_basis"]) == (2048, "stated")
    assert (rows["cbase-7b"]["context_basis"], rows["cbase-7b"]["context_config_from"]) == ("config", "cbase-7b")
    assert (rows["cbase-7b-vision"]["context_tokens"], rows["cbase-7b-vision"]["context_basis"]) == (None, None)
    keys = list(chat)
    assert keys[-3:] == ["params_nominal", "context_basis", "context_config_from"]  # appended: stable order


def test_a_table_marks_a_context_not_stated_and_says_what_the_mark_means(runner: CliRunner, tmp_path: Path) -> None:
    path = _write(tmp_path)
    out = runner.invoke(app, ["list", "cbase", "-o", "id,context", "--registry", str(path)], env={"COLUMNS": "120"})
    assert out.exit_code == 0, out.stderr
    cells = dict(line.split() for line in out.stdout.splitlines()[1:] if len(line.split()) == 2)
    assert cells["cbase-7b-chat"] == "4K*"
    assert cells["cbase-7b-stated"] == "2K"
    assert cells["cbase-7b-vision"] == "?"
    assert "note: * context not stated" in out.stderr
    plain = runner.invoke(app, ["list", "cbase-7b-stated", "-o", "id,context", "--registry", str(path)])
    assert "context not stated" not in plain.stderr


def test_show_says_whose_config_gave_the_context(runner: CliRunner, tmp_path: Path) -> None:
    path = _write(tmp_path)
    out = runner.invoke(app, ["show", "cbase-7b-chat", "--registry", str(path)], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.stderr
    said = "4,096 tokens (max positions in cbase-7b's config.json, whose architecture it keeps; none stated)"
    assert said in out.stdout


def test_stats_shows_the_stated_and_the_used_context_fill(runner: CliRunner, tmp_path: Path) -> None:
    path = _write(tmp_path)
    out = runner.invoke(app, ["stats", "--json", "--registry", str(path)], catch_exceptions=False)
    rates = json.loads(out.stdout)["fill rate"]
    stated, used = rates["context, stated"], rates["context (stated or from a config)"]
    assert used["filled"] - stated["filled"] >= 3  # cbase-7b, cother (own config), cbase-7b-chat


def test_why_says_the_context_it_judged_was_read_from_a_config(runner: CliRunner, tmp_path: Path) -> None:
    path = _write(tmp_path)
    out = runner.invoke(app, ["why", "cbase-7b-chat", "--min-context", "8k", "--registry", str(path)])
    assert out.exit_code == 0, out.stderr
    assert "context length 4096 (max positions in cbase-7b's config.json" in out.stdout
    stated = runner.invoke(app, ["why", "cbase-7b-stated", "--min-context", "8k", "--registry", str(path)])
    assert "context length 2048\n" in stated.stdout


_CHAIN = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(1, 1 << 20)),  # stated context
        st.one_of(st.none(), st.integers(1, 1 << 20)),  # config max positions (None: no config)
        st.sampled_from([("text",), ("text", "image")]),
        st.one_of(st.none(), st.floats(0.5, 100)),  # params
    ),
    min_size=1,
    max_size=5,
)


@given(_CHAIN, st.sampled_from(["m", "m-32k", "m-8k-chat"]))
def test_a_context_is_stated_or_read_from_the_config_of_the_model_or_a_same_input_ancestor(
    chain: list[tuple[int | None, int | None, tuple[str, ...], float | None]], last_id: str
) -> None:
    from llmcat.records import Arch, Model

    models: dict[str, Model] = {}
    ids = [f"a{i}" for i in range(len(chain) - 1)] + [last_id]
    for i, (stated, positions, modalities, params) in enumerate(chain):
        cfg = Arch(source=f"https://huggingface.co/x/{i}", max_positions=positions) if positions else None
        models[ids[i]] = Model(
            id=ids[i],
            name=ids[i],
            family="f",
            org="o",
            license="l",
            sources=(),
            context_tokens=stated,
            base_model=ids[i - 1] if i else None,
            modalities=modalities,
            params_b=params,
            config=cfg,
        )
    me = models[last_id]
    found = model_context(me, models)
    if me.context_tokens:
        assert found == (me.context_tokens, ContextBasis.STATED, None, None)
        return
    if found is None:
        return
    owner = models[found.config_from or ""]
    assert owner.config is not None
    assert found.tokens == owner.config.max_positions
    assert found.source == owner.config.source
    if found.basis == ContextBasis.INHERITED:
        assert owner.id != me.id
        assert set(owner.modalities) == set(me.modalities)
        assert me.config is None  # a model's own config comes first
    else:
        assert (found.basis, owner.id) == (ContextBasis.CONFIG, me.id)
    named = named_context(me.id)
    if named is not None:
        assert abs(found.tokens / named - 1) < 0.1  # never against the length in the id
