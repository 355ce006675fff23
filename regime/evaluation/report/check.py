"""Open a written report in headless Chromium: did it load, and did every chart decode?

    python -m regime.evaluation.report.check REPORT_DIR/report.html [--screenshot PAGE.png]
        [--section ID --section-screenshot PART.png]

Chromium loads a copy of the page with a small script added (the report itself has none) that,
once the page has loaded, writes into the DOM how many images decoded; `--dump-dom` prints the
DOM, and the check reads the title, the "now" block and that count from it. Exit 0 when the
page passes, 1 with one line per problem, 2 when no Chromium is found (set REGIME_CHROMIUM to
its path). `--screenshot` also writes a PNG of the top of the page; `--section ID` with
`--section-screenshot PART.png` a PNG of one section of it alone (e.g. `macro`, the macro
panel), as wide as the page and as tall as the section.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regime.evaluation.report.page import TITLE

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Quiet, offline, sandbox-free flags: this runs as root in CI, with no network but loopback.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
PROBE = """<script>
window.addEventListener("load", function () {
  var images = Array.from(document.images);
  var good = images.filter(function (i) { return i.complete && i.naturalWidth > 0; });
  var out = document.createElement("div");
  out.id = "report-check";
  out.textContent = "images " + good.length + " of " + images.length;
  document.body.appendChild(out);
});
</script>"""
TIMEOUT_SECONDS = 120
WIDTH = 1300
# Tall enough for any one section; the blank rows under it are cropped off.
SECTION_HEIGHT = 6000


@dataclass(frozen=True)
class Checked:
    """What Chromium saw: the page title, the decoded and total image counts, the DOM text."""

    title: str
    images: int
    decoded: int
    dom: str

    def problems(self) -> list[str]:
        found = []
        if self.title != TITLE:
            found.append(f"title is {self.title!r}, not {TITLE!r}")
        if "Now: week ending" not in self.dom or 'id="generated"' not in self.dom:
            found.append("the page has no 'now' block")
        if self.images == 0:
            found.append("the page has no images")
        if self.decoded < self.images:
            found.append(f"{self.images - self.decoded} of {self.images} images did not decode")
        return found


def chromium() -> str | None:
    """The Chromium to use: $REGIME_CHROMIUM, else the first browser on PATH, else None."""
    named = os.environ.get("REGIME_CHROMIUM")
    if named:
        return named
    return next((found for b in BROWSERS if (found := shutil.which(b))), None)


def check_page(page: Path, browser: str, screenshot: Path | None = None) -> Checked:
    """Load `page` (a report.html) in headless Chromium and report what it saw."""
    html = page.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="regime-report-check-") as tmp:
        probe = Path(tmp) / "page.html"
        probe.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
        profile = str(Path(tmp) / "profile")
        dom = _run(
            [
                browser,
                *FLAGS,
                f"--user-data-dir={profile}",
                "--virtual-time-budget=10000",
                "--dump-dom",
                probe.as_uri(),
            ]
        )
        if screenshot is not None:
            _run(
                [
                    browser,
                    *FLAGS,
                    f"--user-data-dir={profile}",
                    f"--window-size={WIDTH},2000",
                    f"--screenshot={screenshot.resolve()}",
                    page.resolve().as_uri(),
                ]
            )
            _compact(screenshot)
    title = re.search(r"<title>(.*?)</title>", dom, re.S)
    counted = re.search(r'id="report-check">images (\d+) of (\d+)<', dom)
    return Checked(
        title=_unescape(title.group(1)) if title else "",
        images=int(counted.group(2)) if counted else html.count("<img "),
        decoded=int(counted.group(1)) if counted else 0,
        dom=dom,
    )


def section_screenshot(page: Path, browser: str, section: str, out: Path) -> Path:
    """A PNG of the section with id `section` alone, on the page's own styles (ValueError if
    the page has no such section)."""
    html = page.read_text(encoding="utf-8")
    found = re.search(rf"<section id='{re.escape(section)}'.*?</section>", html, re.S)
    if found is None:
        raise ValueError(f"{page} has no section with id {section!r}")
    head = html[: html.index("<body>") + len("<body>")]
    with tempfile.TemporaryDirectory(prefix="regime-report-check-") as tmp:
        alone = Path(tmp) / "section.html"
        alone.write_text(head + found.group(0) + "</body></html>", encoding="utf-8")
        _run(
            [
                browser,
                *FLAGS,
                f"--user-data-dir={Path(tmp) / 'profile'}",
                f"--window-size={WIDTH},{SECTION_HEIGHT}",
                f"--screenshot={out.resolve()}",
                alone.as_uri(),
            ]
        )
    _crop_blank_bottom(out)
    return out


def _crop_blank_bottom(path: Path, margin: int = 16) -> None:
    """Cut the white rows under the content, and store the PNG compactly."""
    from PIL import Image, ImageChops

    with Image.open(path) as shot:
        image = shot.convert("RGB")
    box = ImageChops.difference(image, Image.new("RGB", image.size, "white")).getbbox()
    if box is not None:
        image = image.crop((0, 0, image.width, min(image.height, box[3] + margin)))
    _save_compact(image, path)


def _compact(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as shot:
        image = shot.convert("RGB")
    _save_compact(image, path)


def _save_compact(image: Any, path: Path) -> None:
    """256 colours, undithered: a page of flat colours and text looks the same at a third of
    the size (Pillow comes with matplotlib)."""
    # Median cut (0) and no dither (0): the values of Pillow's enums since Pillow 8.
    image.quantize(256, method=0, dither=0).save(path, optimize=True)


def _run(command: list[str]) -> str:
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"{command[0]} exited {done.returncode}: {last}")
    return done.stdout


def _unescape(text: str) -> str:
    import html

    return html.unescape(text.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path, help="the report.html that `regime report` wrote")
    parser.add_argument("--screenshot", type=Path, help="also write a PNG of the page's top")
    parser.add_argument("--section", help="the id of a section to screenshot alone (e.g. macro)")
    parser.add_argument("--section-screenshot", type=Path, help="where that PNG goes")
    args = parser.parse_args(argv)
    if (args.section is None) != (args.section_screenshot is None):
        parser.error("--section and --section-screenshot go together")
    browser = chromium()
    if browser is None:
        print("error: no Chromium found; install it or set REGIME_CHROMIUM", file=sys.stderr)
        return 2
    try:
        checked = check_page(args.page, browser, args.screenshot)
        if args.section is not None:
            section_screenshot(args.page, browser, args.section, args.section_screenshot)
    except (OSError, RuntimeError, ValueError, subprocess.TimeoutExpired) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    problems = checked.problems()
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    if not problems:
        print(f"ok: {args.page} loaded, {checked.decoded} of {checked.images} images decoded")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
