"""The hypotheses of macro's place in the regime call (H1-H4) as a table: what each tested, its
pre-registered pass mark, its verdict, and the differences the verdict rests on with their 95%
intervals. A failed hypothesis is set exactly as a passed one; a run whose fingerprint does
not match this checkout says so above the table."""

from __future__ import annotations

from regime.evaluation.recession.hypotheses import (
    HYPOTHESES_FILE,
    PARTS,
    RERUN,
    Difference,
    HypothesesRun,
    HypothesisResult,
)
from regime.evaluation.report.html_parts import esc
from regime.evaluation.report.palette import BLUE, VERMILLION

PREREGISTRATION = "docs/macro/preregistration.md"
HEADLINE = " class='headline'"
INTRO = (
    "Each hypothesis, its metric and its pass mark were written down before it was run "
    f"({PREREGISTRATION}); each ran in the nested walk-forward with and without the recession "
    "nowcast, on the same judged weeks and the same training rows. Every verdict is shown, "
    "pass or fail. A family enters the shipped model only through the nested selection: a "
    "verdict alone changes nothing the model does."
)


def hypotheses_section(run: HypothesesRun | None) -> str:
    head = "<h3 id='hypotheses'>Macro's place in the regime call: four pre-registered tests</h3>"
    if run is None:
        return (
            f"{head}<p class='warning'>No saved run of the hypotheses here ({HYPOTHESES_FILE} "
            f"is not in this checkout): run <code>{esc(RERUN)}</code>, or pass "
            "<code>regime report --hypotheses PATH</code>.</p>"
        )
    parts = [head, f"<p>{esc(INTRO)}</p>"]
    note = run.status.note() if run.status is not None else "the run was not checked"
    if note:
        parts.append(f"<p class='warning' id='hypotheses-stale'>Note: {esc(note)}.</p>")
    rows = "".join(_row(result) for result in run.results)
    rows += "".join(
        f"<tr><td>{esc(name)}</td><td class='t' colspan='4'>not in this run</td></tr>"
        for name in run.missing
    )
    parts.append(
        "<table class='hypotheses'><thead><tr><th>test</th><th>question</th>"
        "<th>pass mark (pre-registered)</th><th>verdict</th>"
        "<th>differences, with 95% intervals</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
    parts.append(f"<p class='meta'>{esc(_provenance(run))}</p>")
    return "\n".join(parts)


def _provenance(run: HypothesesRun) -> str:
    fingerprint = ", ".join(f"{part} {run.fingerprint.get(part, '?')}" for part in PARTS)
    if run.status is None:
        state = "not checked against this checkout"
    elif run.status.current:
        state = "the same as this checkout's"
    else:
        state = "not this checkout's: see the note above"
    return (
        f"From {run.path.name}; the run's fingerprint ({fingerprint}) is {state}. Intervals: "
        "episode (bear markets and the calm spans between them, resampled) and block (26-week "
        "blocks); a difference whose interval holds 0 is no evidence either way."
    )


def _row(result: HypothesisResult) -> str:
    word, colour = ("pass", BLUE) if result.passed else ("fail", VERMILLION)
    verdict = f"<span class='verdict' style='border-color:{colour}'>{word}</span>"
    differences = "".join(
        f"<li{HEADLINE if i == 0 else ''}>{_difference(d)}</li>"
        for i, d in enumerate(result.differences)
    )
    notes = "".join(f"<p class='note'>{esc(n)}</p>" for n in result.notes)
    return (
        f"<tr id='{esc(result.name)}'><td><b>{esc(result.name)}</b></td>"
        f"<td class='t'>{esc(result.question)}</td><td class='t'>{esc(result.pass_mark)}</td>"
        f"<td class='t'>{verdict}</td><td class='t'><ul class='differences'>{differences}"
        f"</ul>{notes}</td></tr>"
    )


def _difference(d: Difference) -> str:
    def fmt(value: float) -> str:
        return f"{100 * value:+.2f} pt" if d.points else f"{value:+.3f}"

    def interval(low: float, high: float) -> str:
        return f"[{fmt(low).removesuffix(' pt')}, {fmt(high)}]"

    intervals = "; ".join(f"{name} {interval(*bounds)}" for name, bounds in d.intervals.items())
    return f"{esc(d.what)}: <b>{esc(fmt(d.estimate))}</b> {esc(intervals)}"
