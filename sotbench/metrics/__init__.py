"""Metrics: per-frame values and per-sequence counts (``ope``, ``aggregate``, ``scoring``), each
toolkit's conventions as named profiles (``profile``, ``profiles``), VOT overlaps, EAO,
accuracy and robustness (``vot*``), result-file readers (``readers``, ``importers``), and the
metric table (``table``: labels, directions, curves) that every consumer reads."""
