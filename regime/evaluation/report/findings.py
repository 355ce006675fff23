"""The findings: plain sentences from an evaluation's numbers, claiming only what they support.

A difference counts as a win or a loss only when every bootstrap interval given for it excludes
zero; otherwise the sentence calls it a tie ("no better than", "no worse than") and names the
interval that holds zero. Figures without an interval (mean detection lag, Sharpe ratios of an
evaluation that gives none) are stated, never ranked.
"""

from __future__ import annotations

from typing import Any

from regime.constants import RISK_OFF
from regime.evaluation.evaluate import OURS

INTERVALS = (("episode_bootstrap", "resampling bear markets"), ("block_bootstrap", "by blocks"))
ECE_BAR = 0.05


def findings(result: dict[str, Any]) -> list[str]:
    """Sentences for the page, in order; sections whose keys are absent are skipped."""
    out = [*_scores(result), *_calibration(result), *_detection(result), *_ablation(result)]
    return out + _allocation(result)


def verdict(found: dict[str, Any], lower_is_better: bool = False) -> str:
    """`better`, `worse` or `tie` for a difference (ours minus theirs) and its intervals."""
    intervals = [found[key] for key, _ in INTERVALS if key in found]
    if not intervals or any(i["low"] <= 0 <= i["high"] for i in intervals):
        return "tie"
    ours_ahead = (found["estimate"] < 0) if lower_is_better else (found["estimate"] > 0)
    return "better" if ours_ahead else "worse"


def difference_text(found: dict[str, Any]) -> str:
    """`+0.012, 95% interval [-0.010, +0.030] resampling bear markets, [..] by blocks`."""
    parts = [
        f"[{found[key]['low']:+.3f}, {found[key]['high']:+.3f}] {how}"
        for key, how in INTERVALS
        if key in found
    ]
    confidence = next(found[key]["confidence"] for key, _ in INTERVALS if key in found)
    return f"{found['estimate']:+.3f}, {confidence:.0%} interval " + ", ".join(parts)


def _holding_zero(found: dict[str, Any]) -> str:
    """`the interval resampling bear markets holds zero`, or `both intervals hold zero`."""
    held = [
        how
        for key, how in INTERVALS
        if key in found and found[key]["low"] <= 0 <= found[key]["high"]
    ]
    if len(held) > 1:
        return "both intervals hold zero"
    return f"the interval {held[0]} holds zero" if held else "no interval was computed"


def compared(metric: str, ours: float, name: str, theirs: float, found: dict[str, Any]) -> str:
    """One sentence: our score against `name`'s, a tie unless every interval excludes zero."""
    lower = metric == "log loss"
    word = {"better": "lower" if lower else "higher", "worse": "higher" if lower else "lower"}
    found_verdict = verdict(found, lower_is_better=lower)
    head = f"{metric.capitalize()}: regime ({ours:.3f})"
    if found_verdict == "tie":
        ahead = (found["estimate"] < 0) if lower else (found["estimate"] > 0)
        relation = "no better than" if ahead else "no worse than"
        return (
            f"{head} is {relation} {name} ({theirs:.3f}): a tie, since "
            f"{_holding_zero(found)} (difference {difference_text(found)})."
        )
    return f"{head} is {word[found_verdict]} than {name} ({theirs:.3f}): {difference_text(found)}."


def _scores(result: dict[str, Any]) -> list[str]:
    models, comparison = result["models"], result.get("comparison")
    if not comparison:
        return []
    out = []
    for key, metric in (("balanced_accuracy", "balanced accuracy"), ("log_loss", "log loss")):
        c = comparison.get(key)
        if c:
            peer = c["best_peer"]
            out.append(compared(metric, models[OURS][key], peer, models[peer][key], c))
    baseline = comparison.get("baseline") or {}
    peer = baseline.get("peer")
    if peer is not None and "balanced_accuracy" in baseline:
        out.append(
            compared(
                "balanced accuracy",
                models[OURS]["balanced_accuracy"],
                f"the real-time rulebook ({peer})",
                models[peer]["balanced_accuracy"],
                baseline["balanced_accuracy"],
            )
        )
    return out


