"""`regime fetch` shows no third-party warnings: a stand-in `yfinance` package that behaves as
the real one does (on import it asks for its own DeprecationWarnings to be shown; its download
trips a pandas deprecation) is put first on the path of a real `regime fetch` process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.sources import fakes_fred

REPO = Path(__file__).resolve().parents[2]

FAKE_YFINANCE = """
import warnings

import pandas.errors

# pandas 3 names the deprecations due in pandas 4; older pandas raises plain DeprecationWarnings.
Pandas4Warning = getattr(pandas.errors, "Pandas4Warning", DeprecationWarning)

# As yfinance/__init__.py does, placing this filter first in line.
warnings.filterwarnings("default", category=DeprecationWarning, module="^yfinance")


def download(tickers, **kwargs):
    # pandas attributes its deprecations to the first frame outside pandas: this module.
    warnings.warn("a pandas 3 deprecation inside yfinance", Pandas4Warning, stacklevel=1)
    warnings.warn("a pandas future change inside yfinance", FutureWarning, stacklevel=1)
    from tests.sources.fakes_fred import yfinance_frame

    return yfinance_frame(tickers, kwargs.get("start"))
"""


def test_fetch_from_yahoo_prints_its_summary_and_no_yfinance_warning(tmp_path):
    fake = tmp_path / "fake-packages" / "yfinance"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(FAKE_YFINANCE)
    # Without yfinance_cache, nothing imports yfinance before the download does (the default).
    config = fakes_fred.write_config(tmp_path, yfinance_cache=None)
    env = {k: v for k, v in os.environ.items() if k != "FRED_API_KEY"}
    env["PYTHONPATH"] = os.pathsep.join([str(fake.parent), str(REPO)])

    done = subprocess.run(
        [sys.executable, "-c", "from regime.cli import main; main()"]
        + ["fetch", "--series", "^RUT", "--config", str(config)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("^RUT: ")
    assert done.stderr == ""
