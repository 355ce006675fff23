"""Property: whatever a config file holds, `load_settings` gives settings or a ConfigError (one
line, naming the file), never another exception (hypothesis; derandomized)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from regime.config import Settings, default_config_path, load_settings
from regime.errors import ConfigError

PROPERTY = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PROJECT = yaml.safe_load(default_config_path().read_text(encoding="utf-8"))

# Values YAML can hold: what a hand edit could leave at any key.
SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.dates(),
)
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)


def paths_of(tree, prefix=()):
    """Every key path of the project config, leaves and sections alike."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield (*prefix, key)
            yield from paths_of(value, (*prefix, key))


KEY_PATHS = sorted(paths_of(PROJECT), key=str)


def load(text: bytes) -> Settings | None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.yaml"
        path.write_bytes(text)
        try:
            return load_settings(path)
        except ConfigError as exc:
            message = str(exc)
            assert "\n" not in message.strip() and len(message) < 1000, message
            assert str(path) in message or "config file" in message
            return None


@PROPERTY
@given(text=st.one_of(st.binary(max_size=400), st.text(max_size=200).map(str.encode)))
@example(text=b"a: 2026-13-01")
@example(text=b"labels: !!int x")
@example(text=b"[" * 5000)
@example(text=b"? [a]\n: 1")
@example(text=b"1: 2")
@example(text=b'paths:\n  cache: "a\\0b"')
def test_any_bytes_give_settings_or_a_config_error(text):
    load(text)


@PROPERTY
@given(where=st.sampled_from(KEY_PATHS), value=VALUE)
@example(where=("series", "rates", "ten_year"), value="../../etc/passwd")
@example(where=("indices", "pooled"), value=[None])
@example(where=("paths",), value={"cache": "x" * 5000})
def test_the_project_config_with_any_value_anywhere_gives_settings_or_a_config_error(where, value):
    edited = yaml.safe_load(yaml.safe_dump(PROJECT))
    node = edited
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    load(yaml.safe_dump(edited).encode())
