"""``main.py exercises LESSON …``: the sheet on stdout or in --output, the key in --answers, the
same bytes for the same seed; a bad argument is one line on stderr, exit code 2, and no file."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

from engine.exercises import Settings, make_exercises, parse_questions
from engine.lesson import load_preset, write_lesson
from engine.render import render
from gui import app

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_main_py_writes_the_sheet_and_the_key(tmp_path):
    """The real entry point, in a fresh process: a preset name, files written, nothing else."""
    sheet, key = tmp_path / "sheet.tex", tmp_path / "key.tex"
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "exercises", "notes_relu",
                        "--count", "3", "--seed", "7", "--format", "tex", "--output", str(sheet),
                        "--answers", str(key)], cwd=ROOT, capture_output=True, text=True,
                       timeout=120, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    es = make_exercises(load_preset("notes_relu"), Settings(count=3, seed=7),
                        source="notes_relu")
    assert sheet.read_text(encoding="utf-8") == render(es.sheet(), "tex")
    assert key.read_text(encoding="utf-8") == render(es.key(), "tex")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key.tex", "sheet.tex"]


def test_stdout_a_lesson_file_and_the_teachers_settings(tmp_path, capsys):
    lesson = load_preset("notes_linear")
    lesson.name = "My net"
    path = tmp_path / "mine.json"
    write_lesson(path, lesson)
    args = ["exercises", str(path), "--count", "2", "--seed", "5", "--weights", "-0.5", "0.5",
            "--inputs", "0.1", "0.9", "--decimals", "2", "--answer-decimals", "4",
            "--questions", "y5 L dL/dw35"]
    assert app.main(args) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lay = lesson.network.layout
    es = make_exercises(lesson, Settings(count=2, seed=5, weights=(-0.5, 0.5),
                                         inputs=(0.1, 0.9), decimals=2, answer_decimals=4,
                                         questions=parse_questions("y5 L dL/dw35", lay)))
    assert out == render(es.sheet(), "md")
    assert out.startswith("# My net — exercise sheet (seed 5)")
    assert app.main(args) == 0  # again: the same bytes
    assert capsys.readouterr().out == out
    assert app.main(args[:5] + ["6"] + args[6:]) == 0  # another seed: another sheet
    assert capsys.readouterr().out != out


@pytest.mark.parametrize("args, message", [
    (["--count", "0"], "count must be a whole number from 1 to 100, not 0"),
    (["--count", "x"], "argument --count: invalid int value: 'x'"),
    (["--format", "pdf"], "argument --format: invalid choice: 'pdf'"),
    (["--weights", "1"], "argument --weights: expected 2 arguments"),
    (["--weights", "1", "abc"], "--weights: “abc” is not a number"),
    (["--biases", "0.5", "-0.5"], "the biases range is empty"),
    (["--decimals", "3"], "decimals must be a whole number from 1 to 2"),
    (["--questions", "y1"], "question “y1”: neuron 1 is an input"),
    (["--weights", "-1", "-0.1", "--biases", "-1", "-0.1"], "no usable exercise 1 in 500 draws"),
    (["--output", "{dir}/missing/sheet.md"], "the folder"),
    (["--answers", "{dir}"], "is not a regular file (a folder)"),
    (["--output", "{dir}/same.md", "--answers", "{dir}/same.md"], "name the same file"),
    (["--output", ""], "--output needs a file name"),
])
def test_bad_arguments_are_one_line_exit_2_and_no_file(tmp_path, capsys, args, message):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    args = [a.replace("{dir}", str(out_dir)) for a in args]
    sheet = out_dir / "sheet.md"
    if "--output" not in args:
        args += ["--output", str(sheet)]
    code = app.main(["exercises", "notes_relu", *args])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("backprop-lab exercises: ")
    assert message in err, err
    assert list(out_dir.iterdir()) == []  # nothing written, not even a temporary


def test_a_missing_lesson_names_the_presets(capsys):
    assert app.main(["exercises", "no_such_lesson"]) == 2
    err = capsys.readouterr().err
    assert "no_such_lesson: no such file, and no preset of that name" in err
    assert "notes_relu" in err


def test_the_key_is_not_left_behind_when_the_sheet_cannot_be_written(tmp_path, capsys,
                                                                     monkeypatch):
    import engine.atomic

    key, sheet = tmp_path / "key.md", tmp_path / "sheet.md"
    real = engine.atomic.atomic_write

    def failing(path, data, encoding="utf-8"):
        if str(path) == str(sheet):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, data, encoding)

    monkeypatch.setattr(engine.atomic, "atomic_write", failing)
    code = app.main(["exercises", "xor", "--output", str(sheet), "--answers", str(key)])
    err = capsys.readouterr().err
    assert code == 2 and "Permission denied" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["md", "html", "tex"])
def test_the_samples_in_docs_are_what_the_command_makes(fmt):
    """docs/exercises/sample-{sheet,key}.*: `main.py exercises notes_relu --count 3 --seed 1
    --format FMT --output docs/exercises/sample-sheet.FMT --answers docs/exercises/sample-key.FMT`
    (run it again when the worked-step renderer changes)."""
    es = make_exercises(load_preset("notes_relu"), Settings(count=3, seed=1),
                        source="notes_relu")
    docs = ROOT / "docs" / "exercises"
    assert (docs / f"sample-sheet.{fmt}").read_text(encoding="utf-8") == render(es.sheet(), fmt)
    assert (docs / f"sample-key.{fmt}").read_text(encoding="utf-8") == render(es.key(), fmt)
