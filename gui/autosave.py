"""Autosave and recovery: unsaved work survives a crash or a power cut.

While the document has unsaved changes (``window.files.is_modified()``) the lesson is written to
the user's data folder (``settings.data_folder()``) every ``INTERVAL_MS`` (when something changed
since the last write), when an exception is reported (``gui.crash``) and when the window is asked
to close — before the Save / Discard / Cancel prompt, so the work is on disk while the prompt
waits. Two files per window, both written atomically:

- ``autosave-<pid>.json``: the lesson with its history and step count, in the lesson file format
  (File ▸ Open reads it too);
- ``autosave-<pid>.info.json``: ``{"format": "backprop-lab-autosave", "version": 1, "saved":
  ISO time, "saved_epoch": seconds, "path": the document's file or null, "name": its name,
  "pid": …}``.

(A second window in the same process uses ``autosave-<pid>-2``, and so on.) They are removed when
nothing is unsaved any more (the document was saved, undone back to its saved state, or replaced
after Save / Discard) and when the window closes: closing has asked about unsaved changes, so
what is left was saved or discarded by the user's choice. They stay when the process ends
without closing the window: a crash, a kill, a power cut.

``offer_recovery(window)`` — ``main()`` calls it after the window exists, not with
``--screenshot`` — finds autosaves left by instances that no longer run (their process is gone,
or its number now belongs to a process that started after the autosave was written) and offers
each, newest first, through ``ask_recover`` ("Recover the unsaved lesson “…” from HH:MM?").
Recover loads the lesson, its history and step count as an unsaved document: the title shows
``*``; Save writes to the file it came from (unless that file changed after the autosave was
written: then it is Untitled and Save asks where); the old autosave is replaced by this window's
own. Discard removes it. Not Now (and, where no one can answer — the off-screen platforms —
always) keeps it for the next start. An autosave that cannot be read is removed and said in one
line in the status bar (and on stderr).
"""
from __future__ import annotations

import json
import math
import os
import re
import sys
import time
from dataclasses import dataclass
from datetime import datetime

import shiboken6
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox

from engine.atomic import atomic_write
from engine.lesson import LessonFileError, dumps_document, read_lesson, write_bytes

from . import file_actions
from . import settings as app_settings

INTERVAL_MS = 60_000  # between autosaves while there are unsaved changes (tests shorten it)
INFO_FORMAT = "backprop-lab-autosave"
INFO_VERSION = 1
APP_TITLE = "Backprop Lab"
_LESSON = re.compile(r"^(autosave-(\d+)(?:-\d+)?)\.json$")
_INFO = re.compile(r"^(autosave-(\d+)(?:-\d+)?)\.info\.json$")
_CLOCK_SLACK = 2.0  # s: process start times are known to about a second

_owned = set()  # stems that live Autosave objects of this process write


def paths_of(stem, folder):
    """(lesson file, sidecar) of the autosave ``stem`` in ``folder``."""
    return os.path.join(folder, stem + ".json"), os.path.join(folder, stem + ".info.json")


def _claim_stem():
    """A stem no window of this process writes and no file in the data folder has (one left by
    an earlier process with this process's number must stay to be offered)."""
    folder = app_settings.data_folder()
    base = f"autosave-{os.getpid()}"
    stem, n = base, 1
    while stem in _owned or (folder and any(map(os.path.lexists, paths_of(stem, folder)))):
        n += 1
        stem = f"{base}-{n}"
    _owned.add(stem)
    return stem


def _remove(*paths):
    for path in paths:
        try:
            os.remove(path)
        except OSError:
            pass


def _clock(epoch):
    """HH:MM, with the date when it is not today."""
    when = datetime.fromtimestamp(epoch)
    return f"{when:%H:%M}" if when.date() == datetime.now().date() else f"{when:%Y-%m-%d %H:%M}"


