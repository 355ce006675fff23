"""The report: every chart as PNG and one self-contained HTML page, current call first.

`build_report` is pure (everything it shows comes from its arguments; `now.generated` is the
only thing that differs between two runs); `write_report` is the only I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from regime.atomic import write_bytes_atomic
from regime.config import Settings
from regime.constants import REGIMES
from regime.errors import RegimeError
from regime.evaluation.evaluate import OURS
from regime.evaluation.recession.hypotheses import HypothesesRun
from regime.evaluation.report import charts, sections
from regime.evaluation.report.findings import findings
from regime.evaluation.report.forward import HORIZONS, forward_by_call, levels
from regime.evaluation.report.html_parts import bullets, esc, image
from regime.evaluation.report.inputs import EvaluationRecord
from regime.evaluation.report.macro.panel import macro_charts, macro_panel
from regime.evaluation.report.now import Now, version_note
from regime.evaluation.report.now_block import now_block
from regime.evaluation.report.palette import png
from regime.evaluation.report.recent import WEEKS, recent_weeks, sources
from regime.evaluation.report.timeline import timeline_chart
from regime.evaluation.report.transitions import durations, transition_matrix
from regime.metrics import reliability_table

TITLE = "regime: the current call, and how far to trust it"


@dataclass(frozen=True)
class Report:
    """Chart PNGs by file stem, the HTML page that embeds them, and the findings."""

    charts: dict[str, bytes]
    html: str
    findings: list[str]
    note: str | None


def build_report(
    record: EvaluationRecord,
    now: Now,
    settings: Settings,
    hypotheses: HypothesesRun | None = None,
) -> Report:
    """The page for `record` (an evaluation), `now` (today's call and data) and `hypotheses`
    (the saved run of H1-H4, None when there is none)."""
    result = record.result
    bins = settings.evaluation.ece_bins
    recent = recent_weeks(record, now, WEEKS)
    history = record.ours.join(record.closes).rename(columns={"predicted": "called"})
    history["provisional"] = False  # judged weeks have final labels
    pngs = {
        "recent": png(
            timeline_chart(
                recent, f"The last {len(recent)} weeks, through {recent.index[-1].date()}", False
            ),
            tight=False,
        ),
        "history": png(
            timeline_chart(
                history, f"Every judged week, {result['period'][0]} to {result['period'][1]}", True
            ),
            tight=False,
        ),
        "reliability": png(charts.reliability_chart(record, bins)),
        "confusion": png(charts.confusion_chart(record, (OURS, "rulebook_realtime"))),
        "coefficients": png(
            charts.coefficient_chart(charts.coefficients(now.model), now.model.version)
        ),
    }
    if record.equity is not None and record.drawdown is not None:
        pngs["allocation"] = png(
            charts.allocation_chart(
                record.equity, record.drawdown, "Allocation backtest: growth of 1"
            ),
            tight=False,
        )
    pngs.update(macro_charts(record, now))
    found = findings(result)
    note = version_note(now, record.made_with["model_version"])
    macro = macro_panel(record, now, pngs, hypotheses)
    page = _page(record, now, recent, pngs, found, note, settings, macro)
    return Report(pngs, page, found, note)


def _page(
    record: EvaluationRecord,
    now: Now,
    recent: pd.DataFrame,
    pngs: dict[str, bytes],
    found: list[str],
    note: str | None,
    settings: Settings,
    macro: str | None,
) -> str:
    result = record.result
    bins = settings.evaluation.ece_bins
    first, last = result["period"]
    truth = record.truth
    proba = record.proba[OURS]
    assert proba is not None, "our model always has probabilities"
    measured, total = levels(now.dataset.total_returns, now.dataset.closes)
    forward = forward_by_call(record.calls[OURS], measured, REGIMES, HORIZONS)
    body = [
        now_block(now, recent, note),
        macro,
        "<h2 id='recent'>The last two years, week by week</h2>",
        image(pngs["recent"], "last 104 weeks: indices, P(risk_off), called and truth", "recent"),
        sections.sources_table(sources(recent), now.model.version),
        "<h2 id='findings'>Findings</h2>",
        f"<p>Out of sample: {first} to {last}, {result['n_weeks']:,} weeks, {result['refits']} "
        "refits on an expanding window; every model refitted at the same dates on what was "
        "known then. A difference whose interval holds zero is reported as a tie.</p>",
        bullets(found, "findings"),
        sections.bear_section(result),
        sections.dynamics_section(
            transition_matrix(truth, REGIMES), durations(truth, REGIMES), first, last
        ),
        sections.forward_section(
            forward,
            HORIZONS,
            {str(k): v for k, v in settings.indices.total_return.items()} if total else None,
        ),
        sections.comparison_section(result),
        sections.periods_section(result),
        sections.ablation_section(result),
        "<h2 id='history'>Every judged week</h2>",
        image(pngs["history"], "judged span: indices, P(risk_off), called and truth", "history"),
        "<h2 id='calibration'>Calibration and errors</h2>",
        image(pngs["reliability"], "reliability diagram with weeks per bin", "reliability"),
        sections.reliability_rows(reliability_table(truth, proba, bins), bins),
        image(pngs["confusion"], "confusion matrices", "confusion"),
        "<h2 id='coefficients'>What the model leans on</h2>",
        image(pngs["coefficients"], "gate coefficients of the current model", "coefficients"),
        sections.outlook_section(result),
        sections.backtest_section(
            result,
            image(pngs["allocation"], "equity curves and drawdowns", "allocation")
            if "allocation" in pngs
            else None,
        ),
    ]
    return "\n".join(
        [
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
            f"<title>{esc(TITLE)}</title>",
            f"<style>{_CSS}</style></head><body>",
            f"<h1>{esc(TITLE)}</h1>",
            *(part for part in body if part),
            "</body></html>",
        ]
    )


def write_report(report: Report, out_dir: Path) -> list[Path]:
    """Write every PNG and `report.html` into `out_dir` (created), each atomically."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        written = [
            write_bytes_atomic(out_dir / f"{name}.png", data)
            for name, data in report.charts.items()
        ]
        written.append(write_bytes_atomic(out_dir / "report.html", report.html.encode("utf-8")))
    except OSError as exc:
        raise RegimeError(f"cannot write the report to {out_dir}: {exc.strerror or exc}") from None
    return written


_CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1300px;
margin:24px auto;padding:0 16px;color:#222;line-height:1.45}
h1{font-size:1.5em;margin-bottom:.3em} h2{font-size:1.2em;margin-top:1.8em;
border-bottom:1px solid #ddd}
.now{border:2px solid #0072B2;border-radius:6px;padding:4px 18px 10px;background:#f7fbfe}
.now h2{border:none;margin-top:.6em}
.banner{background:#fbe9e7;border:2px solid #c0392b;border-radius:4px;color:#7b1d12;
padding:8px 12px;margin:12px 0 4px;font-size:1.05em} .banner p{margin:0 0 4px}
.banner ul.stale{color:#7b1d12;margin:2px 0}
details.since{margin:8px 0;padding:4px 10px;background:#fff;border:1px solid #ddd;
border-radius:4px} details.since summary{color:#222}
ul.stale{font-size:.9em;color:#444;margin:6px 0;padding-left:18px}
.call{font-size:1.35em;margin:.2em 0}
.skillmark{font-size:.7em;color:#006b4f;border:1px solid #009E73;border-radius:3px;
padding:0 5px;vertical-align:middle}
.why{font-size:1.05em;margin:.3em 0;padding:4px 10px;border-left:4px solid #D55E00;
background:#fdf3ec}
.regime{font-weight:bold;border-bottom:5px solid;padding:0 4px}
.columns{display:flex;flex-wrap:wrap;gap:28px;align-items:flex-start}
.columns>div{flex:1 1 440px;min-width:0}
table{border-collapse:collapse;font-size:.9em;margin:8px 0}
caption{text-align:left;font-weight:bold;padding:4px 0}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right} th{background:#f2f2f2}
td:first-child,th:first-child,td.t{text-align:left}
.barcell{width:160px} .bar{display:block;height:10px;min-width:1px;
box-shadow:inset 0 0 0 1px rgba(0,0,0,.35)}
img{max-width:100%;height:auto;display:block;margin:8px 0}
summary{cursor:pointer;color:#0072B2}
pre{font-size:.8em;overflow-x:auto;background:#fafafa;padding:8px}
.note,.meta{color:#444;font-size:.9em} .warning{color:#a33;font-weight:bold}
ul.event{margin:6px 0;padding-left:18px}
table.forecasts{width:100%} table.forecasts td{vertical-align:top;white-space:nowrap}
table.forecasts td:first-child{white-space:normal} .now table td{white-space:nowrap}
.now table td.t:first-child{white-space:normal}
table.forecasts tr.skill td:first-child{border-left:6px solid #009E73}
table.forecasts tr.skill td.mark{color:#006b4f;font-weight:bold}
table.forecasts tr.noskill td{color:#666} table.forecasts tr.noskill td:first-child{
border-left:6px solid #ccc} table.forecasts tr.noskill th{text-align:left;background:#f6f0e6;
color:#8a5a00}
h3{font-size:1.05em;margin:1.4em 0 .3em}
.families{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:6px 28px}
.families p{margin:0 0 10px;font-size:.92em}
table.hypotheses{width:100%} table.hypotheses td,table.hypotheses th{vertical-align:top;
text-align:left} table.hypotheses td:nth-child(2){width:22%}
table.hypotheses td:nth-child(3){width:22%} table.hypotheses td:nth-child(5){width:42%}
table.hypotheses p.note{margin:4px 0 0}
.verdict{font-weight:bold;font-size:1.1em;border-bottom:4px solid;padding:0 4px}
ul.differences{margin:0;padding-left:16px} ul.differences li.headline{font-size:1.05em}
code{font-size:.9em;background:#f2f2f2;padding:0 3px}
"""
