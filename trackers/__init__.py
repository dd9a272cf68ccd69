"""Built-in tracker presets (installed as package data ``sotbench._presets``)."""
