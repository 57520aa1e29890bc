"""Staging: the submission's own files laid over the pristine tree.

Only the lab's files (the manifests' `files`, this lab's and earlier
labs', and any the manifest's [submission] allow_files lists) come from a
submission. Every other file comes from the pristine lab tree, whatever
the submission holds: editing a test, the test runner, the harness or
kernel_main() changes nothing. A lab file the submission lacks comes
from the lab's starting tree (its stub). Every such decision is kept in a
Stage, which the report shows as notes.
"""
import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .common import set_mode
from .submission import SKIP_ANYWHERE, Budget

SKIP_AT_TOP = {'build', '.grader'}


@dataclass
class Stage:
    """A staged tree and the notes on how it was made."""

    tree: Path
    filled: list = field(default_factory=list)      # lab files lacking, taken from the starting tree
    missing: list = field(default_factory=list)     # lab files lacking, and no starting copy
    flat: list = field(default_factory=list)        # found by name at the submission's top
    ignored: list = field(default_factory=list)     # changes outside the lab's files, not used
    taken: int = 0                                  # files taken from the lab tree


def submission_files(sub, budget):
    """{relative path: real path} of the files of a submission's tree."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(sub):
        rel_dir = Path(dirpath).relative_to(sub)
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_ANYWHERE and not
                             (str(rel_dir) == '.' and d in SKIP_AT_TOP) and
                             not (Path(dirpath) / d).is_symlink())
        for name in filenames:
            if name in SKIP_ANYWHERE or name.endswith('.pyc'):
                continue
            path = Path(dirpath) / name
            rel = str(rel_dir / name) if str(rel_dir) != '.' else name
            if path.is_symlink() and not path.is_file():
                continue                # a dangling link, or one to a directory
            budget.add(path.stat().st_size)
            found[rel] = path
    return found


def _digest(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 16), b''):
            h.update(chunk)
    return h.hexdigest()


def plan_stage(sub, pristine):
    """What the staged tree holds: ({rel: source path}, a Stage with the notes)."""
    info = Stage(None)
    have = submission_files(sub, Budget())
    graded = list(dict.fromkeys(pristine.lab_files + pristine.manifest.allow_files))
    want, flat_used = {}, set()
    for rel in graded:
        name = Path(rel).name
        if rel in have:
            want[rel] = have[rel]
        elif name in have and sum(Path(f).name == name for f in graded) == 1:
            want[rel] = have[name]          # a flat upload: "symbols.c" for kernel/boot/symbols.c
            info.flat.append(f'{name} -> {rel}')
            flat_used.add(name)
        elif (pristine.base / rel).is_file():
            want[rel] = pristine.base / rel
            info.filled.append(rel)
        elif rel in pristine.files:
            info.missing.append(rel)
    for rel, path in have.items():
        if rel in want or rel in flat_used:     # a flat upload's name has no '/'
            continue
        if rel not in pristine.files:
            info.ignored.append(f'{rel} (added)')
        elif _digest(path) != pristine.files[rel]:
            info.ignored.append(f'{rel} (edited)')
    for rel in pristine.files:
        if rel in want or rel.startswith('.grader/'):
            continue
        source = pristine.root / rel if pristine.is_protected(rel) else pristine.base / rel
        if source.is_file():
            want[rel] = source
            info.taken += 1
    return want, info


def make_stage(sub, pristine, tree):
    """Stage submission @sub into @tree, updating only what changed if it exists."""
    want, info = plan_stage(sub, pristine)
    info.tree = tree
    tree.mkdir(parents=True, exist_ok=True)
    for dirpath, dirnames, filenames in os.walk(tree, topdown=True):
        rel_dir = Path(dirpath).relative_to(tree)
        if str(rel_dir) == '.':
            dirnames[:] = [d for d in dirnames if d != 'build']
        for name in filenames:
            rel = str(rel_dir / name) if str(rel_dir) != '.' else name
            if rel not in want:
                (Path(dirpath) / name).unlink()
    for rel, src in want.items():
        dst = tree / rel
        if dst.is_file() and not dst.is_symlink() and _same_file(src, dst):
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        if dst.is_symlink() or dst.exists():
            dst.unlink()
        shutil.copyfile(src, dst)       # a new mtime, so make rebuilds what changed
        set_mode(dst, os.stat(src).st_mode)
    return info


def _same_file(a, b):
    sa, sb = os.stat(a), os.stat(b)
    if sa.st_size != sb.st_size:
        return False
    with open(a, 'rb') as fa, open(b, 'rb') as fb:
        return fa.read() == fb.read()
