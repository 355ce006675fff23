"""The outlook judged: each forecast against climatology, persistence and the HMM's transitions,
with Brier skill, AUROC and reliability, and its ablation."""
