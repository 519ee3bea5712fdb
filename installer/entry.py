"""Frozen entry point: `sigilo` with no arguments opens the GUI, as a desktop icon expects."""

import sys

from desktop.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["gui"]))
