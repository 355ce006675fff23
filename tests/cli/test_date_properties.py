"""Property: whatever text is given as a date (`--as-of`, `$REGIME_TODAY`), the answer is a
prediction or a RegimeError with its exit code (a usage error for text that is no date),
never another exception (hypothesis; derandomized)."""

from __future__ import annotations

import os
from datetime import date, datetime

import click
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from regime.cli.predict import predict_command
from regime.clock import TODAY_ENV, parse_day, today
from regime.errors import ConfigError, StaleDataError, UsageError
from regime.model.predict import load_model

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
DATE_LIKE = st.one_of(
    st.text(max_size=30),
    st.dates().map(date.isoformat),
    st.from_regex(r"\d{1,5}-\d{1,3}-\d{1,3}", fullmatch=True),
)
AS_OF = next(p for p in predict_command.params if p.name == "as_of")


@PROPERTY
@given(text=DATE_LIKE)
@example(text="0001-01-01")
@example(text="9999-12-31")
@example(text="2026-02-30")
@example(text="2026-08-21T00:00:00")
def test_any_as_of_text_is_a_date_or_a_usage_error(text):
    try:
        parsed = AS_OF.type.convert(text, AS_OF, None)
    except click.BadParameter as exc:
        assert exc.exit_code == 2
        return
    assert isinstance(parsed, datetime)


@pytest.fixture(scope="module")
def model(project_settings):
    return load_model(settings=project_settings)


@settings(PROPERTY, max_examples=40)
@given(day=st.dates())
@example(day=date(1, 1, 1))
@example(day=date(9999, 12, 31))
@example(day=date(1981, 1, 1))
@example(day=date(1981, 1, 2))
@example(day=date(2026, 8, 27))
@example(day=date(2026, 8, 28))
def test_any_date_is_answered_or_refused_with_a_regime_error(day, model, embedded_data):
    try:
        answer = model.predict_current(day, data=embedded_data, today=date(2026, 8, 22))
    except UsageError:
        assert day < date(1981, 1, 2)
        return
    except StaleDataError:
        assert day >= date(2026, 8, 28)
        return
    assert answer.as_of <= day.isoformat()
    assert (day - date.fromisoformat(answer.as_of)).days < 7


@PROPERTY
@given(text=DATE_LIKE)
@example(text="2026-W34-5")
@example(text="20260822")
@example(text=" 2026-08-22 ")
def test_any_regime_today_is_a_day_or_a_config_error(text, monkeypatch):
    if "\0" in text:
        return  # no environment variable can hold a NUL
    monkeypatch.setenv(TODAY_ENV, text)
    try:
        day = today()
    except ConfigError as exc:
        assert f"{TODAY_ENV}=" in str(exc) and "\n" not in str(exc)
        return
    assert day == (parse_day(text.strip()) if text.strip() else date.today())
    assert os.environ[TODAY_ENV] == text
