"""The recession nowcast judged against NBER months and its peers, and the pre-registered tests
of macro's place in the regime call (their saved run and its fingerprint)."""
