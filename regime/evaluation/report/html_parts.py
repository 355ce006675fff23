"""Small HTML pieces the page is made of: escaped tables, lists, images, number formats."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable, Sequence

# A cell that reads as a number (right-aligned); anything else is text (left-aligned).
NUMBER = re.compile(r"^([-+]?[\d,]*\.?\d+(%| pt)?|-|-?\d+ / (-?\d+|-)|\d+/\d+)$")


def esc(text: object) -> str:
    return html.escape(str(text))


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], caption: str | None = None) -> str:
    """A table of already formatted strings; the first column is left-aligned (CSS)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)
    top = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f"<table>{top}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(text: str) -> str:
    return f"<td>{esc(text)}</td>" if NUMBER.match(text) else f"<td class='t'>{esc(text)}</td>"


def bullets(items: Iterable[str], css: str = "") -> str:
    klass = f" class='{css}'" if css else ""
    return f"<ul{klass}>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def image(png: bytes, alt: str, name: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img id="chart-{esc(name)}" alt="{esc(alt)}" src="data:image/png;base64,{data}">'


def pct(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}%}"


def num(value: float | None, fmt: str = ".3f") -> str:
    return "-" if value is None else format(value, fmt)


def signed_points(value: float) -> str:
    """A change in probability as signed percentage points: `+1.2 pt` (`-0.04 pt` when small)."""
    points = 100 * value
    return f"{points:+.1f} pt" if abs(points) >= 0.05 else f"{points:+.2f} pt"
