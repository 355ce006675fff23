"""The scheduled job behind `regime run` (`run`) and the prediction history it keeps
(`history`)."""
