"""Build Backprop Lab as a one-folder desktop app for the OS this runs on, with PyInstaller.

    uv run --with pyinstaller python packaging/build.py            # build, then smoke-test
    uv run --with pyinstaller python packaging/build.py --dry-run  # show what it would do

The app lands in dist/backprop-lab/ (start dist/backprop-lab/backprop-lab, or backprop-lab.exe
on Windows); on macOS PyInstaller also wraps it as dist/backprop-lab.app. A build only runs on
the OS it was made on. PyInstaller is not a project dependency: ``--with`` puts it in a
throwaway environment beside the project's own.

One folder rather than one file: the one-file app unpacks ~220 MB to a temporary folder on
every start, which made it start three times slower here.
"""
from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "backprop-lab"
ENTRY = ROOT / "main.py"
RESOURCES = ROOT / "resources"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
# modules PyInstaller cannot see in an import statement: ``resources`` is only ever named in
# importlib.resources.files("resources") (the presets and the icon)
HIDDEN_IMPORTS = ("resources",)
# big packages nothing here imports that hooks would otherwise drag in
EXCLUDES = ("tkinter", "PyQt5", "PyQt6", "PySide2", "matplotlib", "IPython")
SMOKE_TIMEOUT_S = 120


def data_folders():
    """Every folder of data under resources/ (presets, icons, …): bundled as they are, at the
    same place relative to the ``resources`` package, so importlib.resources finds them."""
    return sorted(p for p in RESOURCES.iterdir()
                  if p.is_dir() and p.name != "__pycache__" and any(p.iterdir()))


def pyinstaller_args():
    """PyInstaller's command line. Paths are absolute: PyInstaller resolves --add-data
    relative to the spec file's folder (under build/), not to where it was started."""
    args = [str(ENTRY), "--name", NAME, "--onedir", "--windowed", "--noconfirm", "--clean",
            "--distpath", str(DIST), "--workpath", str(WORK), "--specpath", str(WORK),
            "--paths", str(ROOT)]
    for folder in data_folders():
        args += ["--add-data", f"{folder}{os.pathsep}{folder.relative_to(ROOT).as_posix()}"]
    for module in HIDDEN_IMPORTS:
        args += ["--hidden-import", module]
    for module in EXCLUDES:
        args += ["--exclude-module", module]
    return args


def built_executable():
    folder = DIST / NAME
    if sys.platform == "darwin":
        return DIST / f"{NAME}.app" / "Contents" / "MacOS" / NAME
    return folder / (f"{NAME}.exe" if sys.platform == "win32" else NAME)


def folder_size(path):
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def smoke_test(executable):
    """Start the built app off-screen, let it draw its window into a PNG and exit: proves the
    bundle has Qt's plugins, the presets and the icon. Returns the PNG's path."""
    png = Path(tempfile.mkdtemp(prefix=f"{NAME}-smoke-")) / "window.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    subprocess.run([str(executable), "--screenshot", str(png)], env=env, check=True,
                   timeout=SMOKE_TIMEOUT_S)
    if not png.is_file() or png.stat().st_size == 0:
        raise SystemExit(f"smoke test: {executable} wrote no screenshot")
    return png


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dry-run", action="store_true",
                   help="print the data folders and the PyInstaller command, build nothing")
    p.add_argument("--no-smoke-test", action="store_true",
                   help="do not start the built app off-screen afterwards")
    args = p.parse_args(argv)

    command = [sys.executable, "-m", "PyInstaller", *pyinstaller_args()]
    print("data folders:")
    for folder in data_folders():
        print(f"  {folder}")
    print("command:\n  " + shlex.join(command))
    if args.dry_run:
        return 0
    try:
        import PyInstaller  # noqa: F401  (only to give a helpful message when it is missing)
    except ImportError:
        print("PyInstaller is not installed here; run:\n"
              "  uv run --with pyinstaller python packaging/build.py", file=sys.stderr)
        return 2

    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True)
    seconds = time.perf_counter() - start
    executable = built_executable()
    print(f"built {executable} in {seconds:.0f} s; "
          f"{DIST / NAME} is {folder_size(DIST / NAME) / 1e6:.0f} MB")
    if not args.no_smoke_test:
        print(f"smoke test: the built app drew its window into {smoke_test(executable)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