# -- one window's autosave -------------------------------------------------------------------------
class Autosave(QObject):
    """The autosave of one MainWindow (``window.autosave``); see the module's text."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.controller = c = window.controller
        self.files = window.files
        self.stem = _claim_stem()
        self.destroyed.connect(lambda *_, s=self.stem: _owned.discard(s))
        self.saved_at = None  # time.time() of the last autosave still on disk
        self._dirty = True    # something changed since the last autosave
        self._failure = None  # the last failure said in the status bar
        for signal in (c.changed, c.historyChanged, c.structureChanged):
            signal.connect(self._mark)
        for signal in (c.undo_stack.cleanChanged, c.trainingStateChanged, c.structureChanged):
            signal.connect(self._sync)
        window.close_guards.insert(0, self._before_close)  # before the unsaved-changes prompt
        window.close_hooks.append(self._closed)
        self.timer = QTimer(self, interval=INTERVAL_MS)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    @property
    def paths(self):
        """(lesson file, sidecar) of this window's autosave, or None without a data folder."""
        folder = app_settings.data_folder()
        return paths_of(self.stem, folder) if folder else None

    def tick(self):
        """The timer: write when there are unsaved changes not yet autosaved."""
        if getattr(self.controller, "viewing", None) is not None:
            return  # scrubbed back on the timeline: the next tick, once back at the latest step
        if self._dirty and self.files.is_modified():
            self.save_now()

    def save_now(self):
        """Write the autosave now. True when written; never raises (a failure is said once in
        the status bar, and the next tick tries again)."""
        try:
            c = self.controller
            lesson = c.to_lesson()
            history = c.history if c.history.n_steps else None
            try:
                data = dumps_document(lesson, history, c.step_count)
            except LessonFileError:
                if history is None:
                    raise
                data = dumps_document(lesson, None, c.step_count)  # too large with it
            paths = self.paths
            if paths is None:
                raise OSError("there is no data folder on this system")
            os.makedirs(os.path.dirname(paths[0]), exist_ok=True)
            write_bytes(paths[0], data)
            now = time.time()
            info = {"format": INFO_FORMAT, "version": INFO_VERSION,
                    "saved": datetime.fromtimestamp(now).astimezone().isoformat(),
                    "saved_epoch": now, "path": self.files.path,
                    "name": self.files.document_name(), "pid": os.getpid()}
            atomic_write(paths[1], json.dumps(info, ensure_ascii=False, indent=1) + "\n")
        except Exception as e:
            reason = str(e) if isinstance(e, (OSError, ValueError)) else (
                f"unexpected {type(e).__name__}: {e}")
            if reason != self._failure:
                self._failure = reason
                try:
                    self.window.show_message(f"Autosave failed: {reason}", True)
                except Exception:
                    pass
            return False
        self.saved_at, self._dirty, self._failure = now, False, None
        return True

    def save_if_modified(self):
        """Write the autosave now if there are unsaved changes (``gui.crash`` calls this when
        an exception is reported). True when written; never raises."""
        try:
            modified = self.files.is_modified()
        except Exception:
            return False
        return modified and self.save_now()

    def discard(self):
        """Remove this window's autosave (nothing unsaved, or the user chose so)."""
        paths = self.paths
        if paths is not None:
            _remove(*paths)
        self.saved_at, self._dirty = None, True

    def _mark(self, *_):
        self._dirty = True

    def _sync(self, *_):
        # signals also come while the window is being destroyed: then there is nothing to do
        c = self.controller
        if not (shiboken6.isValid(c) and shiboken6.isValid(c.undo_stack)):
            return
        if not self.files.is_modified():
            self.discard()

    def _before_close(self):
        if getattr(self.controller, "viewing", None) is not None:
            return  # scrubbed back on the timeline: the next tick, once back at the latest step
        if self._dirty and self.files.is_modified():
            self.save_now()
        return True  # never keeps the window open

    def _closed(self):
        self.timer.stop()
        self.discard()


def install(window):
    """Autosave ``window`` (a MainWindow with ``window.files``): ``window.autosave``."""
    window.autosave = Autosave(window)
    return window.autosave


# -- is the instance that wrote it still running? --------------------------------------------------
def pid_alive(pid):
    """Is there a process ``pid`` (other than a zombie)?"""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill would end the process there
        return _windows_process(pid)[0]
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().rsplit(b")", 1)[1].split()[0]
        return state != b"Z"
    except (OSError, IndexError):
        return True


