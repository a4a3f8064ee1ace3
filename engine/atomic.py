"""Atomic file writes: the new content goes to a temporary file in the same folder, is flushed
and fsynced, and replaces the target with one ``os.replace`` — so a reader (or a crash, or a full
disk) sees either the old file or the new one, never half of one. On any error the temporary file
is removed and the old file is left exactly as it was. Standard library only.
"""
from __future__ import annotations

import contextlib
import os
import tempfile

TEMP_SUFFIX = ".tmp"


def _target(path) -> str:
    """The real file behind ``path``: saving through a symbolic link updates the file it points
    to, and the link stays."""
    return os.path.realpath(os.fspath(path))


def _mode_for(target) -> int:
    """The permission bits the new file gets: the old file's, else what the umask allows."""
    try:
        return os.stat(target).st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _fsync_folder(folder):
    """Make the rename itself durable (POSIX); where folders cannot be opened, skip it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path):
    """Yield the name of a fresh temporary file next to ``path``; write it by name (for writers
    that want a file name, e.g. pyqtgraph's exporters). When the block ends without an error, the
    file is fsynced and replaces ``path``; on an error it is removed and ``path`` is unchanged."""
    target = _target(path)
    folder = os.path.dirname(target) or "."
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=TEMP_SUFFIX,
                               dir=folder)
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    _fsync_folder(folder)


def atomic_write(path, data: bytes | str, encoding="utf-8"):
    """Write ``data`` (bytes, or text in ``encoding``) to ``path`` atomically."""
    if isinstance(data, str):
        data = data.encode(encoding)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
