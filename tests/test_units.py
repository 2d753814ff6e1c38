from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmcat.units import format_params, format_tokens, parse_date, parse_params, parse_tokens


@pytest.mark.parametrize(
    ("text", "billions"),
    [("7B", 7.0), ("1.5b", 1.5), ("350M", 0.35), ("13", 13.0), (" 70b ", 70.0), ("1T", 1000.0), (".5B", 0.5)],
)
def test_parse_params(text: str, billions: float) -> None:
    assert parse_params(text) == billions


@pytest.mark.parametrize(("text", "tokens"), [("8k", 8000), ("128K", 128000), ("4096", 4096), ("1m", 1_000_000)])
def test_parse_tokens(text: str, tokens: int) -> None:
    assert parse_tokens(text) == tokens


@pytest.mark.parametrize("bad", ["", "B", "7X", "-7B", "7 B B", "nan", "inf", "1e3"])
def test_parse_params_rejects(bad: str) -> None:
    with pytest.raises(ValueError, match="not a parameter count"):
        parse_params(bad)


@pytest.mark.parametrize("bad", ["8b", "1.5", "k", "12q"])
def test_parse_tokens_rejects(bad: str) -> None:
    with pytest.raises(ValueError, match=r"context length|whole number"):
        parse_tokens(bad)


@pytest.mark.parametrize("bad", ["2024-13", "2024-02-30", "24", "2024/05", "May 2024"])
def test_parse_date_rejects(bad: str) -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_date(bad)


@given(st.floats(min_value=0.001, max_value=5000, allow_nan=False).map(lambda x: round(x, 3)))
def test_params_roundtrip_through_b_suffix(x: float) -> None:
    assert parse_params(f"{x}B") == pytest.approx(x)
    assert parse_params(f"{x * 1000}M") == pytest.approx(x)


@given(st.integers(min_value=1, max_value=10_000_000))
def test_tokens_plain_and_k(n: int) -> None:
    assert parse_tokens(str(n)) == n
    assert parse_tokens(f"{n}k") == n * 1000


@given(st.text(max_size=12))
def test_parsers_raise_only_value_error(text: str) -> None:
    for parser in (parse_params, parse_tokens, parse_date):
        with contextlib.suppress(ValueError):
            parser(text)


@given(st.integers(min_value=1, max_value=10_000_000))
def test_format_tokens_parses_back_close(n: int) -> None:
    shown = format_tokens(n)
    back = parse_tokens(shown.replace("K", "k")) if shown.endswith("K") else parse_tokens(shown)
    if shown.endswith("K"):
        assert back == n // 1024 * 1000  # 'K' means 1024 in display, e.g. 131072 -> 128K
    else:
        assert back == n


def test_format_params() -> None:
    assert format_params(0.35) == "350M"
    assert format_params(7) == "7B"
    assert format_params(None) == ""
