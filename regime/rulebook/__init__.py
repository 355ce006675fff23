"""The label rulebook: bull and bear dating, and the four regimes it defines.

Shared by both readings of the rules: the features read them week by week with only the prices
known then (`rules.realtime_state`), the hindsight labels (`regime.labels`) with every price.
"""
