"""The visual report (`regime report`): the current call first, then how far to trust it.

Modules, in the order the page is built: inputs (a saved or fresh evaluation as a record),
now (today's call, model and data), recent (the last weeks and whose call each is),
transitions and forward (the regimes' dynamics and what followed each call), findings,
palette / timeline / charts (the PNGs), html_parts / now_block / sections / page (the HTML);
check opens a written page in headless Chromium.
"""

from regime.evaluation.report.inputs import EvaluationRecord, read_record, record_of
from regime.evaluation.report.now import Now, now_of
from regime.evaluation.report.page import Report, build_report, write_report

__all__ = [
    "EvaluationRecord",
    "Now",
    "Report",
    "build_report",
    "now_of",
    "read_record",
    "record_of",
    "write_report",
]
