"""The weekly feature table, point in time: when each observation became public
(`publication`) and the features built from what was public on each Friday (`table`)."""
