"""Figures the docs quote from the saved evaluation, found by their marks and looked up in it.

A quoted figure is marked `<!-- fig: PATH -->FIGURE` (the comment does not show on the page).
PATH names one number of the saved evaluation: keys joined by dots; in a list, an index, or
`key=value` for the element whose `key` is `value`, or `@DATE` for the element at DATE on the
`weeks` axis beside the list; a trailing `*100` for a figure shown in percent. FIGURE is the
number as the page shows it, rounded to the digits it shows (a sign, thousands commas and a `%`
allowed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

# Code (a span or a fenced block) shows marks; it does not quote figures.
CODE_SPAN = re.compile(r"`[^`]*`")
MARK = re.compile(r"<!-- fig: (?P<path>\S+) -->(?P<shown>[+-]?\d[\d,]*(?:\.\d+)?%?)")
UNMARKED = re.compile(r"<!-- fig: (?P<path>\S+) -->(?![+-]?\d)")


@dataclass(frozen=True)
class Quote:
    """One marked figure: where it is, what it names, what the page shows."""

    page: str
    line: int
    path: str
    shown: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line} {self.path} shows {self.shown}"


def prose(page: Path) -> list[tuple[int, str]]:
    """(line number, text) of every line of `page` outside code."""
    lines, fenced = [], False
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            lines.append((number, CODE_SPAN.sub("", line)))
    return lines


def quotes(page: Path, name: str) -> list[Quote]:
    """Every marked figure of `page` (called `name` in messages), in reading order."""
    return [
        Quote(name, number, match["path"], match["shown"])
        for number, line in prose(page)
        for match in MARK.finditer(line)
    ]


def marks_opening_a_line(page: Path) -> list[int]:
    """Lines that start with a mark: Markdown reads such a line as raw HTML, which ends the
    paragraph before it."""
    return [number for number, line in prose(page) if line.startswith("<!-- fig: ")]


def marks_without_a_figure(page: Path) -> list[str]:
    """Marks not followed by a number: a typo that would otherwise check nothing."""
    return [m["path"] for _, line in prose(page) for m in UNMARKED.finditer(line)]


def look_up(saved: Any, path: str) -> float:
    """The number `path` names in `saved` (KeyError, IndexError or ValueError if none)."""
    path, percent = (path[: -len("*100")], True) if path.endswith("*100") else (path, False)
    here, beside = saved, saved
    for step in path.split("."):
        if isinstance(here, dict):
            here, beside = here[step], here
        elif step.startswith("@"):
            here = here[beside["weeks"].index(step[1:])]
        elif "=" in step:
            key, value = step.split("=", 1)
            [here] = [item for item in here if str(item.get(key)) == value]
        else:
            here = here[int(step)]
    if isinstance(here, bool) or not isinstance(here, int | float):
        raise ValueError(f"{path} is {here!r}, not a number")
    return float(here) * (100 if percent else 1)


def shows(shown: str, value: float) -> bool:
    """Whether `shown` is `value` rounded to the digits `shown` has."""
    digits = Decimal(shown.rstrip("%").replace(",", ""))
    exponent = digits.as_tuple().exponent
    assert isinstance(exponent, int)
    half_step = 0.5 * 10.0**exponent
    return abs(float(digits) - value) <= half_step + 1e-9
