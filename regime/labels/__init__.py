"""Hindsight labels: the regime each past week was in, as the full price history shows it.

Only training and evaluation import this package; prediction never does.
"""