def _calibration(result: dict[str, Any]) -> list[str]:
    ece = result["models"][OURS]["ece"]
    if ece is None:
        return []
    side = "within" if ece <= ECE_BAR else "outside"
    return [
        f"Calibration: expected calibration error {ece:.3f}, {side} the {ECE_BAR} bar (the "
        "reliability diagram below shows the weeks in each bin)."
    ]


def _detection(result: dict[str, Any]) -> list[str]:
    """Bear market by bear market against the rulebook: counts, not a ranking of mean lags."""
    bears = result.get("bear_markets") or {}
    episodes = bears.get("episodes") or []
    rulebook = "rulebook_realtime"
    if not episodes or rulebook not in episodes[0]["models"]:
        return []
    earlier = same = 0
    for episode in episodes:
        ours, theirs = (
            episode["models"][OURS]["lag_weeks"],
            episode["models"][rulebook]["lag_weeks"],
        )
        if ours is not None and (theirs is None or ours < theirs):
            earlier += 1
        elif ours == theirs:
            same += 1
    later = len(episodes) - earlier - same
    missed = result["models"][OURS]["detection"]["missed_episodes"]
    recall = result["models"][OURS]["recall"][RISK_OFF]
    return [
        f"Bear markets: regime called risk_off earlier than the real-time rulebook in {earlier} "
        f"of {len(episodes)}, at the same week in {same}, later (or never) in {later}; it "
        f"missed {missed}, and caught {recall:.0%} of risk_off weeks. With {len(episodes)} bear "
        "markets, these counts are the evidence; no interval is given for the mean lag."
    ]


def _ablation(result: dict[str, Any]) -> list[str]:
    variants = (result.get("ablation") or {}).get("variants") or []
    if not variants:
        return []
    verdicts = "; ".join(f"{v['name']}: {v['verdict']}" for v in variants)
    return [f"Macro families, each removed in turn (interval decides): {verdicts}."]


def _allocation(result: dict[str, Any]) -> list[str]:
    backtest = result.get("backtest") or {}
    strategies = backtest.get("strategies") or {}
    if not strategies:
        return []
    ours = next(iter(strategies))
    differences = backtest.get("sharpe_difference") or {}
    if differences:
        return [
            compared_sharpe(ours, strategies, name, found) for name, found in differences.items()
        ]
    sharpes = ", ".join(f"{name} {s['sharpe']:.2f}" for name, s in strategies.items())
    return [
        f"Allocation: Sharpe ratios {sharpes}. The evaluation gives no interval for their "
        "differences, so none is ranked above another."
    ]


def compared_sharpe(ours: str, strategies: dict[str, Any], name: str, found: dict[str, Any]) -> str:
    """Our strategy's Sharpe ratio against a benchmark's, with the bootstrap interval."""
    mine, theirs = strategies[ours]["sharpe"], strategies.get(name, {}).get("sharpe")
    against = name if theirs is None else f"{name} ({theirs:.2f})"
    interval = f"[{found['low']:+.2f}, {found['high']:+.2f}]"
    estimate = found.get("estimate", mine - (theirs or 0.0))
    where = f"the difference {estimate:+.2f} has a {found['confidence']:.0%} interval {interval}"
    if found["low"] <= 0 <= found["high"]:
        relation = "no better than" if estimate >= 0 else "no worse than"
        head = f"Allocation: {ours}'s Sharpe ratio ({mine:.2f}) is {relation} {against}"
        return f"{head}: {where}, which holds zero."
    relation = "higher" if estimate > 0 else "lower"
    return f"Allocation: {ours}'s Sharpe ratio ({mine:.2f}) is {relation} than {against}: {where}."
