"""A walk-forward as a file that cannot run code: numpy arrays and a JSON tree in one `.npz`.

The walk-forward (walk_forward.py) is dataclasses of frames, series, arrays, dates and numbers.
`dump` writes each array (a frame's columns, an index's dates, a gate's rows) as a plain
`.npy` member and everything else as a JSON tree naming them; `load` reads the arrays with
`allow_pickle=False` and rebuilds only the dataclasses listed in `_CLASSES`, from their fields.
No member is unpickled and no name in the file chooses what is imported or called, so a planted
file can at worst hold other numbers. A sha256 over the tree and every array proves the file is
whole; `fingerprint` (what it was computed from) must match what the caller expects.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import zipfile
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from regime.learning.calibration import Sigmoid
from regime.learning.schedule import Refit
from regime.macro.nowcast import NowcastCandidate, NowcastChoice, NowcastRun
from regime.model.candidates import Candidate, CandidateRuns, GateRows, IndexRows
from regime.model.horizons import Target
from regime.model.outlook import OutlookCandidate, OutlookChoice, TargetRun
from regime.model.selection import Choice, Nested
from regime.model.walk_forward import WalkForward

FORMAT = 1
_TREE, _CHECKSUM = "__tree__", "__sha256__"
# Every class a file may rebuild, by name: nothing else is ever constructed from one.
_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        WalkForward,
        Refit,
        GateRows,
        IndexRows,
        CandidateRuns,
        Candidate,
        Sigmoid,
        Nested,
        Choice,
        TargetRun,
        Target,
        OutlookCandidate,
        OutlookChoice,
        NowcastRun,
        NowcastCandidate,
        NowcastChoice,
    )
}
# String columns and indexes are stored as fixed-width unicode arrays, never as objects.
_TEXT_DTYPES = ("object", "str", "string")


class UnreadableFile(ValueError):
    """The file is damaged, of another format or fingerprint, or holds what `load` refuses."""


def dump(value: Any, fingerprint: str) -> bytes:
    """`value` as the bytes of an `.npz` file (TypeError for a type this module cannot store)."""
    arrays: dict[str, np.ndarray] = {}
    tree = {"format": FORMAT, "fingerprint": fingerprint, "value": _Encoder(arrays).encode(value)}
    arrays[_TREE] = np.frombuffer(json.dumps(tree, allow_nan=True).encode(), dtype=np.uint8)
    arrays[_CHECKSUM] = np.frombuffer(_checksum(arrays).encode(), dtype=np.uint8)
    # What np.savez writes (a zip of .npy members), with pickling refused on writing too.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)
    return buffer.getvalue()


def load(blob: bytes, fingerprint: str) -> Any:
    """The value `dump` stored; UnreadableFile unless the file is whole, of this format and
    made from `fingerprint`."""
    if not zipfile.is_zipfile(io.BytesIO(blob)):  # np.load would try anything else as a pickle
        raise UnreadableFile("not an .npz file")
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as members:
            arrays = {name: members[name] for name in members.files}
        stored = bytes(arrays.pop(_CHECKSUM)).decode("ascii")
        if stored != _checksum(arrays):
            raise UnreadableFile("its checksum does not match its content")
        tree = json.loads(bytes(arrays[_TREE]).decode("utf-8"))
    except UnreadableFile:
        raise
    except Exception as exc:  # noqa: BLE001 - zip, zlib, npy and JSON errors of a damaged file
        raise UnreadableFile(f"not a whole .npz file ({type(exc).__name__}: {exc})") from None
    if not isinstance(tree, dict) or tree.get("format") != FORMAT:
        raise UnreadableFile("of another format")
    if tree.get("fingerprint") != fingerprint:
        raise UnreadableFile("made from other data, settings or code")
    try:
        return _Decoder(arrays).decode(tree["value"])
    except UnreadableFile:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a malformed tree makes pandas raise
        raise UnreadableFile(f"its content is malformed ({type(exc).__name__}: {exc})") from None


def _checksum(arrays: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}:{array.dtype.str}:{array.shape};".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


class _Encoder:
    """Plain JSON for scalars and strings; a one-key tagged object for everything else."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays

    def array(self, values: np.ndarray) -> str:
        if values.dtype.kind == "O":
            raise TypeError("object arrays are not stored")
        name = f"a{len(self.arrays)}"
        self.arrays[name] = values
        return name

    def encode(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | str) or type(value) in (int, float):
            return value
        if isinstance(value, np.generic):
            return {"scalar": [value.dtype.str, value.item()]}
        if isinstance(value, pd.Timestamp):
            return {"timestamp": [int(value.value), value.unit]}
        if isinstance(value, date) and type(value) is date:
            return {"date": value.isoformat()}
        if isinstance(value, tuple | list):
            return {type(value).__name__: [self.encode(v) for v in value]}
        if isinstance(value, dict):
            return {"dict": [[self.encode(k), self.encode(v)] for k, v in value.items()]}
        if isinstance(value, np.ndarray):
            return {"array": self.array(value)}
        if isinstance(value, pd.DataFrame):
            return {"frame": self.frame(value)}
        if isinstance(value, pd.Series):
            return {"series": self.series(value)}
        if isinstance(value, pd.Index):
            return {"index": self.index(value)}
        if dataclasses.is_dataclass(value) and _CLASSES.get(type(value).__name__) is type(value):
            fields = {
                f.name: self.encode(getattr(value, f.name)) for f in dataclasses.fields(value)
            }
            return {"dataclass": [type(value).__name__, fields]}
        raise TypeError(f"cannot store a {type(value).__name__}")

    def values(self, values: Any) -> dict[str, Any]:
        """A column's or an index's values with their dtype; text as a unicode array."""
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            raise TypeError("dates with a time zone are not stored")
        dtype = str(values.dtype)
        if dtype not in _TEXT_DTYPES:
            return {"dtype": dtype, "array": self.array(np.asarray(values))}
        items = list(values)
        missing = [not isinstance(v, str) and v is not None and pd.isna(v) for v in items]
        if not all(isinstance(v, str) or gone for v, gone in zip(items, missing, strict=True)):
            # Labels such as an outlook's classes (0, 1): each item as a value of the tree.
            return {"dtype": dtype, "items": [self.encode(v) for v in items]}
        text = np.array(["" if gone else v for v, gone in zip(items, missing, strict=True)], "U")
        out = {"dtype": dtype, "text": self.array(text)}
        if any(missing):
            out["missing"] = self.array(np.array(missing, dtype=bool))
        return out

    def index(self, index: pd.Index) -> dict[str, Any]:
        name = self.encode(index.name)
        if isinstance(index, pd.RangeIndex):
            return {"range": [index.start, index.stop, index.step], "name": name}
        if isinstance(index.dtype, pd.DatetimeTZDtype):
            raise TypeError("dates with a time zone are not stored")
        freq = getattr(index, "freqstr", None)
        return {"values": self.values(index), "name": name, "freq": freq}

    def series(self, series: pd.Series) -> dict[str, Any]:
        return {
            "values": self.values(series),
            "index": self.index(series.index),
            "name": self.encode(series.name),
        }

    def frame(self, frame: pd.DataFrame) -> dict[str, Any]:
        if not frame.columns.is_unique:
            raise TypeError("a frame with repeated column names is not stored")
        return {
            "columns": self.index(frame.columns),
            "index": self.index(frame.index),
            "data": [self.values(frame[column]) for column in frame.columns],
        }


