"""Safe file writes: the new content goes to a temporary file in the same folder, is flushed and
fsynced, and replaces the target with one ``os.replace`` — so a reader (or a crash, or a full
disk) sees either the old file or the new one, never half of one. On any error the temporary file
is removed and the old file is left exactly as it was.

Only regular files are replaced: a target that exists and is a device, a FIFO, a socket or a
folder is refused (``NotRegularFileError``) before anything is written, so saving onto
``/dev/null`` never turns it into a file. A process killed half-way through a save can leave its
temporary ``.NAME.XXXXXXXX.tmp`` beside the target; ``remove_stale_temporaries`` (run before every
write) removes exactly those, once they are old enough that no live writer can still be using
them. ``FileStamp`` remembers what a file held (modification time, size, a hash of its bytes), so
a caller can tell whether another program changed it since (by size and bytes; the time is kept
for information). Standard library only.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tempfile
import time
from dataclasses import dataclass

TEMP_SUFFIX = ".tmp"
#: the random part ``tempfile.mkstemp`` puts in a name: 8 characters of this alphabet
_TEMP_RANDOM = "[a-z0-9_]{8}"
#: a temporary file not written to for this long belongs to no live writer (a save renames its
#: temporary file within moments of its last write: only the fsync lies between)
STALE_SECONDS = 60.0

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISSOCK, "a socket"))


class NotRegularFileError(OSError):
    """The target exists and is not a regular file; the message is one line without the file's
    name, e.g. ``is not a regular file (a character device); choose another name``."""


def file_kind(mode) -> str:
    """What ``st_mode`` describes, for messages: "a folder", "a character device", "a block
    device", "a FIFO (named pipe)", "a socket", "a regular file" or "a special file"."""
    if stat.S_ISREG(mode):
        return "a regular file"
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def _target(path) -> str:
    """The real file behind ``path``: saving through a symbolic link updates the file it points
    to, and the link stays."""
    return os.path.realpath(os.fspath(path))


def check_regular_target(path):
    """Raise ``NotRegularFileError`` when ``path`` (through any symbolic links) exists and is not
    a regular file. A path that does not exist yet is fine: saving creates it."""
    try:
        mode = os.stat(_target(path)).st_mode
    except OSError:
        return  # missing (or unreachable: the write itself then says why)
    if not stat.S_ISREG(mode):
        raise NotRegularFileError(f"is not a regular file ({file_kind(mode)}); "
                                  "choose another name")


def is_read_only(path) -> bool:
    """True when the existing file at ``path`` has no write permission bits, or this process may
    not write it. Mode bits count even for root, who may write anything."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return not st.st_mode & 0o222 or not os.access(path, os.W_OK)


def is_stale_temporary(name, target_name) -> bool:
    """Is ``name`` (a file name in the target's folder) one of our temporaries for the file
    called ``target_name``: exactly ``.{target_name}.XXXXXXXX.tmp``?"""
    pattern = re.escape(f".{target_name}.") + _TEMP_RANDOM + re.escape(TEMP_SUFFIX)
    return re.fullmatch(pattern, name) is not None


def remove_stale_temporaries(path, older_than=STALE_SECONDS) -> list[str]:
    """Remove the temporaries a killed save left beside ``path`` (through symbolic links, beside
    the real file): regular files named exactly like ours for this file, last modified more than
    ``older_than`` seconds ago. Nothing else is touched; errors are ignored (this is tidying).
    Returns the names removed."""
    target = _target(path)
    folder, base = os.path.dirname(target) or ".", os.path.basename(target)
    removed = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not is_stale_temporary(entry.name, base):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) or now - st.st_mtime < older_than:
                continue
            os.remove(entry.path)
        except OSError:
            continue
        removed.append(entry.name)
    return removed


@dataclass(frozen=True)
class FileStamp:
    """What a file held when we last read or wrote it: ``mtime_ns``, ``size`` and the SHA-256 of
    its bytes."""

    mtime_ns: int
    size: int
    sha256: str

    @classmethod
    def of(cls, st, data: bytes) -> FileStamp:
        """The stamp of ``data`` read from (or written to) a file whose ``os.stat`` is ``st``."""
        return cls(st.st_mtime_ns, st.st_size, hashlib.sha256(data).hexdigest())

    def matches(self, st, read) -> bool:
        """Does the file whose stat is ``st`` still hold what this stamp saw? Another size: no.
        Otherwise ``read()`` (the file's bytes, or None when they cannot be read) decides, even
        when the time is the same: file times can be coarser than the time between two writes
        (a few milliseconds on Linux, 2 s on FAT). A file touched, or rewritten with the same
        bytes, is unchanged."""
        if st.st_size != self.size:
            return False
        data = read()
        return data is not None and hashlib.sha256(data).hexdigest() == self.sha256


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
    file is fsynced and replaces ``path``; on an error it is removed and ``path`` is unchanged.
    ``NotRegularFileError`` (before anything is written) when ``path`` exists and is not a
    regular file."""
    target = _target(path)
    check_regular_target(target)
    folder = os.path.dirname(target) or "."
    remove_stale_temporaries(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=TEMP_SUFFIX,
                               dir=folder)
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _mode_for(target))
        check_regular_target(target)  # it may have been swapped while the data was written
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
