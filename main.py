"""Backprop Lab: ``python main.py`` opens the window (see ``--help``)."""
import sys

from gui.app import main

if __name__ == "__main__":
    sys.exit(main())
