"""The report's macro panel: the recession nowcast since the 1970s, each macro family over the
last two years, the nowcast's record against its peers, and the pre-registered hypotheses of
macro's place in the regime call.

series (the saved evaluation's macro parts in pandas), charts (the PNGs), panel (the HTML of
the nowcast and the families), hypotheses (the HTML of H1-H4).
"""