class _Decoder:
    """The inverse of `_Encoder`; it constructs nothing outside `_CLASSES` and pandas/numpy."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays

    def decode(self, node: Any) -> Any:
        if node is None or isinstance(node, bool | int | float | str):
            return node
        if not isinstance(node, dict) or len(node) != 1:
            raise UnreadableFile("a node that is not one tagged value")
        ((tag, body),) = node.items()
        if tag == "scalar":
            return np.dtype(str(body[0])).type(body[1])
        if tag == "timestamp":
            return pd.Timestamp(int(body[0]), unit="ns").as_unit(str(body[1]))
        if tag == "date":
            return date.fromisoformat(str(body))
        if tag in ("tuple", "list"):
            items = [self.decode(v) for v in _list(body)]
            return tuple(items) if tag == "tuple" else items
        if tag == "dict":
            return {self.decode(k): self.decode(v) for k, v in _list(body)}
        if tag == "array":
            return self.arrays[str(body)]
        if tag == "frame":
            return self.frame(body)
        if tag == "series":
            return self.series(body)
        if tag == "index":
            return self.index(body)
        if tag == "dataclass":
            return self.dataclass(body)
        raise UnreadableFile(f"an unknown tag {tag[:40]!r}")

    def dataclass(self, body: Any) -> Any:
        name, fields = _list(body)
        cls = _CLASSES.get(str(name))
        if cls is None or not isinstance(fields, dict):
            raise UnreadableFile(f"a class it does not rebuild: {str(name)[:40]!r}")
        expected = {f.name for f in dataclasses.fields(cls)}
        if set(fields) != expected:
            raise UnreadableFile(f"{cls.__name__} with other fields")
        return cls(**{key: self.decode(value) for key, value in fields.items()})

    def values(self, body: dict[str, Any]) -> Any:
        dtype = str(body["dtype"])
        if dtype not in _TEXT_DTYPES:
            values = self.arrays[str(body["array"])]
            if str(values.dtype) != dtype:
                raise UnreadableFile(f"an array of {values.dtype} where {dtype} was stored")
            return values
        if "items" in body:
            items = np.empty(len(_list(body["items"])), dtype=object)
            items[:] = [self.decode(v) for v in body["items"]]
            return items if dtype == "object" else pd.array(items, dtype=dtype)
        text = self.arrays[str(body["text"])].astype(object)
        if "missing" in body:
            text[self.arrays[str(body["missing"])].astype(bool)] = np.nan
        return pd.array(text, dtype=dtype) if dtype != "object" else text

    def index(self, body: dict[str, Any]) -> pd.Index:
        name = self.decode(body["name"])
        if "range" in body:
            start, stop, step = (int(v) for v in _list(body["range"]))
            return pd.RangeIndex(start, stop, step, name=name)
        values = self.values(body["values"])
        freq = body.get("freq")
        if isinstance(values, np.ndarray) and values.dtype.kind == "M":
            return pd.DatetimeIndex(values, freq=None if freq is None else str(freq), name=name)
        return pd.Index(values, name=name, dtype=str(body["values"]["dtype"]))

    def series(self, body: dict[str, Any]) -> pd.Series:
        values = self.values(body["values"])
        return pd.Series(
            values, index=self.index(body["index"]), name=self.decode(body["name"]), copy=False
        )

    def frame(self, body: dict[str, Any]) -> pd.DataFrame:
        columns = self.index(body["columns"])
        index = self.index(body["index"])
        data = [self.values(v) for v in _list(body["data"])]
        if len(data) != len(columns):
            raise UnreadableFile("a frame whose columns and data differ in number")
        frame = pd.DataFrame(dict(zip(range(len(data)), data, strict=True)), index=index)
        frame.columns = columns
        return frame


def _list(body: Any) -> list[Any]:
    if not isinstance(body, list):
        raise UnreadableFile("a list where a list was stored")
    return body
