"""sotbench: evaluate and tune single-object visual trackers on the standard benchmarks."""

__version__ = "0.1.0"
