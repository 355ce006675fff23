"""The model card for people: `card.md`, written beside the machine-readable `card.json`.

Everything in it is derived from the card, so the same model always writes the same page.
"""

from __future__ import annotations

from typing import Any

from regime.learning.skill_words import interval_words, verdict

DATA_SOURCES = (
    (
        "FRED (Federal Reserve Bank of St. Louis)",
        "Treasury yields, fed funds, T-bills, "
        "credit spreads (Moody's, ICE BofA), unemployment, payrolls, claims, VIX",
        "public domain "
        "for US government series; ICE BofA and Moody's series redistributed by FRED for research "
        "use (check FRED's terms before redistributing further)",
    ),
    (
        "FRED / FTSE Russell",
        "Russell 2000 price and total-return, Russell 1000 total-return indices to 2019",
        "© FTSE Russell, redistributed by FRED",
    ),
    (
        "Yahoo Finance (through yfinance)",
        "^RUT, ^GSPC, ^IXIC closes; IWM and SPY adjusted closes",
        "Yahoo's terms of use: personal and research use",
    ),
)


def card_markdown(card: dict[str, Any]) -> str:
    """The human-readable card for `card` (a `regime` model card, see train.model_card)."""
    wf = card["walk_forward"]
    ours, rules = wf["models"]["regime"], wf["models"]["rulebook_realtime"]
    choice = card.get("choice", {})
    lines = [
        f"# regime model {card['version']}",
        "",
        "Weekly US small-cap versus large-cap market regime (early_recovery, narrow_rally, "
        "neutral, risk_off) with calibrated probabilities, and an outlook 4 to 26 weeks ahead. "
        "Machine-readable card: `card.json`; artifact: "
        f"`{card.get('artifact', 'model.json')}` (sha256 `{card.get('sha256', '?')[:16]}...`).",
        "",
        "## Intended use",
        "- A weekly risk signal for research and portfolio oversight: is the Russell 2000 in a "
        "bear market the 20% rule has not confirmed yet, or past a trough it has not confirmed "
        "yet; and what the next quarter may bring.",
        "- As a scheduled job (`regime run`), an import (`regime.load_model`), or the CLI.",
        "",
        "## Out of scope",
        "- Trading signals on their own: the calls are judged on balanced accuracy, not returns, "
        "and the allocation backtest shows what a simple use of them did (see the README).",
        "- Daily or intraday timing, single stocks, other markets than US small and large caps.",
        "- Any week whose data is stale: check `stale` in every prediction.",
        "",
        "## Training",
        f"- {card['training_weeks']} weeks, {card['training_span'][0]} .. "
        f"{card['training_span'][1]}; labels final through {card['labels_final_through']}; "
        f"data through {card['data_through']}.",
        f"- Final choice: entry gate {_gate(choice.get('entry'))}; exit gate "
        f"{_gate(choice.get('exit'))}; decision rule `{choice.get('decision', '?')}`; chosen "
        f"among {choice.get('candidates_offered', '?')} candidates by the nested walk-forward.",
        f"- Libraries: {', '.join(f'{k} {v}' for k, v in card['libraries'].items())}.",
        "",
        "## Data and licences",
        *(f"- {name}: {what}. Licence: {licence}." for name, what, licence in DATA_SOURCES),
        "",
        "## Walk-forward results",
        f"Out of sample, {wf['period'][0]} .. {wf['period'][1]} ({wf['n_weeks']} weeks), "
        "every refit choosing from the weeks before it only.",
        "",
        "| span | weeks | bal. accuracy (rulebook) | log loss | ECE | risk_off recall (rulebook) "
        "| mean lag, weeks (rulebook) |",
        "|---|---|---|---|---|---|---|",
        _row("all", wf["n_weeks"], ours, rules),
        *(
            _row(
                name, part["n_weeks"], part["models"]["regime"], part["models"]["rulebook_realtime"]
            )
            for name, part in wf.get("sub_periods", {}).items()
        ),
        "",
        *_records(card),
        "## Known limitations",
        f"- Few bear markets: {len(ours['detection']['episodes'])} in the judged span; every "
        "figure about entering or leaving one rests on them, and `regime evaluate` shows how "
        "wide the bootstrap intervals are.",
        *_versus_rulebook(wf),
        _families_chosen(wf.get("refits", [])),
        "- FRED values are the latest vintage (revised), not as first published.",
        "- Large caps' total return before 2019 is the Russell 1000's, then SPY's.",
        "",
        "## Quick start",
        "```sh",
        "regime predict                 # this week's regime, outlook and drivers",
        "regime predict --as-of 2008-10-10 --format json",
        "```",
        "```python",
        "from regime import load_model",
        "model = load_model()",
        "print(model.predict_current().to_dict())",
        "```",
        "",
    ]
    return "\n".join(lines)


