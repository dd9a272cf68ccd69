"""``python -m sotbench`` entry point."""

import sys

from sotbench.cli import main

if __name__ == "__main__":
    sys.exit(main())
