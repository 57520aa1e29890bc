"""The pristine tree: the tests, harness, manifest and build files a
submission is graded with, whatever copies of them it carries.

In a student tree that is .grader/ (written by scripts/mklab); in Keel's
source tree the lab is cut afresh, so a regrade after fixing a test uses
the fixed test. The harness is loaded from the pristine tree too.
"""
from dataclasses import dataclass
from pathlib import Path

from .common import ROOT, GradeError, load_source
from .manifest import Manifest, load_manifest


@dataclass
class Pristine:
    """The tree a submission is graded against, and what it protects."""

    root: Path              # the protected files, LAB, PROTECTED, FILES
    base: Path              # the lab's starting tree (files a submission lacks), or None
    manifest: Manifest
    protected: list
    files: dict             # path -> sha256, the starting tree's files
    lab_files: list = None  # the files students write in, this lab's and earlier ones'
    harness: object = None

    def is_protected(self, rel):
        return any(rel.startswith(p) if p.endswith('/') else rel == p for p in self.protected)


def find_pristine(args, tmp):
    """The pristine tree for --lab N, cutting one if this is Keel's source tree."""
    lab, base = args.lab, None
    if args.pristine:
        root = Path(args.pristine).resolve()
        if (root / '.grader' / 'LAB').is_file():
            root, base = root / '.grader', root
        elif not (root / 'LAB').is_file():
            raise GradeError(f'--pristine {args.pristine}: not a lab tree (no .grader/LAB)', 2)
    elif (ROOT / 'LAB').is_file():
        root = ROOT
    elif (ROOT / '.grader' / 'LAB').is_file():
        root = ROOT / '.grader'
    elif (ROOT / 'scripts' / 'mklab').is_file():
        root, base = cut_pristine(lab, tmp)
    else:
        raise GradeError(f'{ROOT} is neither Keel\'s source tree nor a lab tree: a lab tree '
                         f'keeps the grader\'s pristine files in .grader/ (if you deleted it, '
                         f'restore it: git checkout -- .grader)', 2)
    if args.base:
        base = Path(args.base).resolve()
    if base is None:
        base = root     # .grader/ holds the whole starting tree
    have = int((root / 'LAB').read_text().strip())
    if have != lab:
        raise GradeError(f'this tree is for lab {have} ({root / "LAB"}); it cannot grade '
                         f'lab {lab}', 2)
    manifests = sorted((root / 'labs').glob(f'{lab:02d}-*/manifest.toml'))
    if not manifests:
        raise GradeError(f'{root}: no labs/{lab:02d}-*/manifest.toml', 2)
    files = {}
    for line in (root / 'FILES').read_text().splitlines():
        digest, _, rel = line.partition('  ')
        files[rel] = digest
    protected = [p for p in (root / 'PROTECTED').read_text().split() if p]
    p = Pristine(root, base, load_manifest(manifests[0]), protected, files)
    # Once each: parts may share a file (a flat upload is matched by name).
    p.lab_files = list(dict.fromkeys(
        f for n in range(lab + 1)
        for path in sorted((root / 'labs').glob(f'{n:02d}-*/manifest.toml'))
        for part in load_manifest(path).parts for f in part.files))
    p.harness = load_harness(root)
    return p


def cut_pristine(lab, tmp):
    """Cut lab @lab's student tree into @tmp: (its .grader/, the tree)."""
    mklab = load_source('keel_mklab', ROOT / 'scripts' / 'mklab')
    dest = Path(tmp) / 'pristine'
    try:
        mklab.cut(ROOT, lab, dest, 'student', quiet=True)
    except mklab.CutError as e:
        raise GradeError(f'cannot cut lab {lab}: {e}', 2)
    return dest / '.grader', dest


def load_harness(root):
    """The pristine tree's tests/harness/keelharness.py, as a module."""
    return load_source('keelharness_pristine', root / 'tests' / 'harness' / 'keelharness.py')