def process_started(pid):
    """When process ``pid`` started (seconds since the epoch), or None where that is not known
    (only Linux and Windows tell)."""
    if os.name == "nt":
        return _windows_process(pid)[1]
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        ticks = int(fields[19])  # field 22, starttime, in clock ticks after boot
        with open("/proc/stat", "rb") as f:
            boot = next(int(line.split()[1]) for line in f if line.startswith(b"btime "))
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def _windows_process(pid):
    """(alive, start time or None) on Windows."""
    try:
        import ctypes
        from ctypes import wintypes
        k = ctypes.WinDLL("kernel32", use_last_error=True)
        k.OpenProcess.restype = wintypes.HANDLE
        k.OpenProcess.argtypes = (wintypes.DWORD, wintypes.BOOL, wintypes.DWORD)
        k.CloseHandle.argtypes = (wintypes.HANDLE,)
        handle = k.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.get_last_error() == 5, None  # access denied: it exists
        try:
            code = wintypes.DWORD()
            if k.GetExitCodeProcess(handle, ctypes.byref(code)) and code.value != 259:
                return False, None  # it has exited (259: STILL_ACTIVE)
            times = [wintypes.FILETIME() for _ in range(4)]
            if not k.GetProcessTimes(handle, *(ctypes.byref(t) for t in times)):
                return True, None
            t = times[0]
            return True, ((t.dwHighDateTime << 32) | t.dwLowDateTime) / 1e7 - 11_644_473_600
        finally:
            k.CloseHandle(handle)
    except Exception:
        return True, None  # unknown: leave it alone


def still_running(pid, saved_epoch):
    """Is the instance that wrote an autosave (process ``pid``, at ``saved_epoch``) running?
    Not when the process is gone, nor when ``pid`` is now a process that started after the
    autosave was written (numbers are reused, e.g. after a reboot), nor when it is this process's
    number but none of this process's windows writes that autosave."""
    if pid == os.getpid():
        return False
    if not pid_alive(pid):
        return False
    started = process_started(pid)
    return started is None or started <= saved_epoch + _CLOCK_SLACK


# -- finding and offering --------------------------------------------------------------------------
@dataclass
class Found:
    """An autosave left by an instance that no longer runs."""
    stem: str
    lesson_path: str
    info_path: str
    saved: float        # seconds since the epoch
    path: str | None    # the document's file, if it had one
    name: str | None    # the document's name, if the sidecar says

    def remove(self):
        folder = os.path.dirname(self.lesson_path)
        _remove(self.lesson_path, self.info_path)
        try:  # temporary files of a write the crash interrupted
            leftovers = [n for n in os.listdir(folder)
                         if n.startswith(f".{self.stem}.") and n.endswith(".tmp")]
        except OSError:
            leftovers = []
        _remove(*(os.path.join(folder, n) for n in leftovers))


def _read_info(path):
    """The sidecar as a dict of checked values ({} when missing or unreadable)."""
    try:
        with open(path, "rb") as f:
            d = json.loads(f.read(65536))
    except (OSError, ValueError):
        return {}
    if not isinstance(d, dict) or d.get("format") != INFO_FORMAT:
        return {}
    out = {}
    saved = d.get("saved_epoch")
    if isinstance(saved, (int, float)) and not isinstance(saved, bool) and math.isfinite(saved):
        out["saved"] = float(saved)
    for key in ("path", "name"):
        if isinstance(d.get(key), str) and d[key]:
            out[key] = d[key]
    return out


