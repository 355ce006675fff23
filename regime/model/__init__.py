"""The model: the estimator and its calibration, the training rows, walk-forward refits,
training and prediction, and the saved versions (artifact and card, registry).

`predict` loads a saved model and answers from point-in-time features only; it never imports
`regime.labels`.
"""
