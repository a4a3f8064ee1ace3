"""The engine is NumPy only: no Qt, no plotting, nothing from the GUI package."""
import ast
import pathlib
import subprocess
import sys

import pytest

ENGINE = pathlib.Path(__file__).resolve().parents[2] / "engine"
FORBIDDEN = ("PySide6", "pyqtgraph", "shiboken6", "PyQt", "gui")


def forbidden(module):
    top = module.split(".")[0]
    return top.startswith("PyQt") or top in FORBIDDEN


def imported_modules(tree):
    """Every module an engine file imports: import/from statements (relative ones resolved
    against the engine package) and __import__ / importlib.import_module with a literal name."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                yield node.lineno, node.module or ""
            elif node.level >= 2:  # from .. import x: leaves the engine package
                base = node.module or ""
                for alias in node.names:
                    yield node.lineno, base or alias.name
        elif isinstance(node, ast.Call):
            f = node.func
            name = (f.id if isinstance(f, ast.Name)
                    else f.attr if isinstance(f, ast.Attribute) else "")
            if name in ("__import__", "import_module") and node.args and isinstance(
                    node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                yield node.lineno, node.args[0].value


def engine_files():
    files = sorted(ENGINE.glob("*.py"))
    assert files, f"no engine sources found in {ENGINE}"
    assert ENGINE / "network.py" in files
    return files


@pytest.mark.parametrize("path", engine_files(), ids=lambda p: p.name)
def test_engine_source_imports_no_gui_toolkit(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = [(line, mod) for line, mod in imported_modules(tree) if forbidden(mod)]
    assert bad == [], f"{path.name} imports GUI modules: {bad}"


def test_the_import_scanner_catches_what_it_should():
    """Guards the scanner above against silently matching nothing."""
    src = ("import PySide6.QtCore\nfrom pyqtgraph import PlotWidget\nimport shiboken6\n"
           "from PyQt5 import QtWidgets\nfrom gui.app import main\nfrom ..gui import canvas\n"
           "importlib.import_module('PySide6.QtGui')\nimport numpy\nfrom .losses import get_loss\n")
    found = [mod for _, mod in imported_modules(ast.parse(src)) if forbidden(mod)]
    assert found == ["PySide6.QtCore", "pyqtgraph", "shiboken6", "PyQt5", "gui.app", "gui",
                     "PySide6.QtGui"]


def test_importing_engine_loads_no_qt_or_pyqtgraph():
    code = ("import engine, sys; "
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph', 'shiboken6', "
            "'PyQt')) or m.split('.')[0] == 'gui']; "
            "assert not bad, bad; "
            "engine.Network([2, 2, 3]).forward([0.6, -0.4])")
    result = subprocess.run([sys.executable, "-c", code], cwd=ENGINE.parent,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
