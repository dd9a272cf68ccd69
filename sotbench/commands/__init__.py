"""Sub-commands of the ``sotbench`` CLI (one module each)."""