def stale_autosaves(folder=None):
    """The autosaves in ``folder`` (default: the data folder) whose instance no longer runs,
    newest first. A sidecar without its lesson file is removed on the way."""
    folder = folder or app_settings.data_folder()
    try:
        names = os.listdir(folder) if folder else []
    except OSError:
        return []
    stems = {}
    for name in names:
        m = _LESSON.match(name) or _INFO.match(name)
        if m and m.group(1) not in _owned:
            stems[m.group(1)] = int(m.group(2))
    found = []
    for stem, pid in stems.items():
        lesson_path, info_path = paths_of(stem, folder)
        info = _read_info(info_path)
        try:
            saved = info.get("saved") or os.path.getmtime(lesson_path)
        except OSError:  # a sidecar alone
            saved = None
        if saved is not None and still_running(pid, saved):
            continue
        if saved is None:
            if not still_running(pid, time.time()):
                _remove(info_path)
            continue
        found.append(Found(stem, lesson_path, info_path, saved, info.get("path"),
                           info.get("name")))
    found.sort(key=lambda f: f.saved, reverse=True)
    return found


def ask_recover(parent, name, when):
    """"recover", "discard" or "later" for the autosave of ``name`` written at ``when`` (text,
    e.g. "14:03"). Where no one can answer (off-screen platforms): "later", without blocking."""
    if not file_actions.interactive():
        return "later"
    box = QMessageBox(QMessageBox.Icon.Question, APP_TITLE,
                      f"Recover the unsaved lesson “{name}” from {when}?", parent=parent)
    box.setInformativeText("Backprop Lab stopped before these changes were saved. Recover opens "
                           "them as an unsaved document; Discard deletes them for good; Not Now "
                           "asks again at the next start.")
    recover = box.addButton("Recover", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    later = box.addButton("Not Now", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(recover)
    box.setEscapeButton(later)
    box.exec()
    return {recover: "recover", discard: "discard"}.get(box.clickedButton(), "later")


def _say(window, text, error=False):
    try:
        window.show_message(text, error)
    except Exception:
        pass


def offer_recovery(window, folder=None):
    """Offer the autosaves of instances that no longer run (see the module's text), newest
    first, until one is recovered or put off. Returns [(stem, outcome)] with outcome
    "recovered", "discarded", "later" or "unreadable". Never raises."""
    outcomes = []
    try:
        found = stale_autosaves(folder)
    except Exception:
        return outcomes
    for f in found:
        try:
            outcome = _offer(window, f)
        except Exception as e:  # a last guard: never a crash at start
            _say(window, f"The autosave from {_clock(f.saved)} could not be offered: "
                         f"{type(e).__name__}: {e}", True)
            outcome = "later"
        outcomes.append((f.stem, outcome))
        if outcome in ("recovered", "later"):
            break
    return outcomes


def _offer(window, f):
    when = _clock(f.saved)
    try:
        lesson, history, step_count = read_lesson(f.lesson_path)
    except Exception as e:  # LessonFileError (a ValueError), or a last guard
        reason = str(e) if isinstance(e, ValueError) else f"unexpected {type(e).__name__}: {e}"
        line = " ".join(f"The autosave from {when} could not be read ({reason}); it has been "
                        "removed.".split())
        _say(window, line, True)
        print(f"backprop-lab: {f.lesson_path}: {line}", file=sys.stderr)
        f.remove()
        return "unreadable"
    name = f.name or lesson.name or "Untitled"
    answer = ask_recover(window, name, when)
    if answer == "discard":
        f.remove()
        _say(window, f"Discarded the autosave of “{name}” from {when}.")
        return "discarded"
    if answer != "recover" or not window.files.maybe_save():
        return "later"
    # Save goes to the file it came from, unless that file changed after the autosave
    target = f.path
    try:
        if target and os.path.getmtime(target) > f.saved:
            target = None
    except OSError:
        pass  # gone or out of reach: Save writes it again (or says why it cannot)
    if target:
        window.files.open_document(target, lesson, history, step_count)
    else:
        window.controller.load_lesson(lesson, history, step_count)
    window.controller.undo_stack.resetClean()  # unsaved: the title shows *
    own = getattr(window, "autosave", None)
    if own is None or own.save_now():  # never a moment without a copy on disk
        f.remove()
    where = (f"Save (Ctrl+S) writes it to {target}" if target
             else "Save (Ctrl+S) asks where to keep it")
    _say(window, f"Recovered “{name}” as it was at {when}; not saved yet. {where}.")
    return "recovered"
