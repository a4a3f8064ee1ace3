"""Start-up: ``backprop-lab`` / ``python main.py [--preset NAME] [--steps N] [--screenshot FILE]``."""
from __future__ import annotations

import argparse
import os
import sys


def parse_args(argv):
    from engine.lesson import preset_names

    p = argparse.ArgumentParser(prog="backprop-lab",
                                description="Watch and touch backpropagation.")
    p.add_argument("--preset", choices=preset_names(), help="start with this preset")
    p.add_argument("--steps", type=int, default=0, help="train this many steps first")
    p.add_argument("--screenshot", metavar="FILE.png",
                   help="render the window off-screen to FILE.png and exit")
    return p.parse_args(argv)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["explain"]:  # a worked step as text; needs no window
        from engine.explain import main as explain_main
        return explain_main(argv[1:])
    args = parse_args(argv)
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from engine.lesson import load_preset

    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Backprop Lab")
    window = MainWindow(load_preset(args.preset) if args.preset else None)
    if args.steps:
        window.controller.run_steps(args.steps)
    window.show()
    if args.screenshot:
        for _ in range(3):  # let layouts settle and the plots' coalesced refresh run
            app.processEvents()
            QApplication.sendPostedEvents()
        from PySide6.QtCore import QEventLoop, QTimer
        loop = QEventLoop()
        QTimer.singleShot(200, loop.quit)
        loop.exec()
        ok = window.grab().save(args.screenshot)
        if not ok:
            print(f"backprop-lab: could not write {args.screenshot}", file=sys.stderr)
            return 1
        return 0
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
