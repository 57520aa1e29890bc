"""The lab manifest: labs/NN-name/manifest.toml, read and checked.

It says what is graded and for how many points (docs/labs.md describes
the format). The checks are strict (unknown keys, duplicate ids, tests in
undeclared parts) so a manifest error shows when the lab is written, not
when a class is graded. scripts/mklab reads manifests with this module too
(through scripts/grade's load_manifest).
"""
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .common import GradeError


@dataclass
class Part:
    """A part of the lab: what students write (files), graded by its tests."""

    id: str
    title: str
    files: list


@dataclass
class Test:
    """A graded in-kernel test (slice.suite.case) and its points."""

    id: str
    part: str
    points: float
    timeout: float


@dataclass
class Manifest:
    """A lab's manifest, checked."""

    path: Path
    lab: int
    slice: str
    title: str
    handout: str
    profile: str
    build_timeout: float
    parts: list
    tests: list
    allow_files: list = field(default_factory=list)    # more files a submission may supply
    allow_symbols: list = field(default_factory=list)  # more symbols lab code may call
    allow_instructions: list = field(default_factory=list)  # more privileged instructions

    @property
    def max_score(self):
        return sum(t.points for t in self.tests)

    def part(self, pid):
        return next(p for p in self.parts if p.id == pid)


def _keys(table, allowed, where):
    """GradeError if @table has a key outside @allowed."""
    unknown = set(table) - set(allowed)
    if unknown:
        raise GradeError(f'{where}: unknown key(s) {", ".join(sorted(unknown))}; '
                         f'known: {", ".join(allowed)}', 2)


def _need(table, key, kind, where):
    """The value of @key in @table if it is a @kind, else GradeError."""
    value = table.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        what = {str: 'a string', int: 'an integer'}.get(kind, 'a number')
        raise GradeError(f'{where}: "{key}" must be {what}', 2)
    return value


def load_manifest(path):
    """Read and check a lab manifest (docs/labs.md describes the format)."""
    path = Path(path)
    try:
        with open(path, 'rb') as f:
            m = tomllib.load(f)
    except OSError as e:
        raise GradeError(f'cannot read the manifest: {e}', 2)
    except tomllib.TOMLDecodeError as e:
        raise GradeError(f'{path}: {e}', 2)
    where = str(path)
    _keys(m, ['lab', 'slice', 'title', 'handout', 'build', 'test', 'parts', 'tests',
              'submission'], where)
    build, test, sub = m.get('build', {}), m.get('test', {}), m.get('submission', {})
    _keys(sub, ['allow_files', 'allow_symbols', 'allow_instructions'], f'{where} [submission]')
    _keys(build, ['profile', 'timeout'], f'{where} [build]')
    _keys(test, ['timeout'], f'{where} [test]')
    default_timeout = test.get('timeout', 30)
    parts = []
    for i, p in enumerate(m.get('parts', [])):
        w = f'{where} parts[{i}]'
        _keys(p, ['id', 'title', 'files'], w)
        parts.append(Part(_need(p, 'id', str, w), _need(p, 'title', str, w),
                          list(p.get('files', []))))
    tests = []
    for i, t in enumerate(m.get('tests', [])):
        w = f'{where} tests[{i}]'
        _keys(t, ['id', 'part', 'points', 'timeout'], w)
        tid = _need(t, 'id', str, w)
        if not re.fullmatch(r'[\w-]+\.[\w-]+\.[\w-]+', tid):
            raise GradeError(f'{w}: id "{tid}" is not slice.suite.case', 2)
        tests.append(Test(tid, _need(t, 'part', str, w), _need(t, 'points', (int, float), w),
                          t.get('timeout', default_timeout)))
    manifest = Manifest(path, _need(m, 'lab', int, where), _need(m, 'slice', str, where),
                        _need(m, 'title', str, where), m.get('handout', 'handout.rst'),
                        build.get('profile', 'dev'), build.get('timeout', 300), parts, tests,
                        list(sub.get('allow_files', [])), list(sub.get('allow_symbols', [])),
                        list(sub.get('allow_instructions', [])))
    _check_manifest(manifest, where)
    return manifest


def _check_manifest(m, where):
    """GradeError (status 2) unless the parts and tests of @m make sense."""
    if not m.parts or not m.tests:
        raise GradeError(f'{where}: a lab needs at least one part and one test', 2)
    part_ids = [p.id for p in m.parts]
    test_ids = [t.id for t in m.tests]
    for ids, what in ((part_ids, 'part'), (test_ids, 'test')):
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise GradeError(f'{where}: {what} {", ".join(sorted(dup))} listed twice', 2)
    for t in m.tests:
        if t.part not in part_ids:
            raise GradeError(f'{where}: test {t.id} is in part "{t.part}", which is not '
                             f'declared; parts: {", ".join(part_ids)}', 2)
        if t.points <= 0 or t.timeout <= 0:
            raise GradeError(f'{where}: test {t.id} needs points and a timeout above 0', 2)
    empty = [p for p in part_ids if not any(t.part == p for t in m.tests)]
    if empty:
        raise GradeError(f'{where}: part(s) {", ".join(empty)} have no tests', 2)
    if m.profile not in ('dev', 'standard', 'hardened'):
        raise GradeError(f'{where}: [build] profile must be dev, standard or hardened', 2)
