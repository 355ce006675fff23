"""The Python API as another tool uses it: a script in another folder imports the installed
package, builds features, scores them, and asks for the current regime."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.prediction_contract import PREDICTION_KEYS

SCRIPT = textwrap.dedent(
    """
    import json
    from importlib.resources import files

    import pandas as pd

    import regime
    from regime import RegimeModel, RegimePrediction, build_features, load_market_data, load_model

    model = load_model()
    assert isinstance(model, RegimeModel)
    data = load_market_data(model.settings)
    features = build_features(data, model.settings)
    recent = features.tail(8)
    proba = model.predict_proba(recent)
    assert isinstance(proba, pd.DataFrame)
    assert proba.index.equals(recent.index)
    assert list(proba.columns) == model.classes_
    assert ((proba.sum(axis=1) - 1).abs() < 1e-9).all()
    assert set(model.feature_names) <= set(features.columns)

    prediction = model.predict_current()
    assert isinstance(prediction, RegimePrediction)
    print(json.dumps({
        "module": regime.__file__,
        "typed": files("regime").joinpath("py.typed").is_file(),
        "card_version": model.card["version"],
        "prediction": prediction.to_dict(),
    }))
    """
)


def test_another_tool_imports_regime_and_gets_a_typed_prediction(deployment, tmp_path):
    tool = tmp_path / "elsewhere"
    tool.mkdir()
    (tool / "tool.py").write_text(SCRIPT)

    result = subprocess.run(
        [sys.executable, "tool.py"],
        cwd=tool,
        env=deployment.env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert not out["module"].startswith(str(tool)) and out["typed"]
    prediction = out["prediction"]
    assert set(prediction) == PREDICTION_KEYS
    assert prediction["model"]["version"] == out["card_version"]
    assert prediction["regime"] in prediction["probabilities"]


def test_importing_regime_is_light_and_every_public_name_resolves():
    probe = textwrap.dedent(
        """
        import json, sys
        import regime
        light = sorted({m.split(".")[0] for m in sys.modules} & {"pandas", "sklearn", "pydantic"})
        names = {name: type(getattr(regime, name)).__name__ for name in regime.__all__}
        from regime import *  # noqa: F403
        print(json.dumps({"light": light, "names": names, "dir": sorted(dir(regime))}))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["light"] == []
    assert out["names"]["__version__"] == "str"
    assert out["names"]["load_model"] == "function" and out["names"]["Settings"] != "NoneType"
    assert set(out["names"]) <= set(out["dir"])
