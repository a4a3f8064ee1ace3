"""The command line: ``python main.py FILE.json [--steps N] [--screenshot OUT.png]`` opens the file;
a file that cannot be opened (a FIFO or a device too, at once) exits with code 2 and one line on
stderr, never a traceback; ``--steps`` out of bounds and an empty ``--screenshot`` are usage
errors."""
import json
import os
import pathlib
import stat
import subprocess
import sys

import pytest

from engine.lesson import load_preset, write_lesson
from gui import app
from gui.main_window import MainWindow
from gui.style import fmt
from tests.gui.contract import fresh_pass
from tests.gui.files_helpers import isolated_settings  # noqa: F401 (fixture)

ROOT = pathlib.Path(__file__).resolve().parents[2]


def run(tmp_path, *args, timeout=120):
    """main.py in a fresh process, its settings (recent files) in tmp_path."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout)


def good_file(tmp_path):
    path = tmp_path / "good.json"
    write_lesson(path, load_preset("xor"), None, 4)
    return path


BAD = {
    "not_json.json": (b"{\"format\": \"backprop-lab\",", "the file is not valid JSON"),
    "future.json": (b'{"format": "backprop-lab", "version": 99}',
                    "version 99 is newer than this Backprop Lab reads (up to 2); update "
                    "Backprop Lab to open it"),
    "latin1.json": ('{"name": "caf\u00e9"}'.encode("latin-1"), "the file is not UTF-8 text"),
    "nan.json": (None, "network.weights.w35 must be a finite number, not nan"),
    "wrong_row.json": (None, "data.inputs[0] has 3 values, the network needs 2"),
    "missing.json": (None, "no such file"),
}


def make_bad(tmp_path, name):
    content, expected = BAD[name]
    path = tmp_path / name
    if name == "nan.json":
        text = json.dumps(json.loads(path.parent.joinpath("good.json").read_text("utf-8")))
        path.write_text(text.replace('"w35": 0.886062041929778', '"w35": NaN'), "utf-8")
        assert "NaN" in path.read_text("utf-8")
    elif name == "wrong_row.json":
        d = json.loads(path.parent.joinpath("good.json").read_text("utf-8"))
        d["data"]["inputs"][0].append(1.0)
        path.write_text(json.dumps(d), "utf-8")
    elif content is not None:
        path.write_bytes(content)
    return path, expected


@pytest.mark.parametrize("name", list(BAD))
def test_a_bad_file_exits_2_with_one_line(tmp_path, name):
    good_file(tmp_path)
    path, expected = make_bad(tmp_path, name)
    out = tmp_path / "out.png"
    r = run(tmp_path, path, "--screenshot", out)
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    assert "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(f"backprop-lab: {path}: ")
    assert expected in lines[0]
    assert not out.exists()


def test_a_folder_is_refused_in_process(tmp_path, capsys):
    assert app.main([str(tmp_path), "--screenshot", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert err == f"backprop-lab: {tmp_path}: this is a folder, not a file\n"


def test_unexpected_errors_still_give_one_line(tmp_path, capsys, monkeypatch):
    def boom(path):
        raise RuntimeError("something\nbroke")
    monkeypatch.setattr("engine.lesson.read_document", boom)
    assert app.read_file_or_exit("x.json") is None
    assert capsys.readouterr().err == "backprop-lab: x.json: unexpected RuntimeError: " \
                                      "something broke\n"


def test_a_good_file_opens_trains_and_screenshots(tmp_path):
    path = good_file(tmp_path)
    out = tmp_path / "shot.png"
    r = run(tmp_path, path, "--steps", "3", "--screenshot", out)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_window_shows_the_file(qtbot, tmp_path, monkeypatch, isolated_settings):
    """In process: the file's state, its name in the title, and --steps continuing from it."""
    path = good_file(tmp_path)
    made = []
    monkeypatch.setattr("gui.main_window.MainWindow.show",
                        lambda self: made.append(self) or qtbot.addWidget(self))
    monkeypatch.setattr("PySide6.QtWidgets.QApplication.exec", lambda *a: 0)
    assert app.main([str(path), "--steps", "2"]) == 0
    w, = made
    assert isinstance(w, MainWindow)
    # --steps trains with the window up, as Train N with its progress bar
    assert w.controller.training and not w.progress.isHidden()
    qtbot.waitUntil(lambda: not w.controller.training)
    assert w.controller.step_count == 6 and w.controller.lesson.name == "XOR"
    assert w.windowTitle() == "good.json[*] — Backprop Lab" and w.isWindowModified()
    assert w.files.path == str(path)


