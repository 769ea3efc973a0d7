"""Files only CitySOC's own account may read, whatever the umask.

The SQLite database (and its WAL and SHM, which SQLite creates with the database's mode)
holds password hashes and every event; evidence, the spool and the state files (API token,
audit key, audit anchors) are as sensitive. They are created 0600 in folders 0700, with the
mode set explicitly after creation (``open``'s mode is filtered through the umask, so umask
000 would otherwise leave a world-writable file). Files and folders left readable by others
(by an older version, a restore or a copy) are tightened when CitySOC opens them, with a log
line saying what changed.
"""

import logging
import os
import stat
import threading
from pathlib import Path

__all__ = [
    "DIR_MODE",
    "FILE_MODE",
    "create_private",
    "open_private",
    "private_dir",
    "tighten",
    "tighten_tree",
    "write_private",
]

FILE_MODE = 0o600
DIR_MODE = 0o700
_OTHERS = 0o077  # group and other permission bits

log = logging.getLogger("citysoc.files")


def _shared_folder(path: Path, info: os.stat_result) -> bool:
    """Folders CitySOC must not narrow: not ours, shared with the sticky bit (like /tmp), the
    filesystem root or the user's home (a store placed there is the operator's choice)."""
    return (
        info.st_uid != os.geteuid()
        or bool(info.st_mode & stat.S_ISVTX)
        or path.resolve() in (Path("/"), Path.home().resolve())
    )


def tighten(path: Path) -> bool:
    """Remove group and other permissions from an existing file or folder of ours; True if
    anything changed (and logged). Missing paths and shared folders are left alone."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return False
    is_dir = stat.S_ISDIR(info.st_mode)
    if not info.st_mode & _OTHERS or (is_dir and _shared_folder(path, info)):
        return False
    before = stat.S_IMODE(info.st_mode)
    wanted = DIR_MODE if is_dir else FILE_MODE
    try:
        os.chmod(path, wanted)
    except PermissionError:  # someone else's file: say so, the owner has to fix it
        log.warning("%s is open to other users (%04o) and not ours to change", path, before)
        return False
    log.warning(
        "tightened permissions of %s from %04o to %04o (it was open to other users)",
        path,
        before,
        wanted,
    )
    return True


def private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents 0700, or tighten it if it exists."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:  # another process made it first
            continue
        os.chmod(folder, DIR_MODE)
    if not missing:
        tighten(path)
    return path


def open_private(path: Path, flags: int) -> int:
    """``os.open`` with ``O_CREAT``: a new file is 0600; an existing one is tightened."""
    fd = os.open(path, flags | os.O_CREAT, FILE_MODE)
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) != FILE_MODE:
            tighten(path)
            os.fchmod(fd, FILE_MODE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def create_private(path: Path) -> None:
    """Create an empty file 0600 if it does not exist; tighten it if it does (without
    opening it: the file may be one we may only read)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        tighten(path)
        return
    os.fchmod(fd, FILE_MODE)
    os.close(fd)


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically (temporary file 0600, fsync, rename)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    fd = open_private(temporary, os.O_WRONLY | os.O_TRUNC)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, path)


def tighten_tree(root: Path) -> int:
    """Tighten a folder CitySOC owns and everything under it; returns how many changed."""
    if not root.is_dir():
        return 0
    changed = int(tighten(root))
    for folder, folders, files in os.walk(root):
        base = Path(folder)
        changed += sum(tighten(base / name) for name in (*folders, *files))
    return changed