def _records(card: dict[str, Any]) -> list[str]:
    """The table of every forecast's out-of-sample record (learning/skill.py); none without."""
    found = {
        name: item["record"]
        for name, item in (card.get("outlook") or {}).items()
        if isinstance(item, dict) and item.get("record")
    }
    recession = (card.get("recession") or {}).get("record")
    if recession:
        found["recession nowcast"] = recession
    if not found:
        return []
    rows = [
        f"| {name} | {r['span'][0]} .. {r['span'][1]} | {r['weeks']} | "
        f"{_num(r.get('auroc'))} | {interval_words(r['brier_skill_vs_persistence'])} | "
        f"{interval_words(r['brier_skill_vs_climatology'])} | {verdict(r)} |"
        for name, r in found.items()
    ]
    return [
        "## The forecasts' records",
        "Each forecast beside the call, judged out of sample on its own walk-forward: Brier "
        "skill against persistence and against the base rate (climatology) with 95% block-"
        "bootstrap intervals; skill is shown only when both lower bounds are above 0.",
        "",
        "| forecast | span | weeks | AUROC | Brier skill vs persistence | vs the base rate "
        "| verdict |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]


def _versus_rulebook(wf: dict[str, Any]) -> list[str]:
    """Where the model's balanced accuracy is not above the real-time rulebook's."""
    spans = {"the whole span": wf, **wf.get("sub_periods", {})}
    behind = [
        f"{name} ({part['models']['regime']['balanced_accuracy']:.3f} against "
        f"{part['models']['rulebook_realtime']['balanced_accuracy']:.3f})"
        for name, part in spans.items()
        if part["models"]["regime"]["balanced_accuracy"]
        <= part["models"]["rulebook_realtime"]["balanced_accuracy"]
    ]
    if not behind:
        return [
            "- Above the real-time rulebook in every span shown, by margins the bootstrap "
            "intervals in `regime evaluate` qualify."
        ]
    return [f"- Not above the real-time rulebook in {', '.join(behind)}."]


def _families_chosen(refits: list[dict[str, Any]]) -> str:
    """How often the nested selection kept each macro family, in either gate."""
    counts: dict[str, int] = {}
    for refit in refits:
        for family in {*refit["entry"]["families"], *refit["exit"]["families"]}:
            counts[family] = counts.get(family, 0) + 1
    if not counts:
        return "- No macro family was chosen at any refit: the calls rest on the rulebook's state."
    chosen = ", ".join(f"{k} at {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
    return f"- Macro families chosen at some of the {len(refits)} refits: {chosen}."


def _gate(gate: dict[str, Any] | None) -> str:
    if not gate:
        return "?"
    families = ", ".join(gate.get("families", [])) or "rulebook state only"
    return f"{families} (C {gate.get('C')}, calibration {gate.get('calibration')})"


def _row(name: str, weeks: int, ours: dict[str, Any], rules: dict[str, Any]) -> str:
    lag = ours["detection"]["mean_lag_weeks"]
    rule_lag = rules["detection"]["mean_lag_weeks"]
    return (
        f"| {name} | {weeks} | {ours['balanced_accuracy']:.3f} ({rules['balanced_accuracy']:.3f}) "
        f"| {_num(ours['log_loss'])} | {_num(ours['ece'])} "
        f"| {ours['recall']['risk_off']:.3f} ({rules['recall']['risk_off']:.3f}) "
        f"| {_num(lag, '.1f')} ({_num(rule_lag, '.1f')}) |"
    )


def _num(value: float | None, fmt: str = ".3f") -> str:
    return "-" if value is None else format(value, fmt)
