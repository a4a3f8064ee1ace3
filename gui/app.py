"""Start-up: ``backprop-lab`` / ``python main.py [FILE.json] [--preset NAME] [--steps N]
[--screenshot FILE.png]``.

A lesson file given on the command line is read before any window exists; one that cannot be
opened (a FIFO or a device included: refused at once, never waited on) ends the program with exit
code 2 and one line on stderr, ``backprop-lab: FILE.json: <what is wrong>`` — never a traceback.
``--steps`` is 0 … ``MAX_STEPS`` and ``--screenshot`` needs a file name; anything else is a usage
error (exit code 2). ``--steps`` trains with the window up (Train N, with its progress bar), or,
with ``--screenshot``, before the picture is taken, with progress on stderr.

Once the application exists, an exception in a slot is reported in the window (``gui.crash``);
once the window is up, autosaves left by an instance that no longer runs are offered
(``gui.autosave``), except with ``--screenshot``.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

PROG = "backprop-lab"
EXIT_BAD_FILE = 2


def parse_args(argv):
    from engine.explain import MAX_STEPS
    from engine.lesson import preset_names

    p = argparse.ArgumentParser(prog=PROG, description="Watch and touch backpropagation.")
    p.add_argument("file", nargs="?", metavar="FILE.json", help="open this lesson file")
    p.add_argument("--preset", choices=preset_names(), help="start with this preset")
    p.add_argument("--steps", type=int, default=0, help="train this many steps first")
    p.add_argument("--screenshot", metavar="FILE.png",
                   help="render the window off-screen to FILE.png and exit")
    args = p.parse_args(argv)
    if args.file and args.preset:
        p.error("give a lesson file or --preset, not both")
    if not 0 <= args.steps <= MAX_STEPS:
        p.error(f"--steps must be from 0 to {MAX_STEPS:,}")
    if args.screenshot == "":
        p.error("--screenshot needs a file name")
    return args


class StderrProgress:
    """``progress(done, total)`` for a long run without a window: a line on stderr at most once
    a second, and one at the end (nothing for a run that ends within the first second)."""

    INTERVAL_S = 1.0

    def __init__(self, total, stream=None):
        self.stream = stream or sys.stderr
        self.started = self.last = time.monotonic()

    def __call__(self, done, total):
        now = time.monotonic()
        if now - self.last >= self.INTERVAL_S or (done >= total and self.last > self.started):
            self.last = now
            print(f"{PROG}: trained {done:,} of {total:,} steps", file=self.stream, flush=True)


def read_file_or_exit(path):
    """(lesson, history, step_count, stamp) from ``path`` (``stamp``: the ``FileStamp`` of the
    bytes read, so a later save can tell whether another program changed the file), or None after
    printing the one-line reason on stderr."""
    from engine.lesson import read_document

    try:
        return read_document(path)
    except Exception as e:  # LessonFileError, and a last guard: never a traceback
        reason = str(e) if isinstance(e, ValueError) else f"unexpected {type(e).__name__}: {e}"
        line = " ".join(f"{PROG}: {path}: {reason}".split())
        print(line, file=sys.stderr)
        return None


SETTLE_MS = 200  # the window's deferred work: plots' throttled redraws, Qt's dock tab bars


def settle(window, limit_s=10.0):
    """Let the window finish laying itself out, as a user would see it a moment after it
    appears: the canvas laid out for its shape (once resizing stops), then SETTLE_MS more."""
    import time

    from PySide6.QtCore import QEventLoop, QTimer

    def wait(ms):
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    wait(SETTLE_MS)
    end = time.monotonic() + limit_s
    while window.view.reshape_pending and time.monotonic() < end:
        wait(50)
    wait(SETTLE_MS)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["explain"]:  # a worked step as text; needs no window
        from engine.explain import main as explain_main
        return explain_main(argv[1:])
    if argv[:1] == ["exercises"]:  # an exercise sheet and its key as text; needs no window
        from engine.exercises import main as exercises_main
        return exercises_main(argv[1:])
    args = parse_args(argv)
    document = None
    if args.file:
        document = read_file_or_exit(args.file)
        if document is None:
            return EXIT_BAD_FILE
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from engine.lesson import load_preset

    from . import autosave, crash
    from .main_window import MainWindow
    from .settings import APPLICATION, ORGANIZATION

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APPLICATION)
    app.setOrganizationName(ORGANIZATION)  # the data folder: …/BackpropLab/Backprop Lab
    crash.install_excepthook()
    if document is not None:
        window = MainWindow(document[0])
        files = getattr(window, "files", None)
        if files is not None:  # the file's name in the title, the history, the step count
            files.open_document(args.file, *document)
        else:
            window.controller.load_lesson(*document[:3])
    else:
        window = MainWindow(load_preset(args.preset) if args.preset else None)
    if args.steps and args.screenshot:
        # the picture must show the trained state: train now, with a sign of life on stderr
        window.controller.run_steps(args.steps, progress=StderrProgress(args.steps))
    window.show()
    if args.screenshot:
        for _ in range(3):  # let layouts settle and the plots' coalesced refresh run
            app.processEvents()
            QApplication.sendPostedEvents()
        settle(window)
        ok = window.grab().save(args.screenshot)
        if not ok:
            print(f"{PROG}: could not write {args.screenshot}", file=sys.stderr)
            return 1
        return 0
    autosave.offer_recovery(window)
    if args.steps:  # with the window up: Train N at full speed, with its progress bar and Cancel
        window.controller.start_training(args.steps, fast=True)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
