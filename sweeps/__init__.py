"""Built-in sweep definitions (installed as package data ``sotbench._sweeps``)."""
