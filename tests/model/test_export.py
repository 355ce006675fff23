"""The final model's fitted estimator, for other tools: scikit-learn's own tools work on it with
the real features, and `regime models export` writes it with joblib, atomically."""

from __future__ import annotations

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import TimeSeriesSplit, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.validation import check_is_fitted

from regime.constants import REGIMES
from regime.model.classifier import SplitGateClassifier
from regime.model.predict import RegimeModel, load_model
from regime.model.training_rows import Dataset, training_rows


@pytest.fixture(scope="module")
def committed() -> RegimeModel:
    return load_model()


@pytest.fixture(scope="module")
def rows(committed, embedded_data) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """The whole feature table, and the model's training rows (X, final labels)."""
    dataset = Dataset.build(embedded_data, committed.settings)
    X, y = training_rows(dataset, committed.settings)
    return dataset.features, X, y


def the_model_columns(features: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return features[columns]


def test_the_estimator_is_the_fitted_final_model(committed, rows):
    features, X, _ = rows
    estimator = committed.estimator

    assert isinstance(estimator, SplitGateClassifier)
    check_is_fitted(estimator)
    assert list(estimator.feature_names_in_) == committed.feature_names == list(X.columns)
    assert list(estimator.classes_) == sorted(REGIMES)
    np.testing.assert_array_equal(
        estimator.predict_proba(X), committed.predict_proba(features.loc[X.index]).to_numpy()
    )


def test_a_clone_has_the_same_settings_and_learns_afresh(committed, rows):
    _, X, y = rows
    fresh = clone(committed.estimator)

    assert fresh.get_params() == committed.estimator.get_params()
    with pytest.raises(NotFittedError):
        check_is_fitted(fresh)
    proba = fresh.fit(X, y.to_numpy()).predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (fresh.predict(X) == "risk_off").any()


def test_it_fits_in_a_pipeline_that_picks_its_columns_from_the_whole_table(committed, rows):
    features, X, y = rows
    pipeline = Pipeline(
        [
            (
                "columns",
                FunctionTransformer(
                    the_model_columns, kw_args={"columns": committed.feature_names}
                ),
            ),
            ("regime", clone(committed.estimator)),
        ]
    )
    assert features.shape[1] > X.shape[1]

    pipeline.fit(features.loc[y.index], y.to_numpy())

    np.testing.assert_array_equal(
        pipeline.predict_proba(features.loc[y.index]),
        clone(committed.estimator).fit(X, y.to_numpy()).predict_proba(X),
    )


def test_time_series_cross_validation_scores_every_fold(committed, rows):
    # Not an out-of-sample record: the estimator's settings were chosen on the whole span.
    _, X, y = rows
    scores = cross_val_score(
        committed.estimator,
        X,
        y.to_numpy(),
        cv=TimeSeriesSplit(n_splits=5),
        scoring="balanced_accuracy",
    )
    assert len(scores) == 5 and np.isfinite(scores).all()
    assert ((scores > 0.25) & (scores <= 1.0)).all()  # better than guessing among four


def test_export_writes_a_joblib_file_of_the_estimator(
    deployment, guarded, settings_of, rows, tmp_path
):
    _, X, _ = rows
    target = tmp_path / "out" / "regime.joblib"

    code, out, err = guarded(deployment, "models", "export", "--format", "joblib", str(target))

    assert code == 0, err
    assert f"to {target}" in out
    loaded = joblib.load(target)  # our own file, just written: the one safe kind to load
    active = load_model(settings=settings_of(deployment))
    np.testing.assert_array_equal(loaded.predict_proba(X), active.estimator.predict_proba(X))
    assert [p.name for p in target.parent.iterdir()] == ["regime.joblib"]  # no temporary left


@pytest.mark.parametrize(
    "make_target, arguments, exit_code, message",
    [
        (lambda tmp: tmp / "m.pkl", ["--format", "pickle"], 2, "unknown export format 'pickle'"),
        (lambda tmp: tmp, [], 1, "cannot write the estimator to"),  # a folder
        (lambda tmp: tmp / "file" / "m.joblib", [], 1, "cannot write the estimator to"),
    ],
)
def test_an_export_that_cannot_be_done_is_one_line(
    deployment, guarded, tmp_path, make_target, arguments, exit_code, message
):
    (tmp_path / "file").write_text("a file, not a folder")
    before = sorted(tmp_path.rglob("*"))

    code, out, err = guarded(deployment, "models", "export", *arguments, str(make_target(tmp_path)))

    assert code == exit_code
    assert err.startswith(f"error: {message}") and err.count("\n") == 1, err
    assert sorted(tmp_path.rglob("*")) == before  # nothing written, nothing left behind
