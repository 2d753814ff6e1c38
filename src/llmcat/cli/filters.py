"""`list`'s options turned into a Query: shared by `list`, `why` and `recommend`, so they never disagree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from llmcat.cli.options import load_list_policy
from llmcat.errors import UsageError
from llmcat.formats import OutputFormat
from llmcat.query import Query, SortKey
from llmcat.records import JapaneseLevel


def query_from_options(reg: Any, p: Mapping[str, Any]) -> Query:
    """The Query for `list`'s options (``p``: its parameters by name), names resolved against ``reg``.

    `llmcat why` parses the same options and builds its Query here too.
    """
    base = p["base"]
    bases: tuple[str, ...] = ()
    if base is not None:
        found = reg.resolve(base)
        bases = tuple(m.id for m in found) if isinstance(found, list) else (found.id,)
    level = p["ja_level"] or (JapaneseLevel.MULTILINGUAL if p["ja"] else None)

    def checked(kind: str, values: Sequence[str] | None) -> tuple[str, ...]:
        """Values that match nothing in the registry are usage errors (llmcat.vocab, read only if given)."""
        if not values:
            return ()
        from llmcat import vocab

        return tuple(getattr(vocab, kind)(reg, values))

    if p["fits"] is not None:
        from llmcat.cli.options import check_fit_settings

        check_fit_settings(p["fit_mode"].value, p["fit_quant"])

    return Query(
        words=tuple(p["words"] or ()),
        commercial=p["commercial"],
        unconditional=p["unconditional"],
        licenses=checked("licenses", p["license_"]),
        license_classes=tuple(p["license_class"] or ()),
        japanese=level,
        languages=checked("languages", p["lang"]),
        modalities=("image",) if p["image"] else (),
        bases=bases,
        families=checked("families", p["family"]),
        orgs=checked("orgs", p["org"]),
        min_params_b=p["min_params"],
        max_params_b=p["max_params"],
        min_context=p["min_context"],
        released_after=p["after"],
        released_before=p["before"],
        tags=checked("tags", p["tag"]),
        sort=SortKey.NAME if p["sort"].strip().lower().startswith("score:") else parse_sort_key(p["sort"]),
        descending=bool(p["desc"]),
        limit=p["limit"],
        include_unknown=p["include_unknown"],
        checks=_score_checks(p["min_score"] or ()),
        fits_gib=p["fits"],
        fit_mode=p["fit_mode"].value,
        fit_quant=p["fit_quant"],
        fit_context=p["fit_context"],
        without_conditions=tuple(k.value for k in p["without_condition"] or ()),
        policy=load_list_policy(p["policy"], reg),
    )


def parse_sort_key(text: str) -> SortKey:
    try:
        return SortKey(text.strip().lower())
    except ValueError:
        keys = ", ".join(k.value for k in SortKey)
        raise UsageError(f"unknown sort key {text!r}: use one of {keys}, or score:BENCH") from None


def _score_checks(bounds: Sequence[str]) -> tuple[Any, ...]:
    if not bounds:
        return ()
    from llmcat import scores

    book = scores.load()
    return tuple(scores.min_score_check(book, *scores.parse_min_score(b, book)) for b in bounds)


def table_columns(values: Sequence[str] | None, out_fmt: OutputFormat) -> tuple[str, ...] | None:
    if not values:
        return None
    from llmcat import columns

    if out_fmt is not OutputFormat.TABLE:
        from llmcat.errors import UsageError

        raise UsageError(f"--columns chooses table columns; --format {out_fmt.value} has its own")
    return columns.parse(values)