def test_a_file_and_a_preset_together_are_a_usage_error(tmp_path):
    r = run(tmp_path, good_file(tmp_path), "--preset", "xor")
    assert r.returncode == 2 and "not both" in r.stderr and "Traceback" not in r.stderr


# -- what the command line refuses at once ---------------------------------------------------------
def one_line(r):
    assert r.stdout == "" and "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    return lines[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this OS")
def test_a_fifo_is_refused_at_once_not_waited_on(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    # a start-up that waits for a writer would run into the timeout (TimeoutExpired fails)
    r = run(tmp_path, fifo, "--screenshot", tmp_path / "out.png", timeout=60)
    assert r.returncode == 2
    assert one_line(r) == (f"backprop-lab: {fifo}: this is a FIFO (named pipe), not a regular "
                           "file; only lesson files can be opened")
    r = run(tmp_path, "explain", fifo, timeout=60)
    assert r.returncode == 2
    assert one_line(r) == (f"backprop-lab explain: {fifo}: this is a FIFO (named pipe), not a "
                           "regular file; only lesson files can be opened")
    assert not (tmp_path / "out.png").exists()


def test_a_device_is_refused_in_process(tmp_path, capsys):
    if not os.path.exists(os.devnull) or not stat.S_ISCHR(os.stat(os.devnull).st_mode):
        pytest.skip("no character device at os.devnull")
    assert app.main([os.devnull, "--screenshot", str(tmp_path / "x.png")]) == 2
    assert capsys.readouterr().err == (f"backprop-lab: {os.devnull}: this is a character device, "
                                       "not a regular file; only lesson files can be opened\n")


def test_an_empty_screenshot_name_is_a_usage_error_and_opens_no_window(tmp_path):
    r = run(tmp_path, "--screenshot", "", timeout=60)  # a window would wait until the timeout
    assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr
    assert r.stderr.splitlines()[-1] == "backprop-lab: error: --screenshot needs a file name"


@pytest.mark.parametrize("steps", ["-1", "100000001", "1000000000000"])
def test_steps_out_of_bounds_are_a_usage_error(steps, capsys, monkeypatch):
    monkeypatch.setattr("gui.main_window.MainWindow.__init__",
                        lambda *a: pytest.fail("a window was made"))
    with pytest.raises(SystemExit) as e:
        app.main(["--preset", "xor", "--steps", steps])
    assert e.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == \
        "backprop-lab: error: --steps must be from 0 to 100,000,000"
    assert app.parse_args(["--steps", "100000000"]).steps == 100_000_000


def test_explain_steps_are_bounded_before_anything_is_allocated(capsys):
    preset = str(ROOT / "resources" / "presets" / "xor.json")
    assert app.main(["explain", preset, "--steps", "1000000000000"]) == 2
    assert capsys.readouterr() == ("", "backprop-lab explain: --steps must be from 0 to "
                                       "100,000,000\n")


def test_a_file_opened_from_the_command_line_is_guarded_against_other_programs(
        qtbot, tmp_path, monkeypatch, isolated_settings):
    from gui import file_actions

    path = good_file(tmp_path)
    made, asked = [], []
    monkeypatch.setattr("gui.main_window.MainWindow.show",
                        lambda self: made.append(self) or qtbot.addWidget(self))
    monkeypatch.setattr("PySide6.QtWidgets.QApplication.exec", lambda *a: 0)
    monkeypatch.setattr(file_actions, "ask_overwrite_changed",
                        lambda parent, name: asked.append(name) or False)
    assert app.main([str(path)]) == 0
    w, = made
    theirs = path.read_bytes().replace(b'"XOR"', b'"ROX"')
    path.write_bytes(theirs)  # another program, after we read the file
    w.controller.step()
    w.files.actionSave.trigger()
    assert asked == ["good.json"] and path.read_bytes() == theirs
    assert w.isWindowModified()


def test_steps_in_the_window_the_command_line_and_a_reopened_save_show_the_same(
        qtbot, tmp_path, monkeypatch, isolated_settings):
    """Three Steps pressed in the window, ``--steps 3`` (with the window up, and for a
    screenshot) and that lesson saved and opened again: the same step, the same L, the same
    parameters — L is the loss at the parameters shown, whichever way they were reached."""
    made = []
    monkeypatch.setattr("gui.main_window.MainWindow.show",
                        lambda self: made.append(self) or qtbot.addWidget(self))
    monkeypatch.setattr("PySide6.QtWidgets.QApplication.exec", lambda *a: 0)

    def shown(w):
        return (w.step_label.text(), w.loss_label.text(), w.network.theta.tobytes())

    assert app.main(["--preset", "notes_relu"]) == 0
    pressed = made[-1]
    for _ in range(3):
        pressed.actionStep.trigger()  # the Step button (the window is not shown here)
    assert app.main(["--preset", "notes_relu", "--steps", "3"]) == 0
    trained = made[-1]
    qtbot.waitUntil(lambda: not trained.controller.training)
    assert app.main(["--preset", "notes_relu", "--steps", "3", "--screenshot",
                     str(tmp_path / "shot.png")]) == 0
    pictured = made[-1]
    path = tmp_path / "three.json"
    assert pressed.files.save_as(str(path))
    assert app.main([str(path)]) == 0
    reopened = made[-1]
    loss = fresh_pass(pressed.controller)[0].loss
    assert shown(pressed)[:2] == ("step 3", f"L = {fmt(loss, 6)}")
    assert shown(trained) == shown(pressed)
    assert shown(pictured) == shown(pressed)
    assert shown(reopened) == shown(pressed)


def test_the_screenshot_shows_the_window_settled(qtbot, tmp_path, monkeypatch):
    """--screenshot waits until the window has laid itself out: the canvas drawn for its shape,
    and no tab bar of a closed panel left over the plots (the closed Script panel's "Inspector |
    Script" bar was in the picture, gone a moment later)."""
    from PySide6.QtWidgets import QTabBar

    seen = {}
    grab, show = MainWindow.grab, MainWindow.show

    def closed_after_the_test(window):
        # shown for real, and closed at the end: a window left on the screen would take the
        # mouse from the windows of later tests in this process
        qtbot.addWidget(window)
        show(window)

    def looking_grab(window, *args):
        seen["reshape_pending"] = window.view.reshape_pending
        seen["tabs"] = [[bar.tabText(i) for i in range(bar.count())]
                        for bar in window.findChildren(QTabBar)
                        if bar.isVisible() and window.rect().intersects(bar.geometry())]
        return grab(window, *args)

    monkeypatch.setattr(MainWindow, "grab", looking_grab)
    monkeypatch.setattr(MainWindow, "show", closed_after_the_test)
    assert app.main(["--screenshot", str(tmp_path / "x.png")]) == 0
    assert (tmp_path / "x.png").stat().st_size > 0
    assert seen["reshape_pending"] is False
    assert seen["tabs"] and not any("Script" in tabs for tabs in seen["tabs"]), seen["tabs"]
