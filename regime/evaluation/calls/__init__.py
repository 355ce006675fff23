"""The regime call judged: every model's scores over the whole span, each sub-period and each
bear market, the comparison with the best peer, the ablation of the macro families."""
