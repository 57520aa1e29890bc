"""Opening a submission: a directory, a tar archive or a zip file.

A submission is untrusted: an archive is unpacked member by member, and
one that leaves its directory (an absolute path, "../", a link pointing
outside, a write through a link) or is too large rejects the submission
rather than touching anything outside the scratch directory.
"""
import os
import re
import stat
import tarfile
import zipfile
from pathlib import Path

from .common import GradeError, set_mode

MAX_BYTES = 256 << 20          # what one submission may unpack to
MAX_FILES = 50000
SKIP_ANYWHERE = {'.git', '__pycache__', '__MACOSX', '.DS_Store'}


def _inside(root, path):
    """Is the real location of @path inside @root (both may hold links)?"""
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top + os.sep)


def _member_name(name):
    """A member's path relative to the archive's top; GradeError if it escapes."""
    if name.startswith('/') or re.match(r'^[A-Za-z]:', name) or '\\' in name:
        raise GradeError(f'archive member "{name}" has an absolute path; rejected')
    parts = [p for p in name.split('/') if p not in ('', '.')]
    if '..' in parts:
        raise GradeError(f'archive member "{name}" leaves the submission\'s directory '
                         f'("..") ; rejected')
    return '/'.join(parts)


def _link_target_ok(rel, target):
    if target.startswith('/'):
        return False
    joined = os.path.normpath(os.path.join(os.path.dirname(rel), target))
    return not (joined == '..' or joined.startswith('../'))


class Budget:
    """What a submission has taken so far: GradeError past MAX_FILES or MAX_BYTES."""

    def __init__(self):
        self.bytes = self.files = 0

    def add(self, size):
        """Count one more file of @size bytes."""
        self.files += 1
        if self.files > MAX_FILES:
            raise GradeError(f'the submission has more than {MAX_FILES} files')
        self.add_bytes(size)

    def add_bytes(self, size):
        """Count @size more bytes (of a file being written)."""
        self.bytes += size
        if self.bytes > MAX_BYTES:
            raise GradeError(f'the submission is larger than {MAX_BYTES >> 20} MiB')


def _write_member(dest, rel, src, mode, budget):
    target = dest / rel
    if not _inside(dest, target.parent) or target.is_symlink():
        raise GradeError(f'archive member "{rel}" would be written through a link; rejected')
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, 'wb') as out:
        while True:
            chunk = src.read(1 << 16)
            if not chunk:
                break
            budget.add_bytes(len(chunk))
            out.write(chunk)
    set_mode(target, mode)


def _make_link(dest, rel, target):
    if not _link_target_ok(rel, target):
        raise GradeError(f'archive member "{rel}" is a link to "{target}", outside the '
                         f'submission; rejected')
    path = dest / rel
    if not _inside(dest, path.parent):
        raise GradeError(f'archive member "{rel}" would be written through a link; rejected')
    if path.exists() or path.is_symlink():
        raise GradeError(f'archive member "{rel}" replaces another member; rejected')
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, path)


def _make_dir(dest, rel):
    if not _inside(dest, dest / rel):
        raise GradeError(f'archive member "{rel}" leaves the submission\'s directory through '
                         f'a link; rejected')
    (dest / rel).mkdir(parents=True, exist_ok=True)


def extract_tar(archive, dest):
    """Unpack tar @archive into @dest, member by member, safely."""
    budget, regular = Budget(), set()
    try:
        with tarfile.open(archive, 'r:*') as tf:
            for m in tf:
                rel = _member_name(m.name)
                if not rel:
                    continue
                budget.add(0)
                if m.isdir():
                    _make_dir(dest, rel)
                elif m.isreg():
                    _write_member(dest, rel, tf.extractfile(m), m.mode, budget)
                    regular.add(rel)
                elif m.issym():
                    _make_link(dest, rel, m.linkname)
                elif m.islnk():
                    target = _member_name(m.linkname)
                    if target not in regular:
                        raise GradeError(f'archive member "{rel}" is a hard link to '
                                         f'"{m.linkname}", not a file of the archive; rejected')
                    with open(dest / target, 'rb') as src:
                        _write_member(dest, rel, src, m.mode, budget)
                else:
                    raise GradeError(f'archive member "{rel}" is a device or a FIFO; rejected')
    except (tarfile.TarError, EOFError, OSError) as e:
        raise GradeError(f'cannot read the archive: {e}')


def extract_zip(archive, dest):
    """Unpack zip @archive into @dest, member by member, safely."""
    budget = Budget()
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                rel = _member_name(info.filename)
                if not rel:
                    continue
                budget.add(0)
                mode = info.external_attr >> 16
                if info.is_dir():
                    _make_dir(dest, rel)
                elif stat.S_ISLNK(mode):
                    _make_link(dest, rel, zf.read(info)[:4096].decode('utf-8', 'replace'))
                else:
                    with zf.open(info) as src:
                        _write_member(dest, rel, src, mode, budget)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, RuntimeError) as e:
        raise GradeError(f'cannot read the archive: {e}')


def check_links(root, what):
    """Every link under @root must lead to a place under @root."""
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            if p.is_symlink() and not _inside(root, p):
                rel = p.relative_to(root)
                raise GradeError(f'{what} "{rel}" is a link to "{os.readlink(p)}", outside '
                                 f'the submission; rejected')


def find_root(d):
    """The top of the tree in @d: descend through lone wrapping directories."""
    for _ in range(4):
        entries = [e for e in d.iterdir() if e.name not in SKIP_ANYWHERE]
        if (d / 'Makefile').exists() or (d / 'kernel').is_dir() or (d / 'arch').is_dir():
            return d
        if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
            d = entries[0]
        else:
            return d
    return d


def open_submission(path, scratch):
    """The tree of submission @path (unpacked into @scratch if an archive)."""
    p = Path(path)
    if not p.exists() and not p.is_symlink():
        raise GradeError(f'{path}: no such file or directory')
    if p.is_dir():
        check_links(p, 'file')
        return find_root(p)
    if not p.is_file():
        raise GradeError(f'{path}: not a directory, a tar archive or a zip file')
    dest = Path(scratch) / 'unpacked'
    dest.mkdir()
    if zipfile.is_zipfile(p):
        extract_zip(p, dest)
    elif _is_tar(p):
        extract_tar(p, dest)
    else:
        raise GradeError(f'{path}: not a directory, a tar archive (.tar, .tar.gz, .tgz, '
                         f'.tar.xz, .tar.bz2) or a zip file')
    check_links(dest, 'archive member')
    return find_root(dest)


def _is_tar(p):
    try:
        return tarfile.is_tarfile(p)
    except (OSError, tarfile.TarError):
        return False
