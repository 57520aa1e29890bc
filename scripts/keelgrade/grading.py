"""Grading: each submission through open, stage, build, test, into a Result.

A problem with one submission (unreadable, unsafe, does not build) is that
submission's result, never the end of the run: every other submission is
still graded, and the exit status says what happened to all of them.
"""
import json
import re
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .common import GradeError
from . import reach
from .manifest import Manifest
from .report import num, report_gradescope, report_junit, report_text, write_reports
from .run import Build, Outcome, build, run_tests
from .stage import Stage, make_stage
from .submission import open_submission


@dataclass
class Result:
    """One submission's grade: its outcomes, or why it could not be graded."""

    name: str               # a short name for reports (from the path)
    path: str
    manifest: Manifest
    error: str = ''         # why the submission could not be graded
    stage: Stage = None
    build: Build = None
    outcomes: list = field(default_factory=list)
    duration: float = 0.0

    @property
    def score(self):
        return sum(o.score for o in self.outcomes)

    @property
    def full(self):
        return not self.error and self.score == self.manifest.max_score


def grade_one(sub, name, pristine, opts, jobs):
    """Open, stage, build and test submission @sub; never raises for its faults."""
    start = time.monotonic()
    result = Result(name, sub, pristine.manifest)
    scratch = Path(tempfile.mkdtemp(prefix='keel-grade-'))
    try:
        tree = open_submission(sub, scratch)
        stage_dir = Path(opts.workdir) / name if opts.workdir else scratch / 'tree'
        result.stage = make_stage(tree, pristine, stage_dir)
        result.build = build(stage_dir, pristine.manifest,
                             opts.build_timeout or pristine.manifest.build_timeout, jobs)
        if result.build.ok:
            result.outcomes = _test_within_reach(result, pristine, stage_dir, opts, jobs)
        else:
            why = 'build failed:\n' + result.build.errors
            result.outcomes = [Outcome(t, False, 'build error', why)
                               for t in pristine.manifest.tests]
        _note_missing_parts(result, pristine.manifest)
    except (GradeError, OSError, UnicodeError) as e:
        # An unreadable submission (OSError: a file named like a directory
        # it needs, no permission) is that submission's problem alone.
        why = str(e) if isinstance(e, GradeError) else f'cannot stage the submission: {e}'
        result.error = why
        result.build = None
        result.outcomes = [Outcome(t, False, 'not graded', why) for t in pristine.manifest.tests]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result.duration = time.monotonic() - start
    return result


def _test_within_reach(result, pristine, tree, opts, jobs):
    """Run the tests, but not those of a part whose file reaches too far (reach.py)."""
    allowed = reach.load(pristine.root / 'REACH')
    m = pristine.manifest
    refused = {}
    for rel, limits in allowed.items():
        obj = reach.object_of(tree / 'build' / 'grade', rel)
        if rel not in result.stage.filled and obj.is_file():
            refused[rel] = reach.violations(obj, rel, limits, m)
    blocked = {}
    for part in m.parts:
        why = [w for f in part.files for w in refused.get(f, [])]
        if why:
            blocked[part.id] = ('not graded: the part\'s code reaches beyond the lab\'s '
                                '(an instructor may allow more in the manifest\'s '
                                '[submission] section):\n' + '\n'.join(why))
    outcomes = run_tests(pristine, result.build.kernel, opts, jobs,
                         [t for t in m.tests if t.part not in blocked])
    outcomes += [Outcome(t, False, 'not graded', blocked[t.part])
                 for t in m.tests if t.part in blocked]
    order = {t.id: i for i, t in enumerate(m.tests)}
    return sorted(outcomes, key=lambda o: order[o.test.id])


def _note_missing_parts(result, manifest):
    """A test whose part's file was missing says so: that is why it failed."""
    filled = set(result.stage.filled) | set(result.stage.missing)
    for o in result.outcomes:
        gone = [f for f in manifest.part(o.test.part).files if f in filled]
        if gone and not o.passed:
            o.detail = (f'{", ".join(gone)} is missing from the submission; the lab\'s '
                        f'starting version was graded.\n' + o.detail)


def submission_names(paths):
    """A short, unique, file-safe name per submission path (for --out and --workdir)."""
    names, seen = [], {}
    for p in paths:
        base = Path(p.rstrip('/')).name or 'submission'
        base = re.sub(r'(\.tar(\.(gz|bz2|xz))?|\.tgz|\.zip)$', '', base) or 'submission'
        base = re.sub(r'[^\w.-]', '_', base).lstrip('.') or 'submission'
        if base in ('summary.csv', 'junit.xml'):
            base += '-submission'       # the names of the files across submissions
        n = seen.get(base, 0)
        seen[base] = n + 1
        names.append(base if n == 0 else f'{base}-{n + 1}')
    return names


def grade_all(args, pristine):
    """Grade every submission, print and write the reports: the exit status."""
    subs, names = args.submissions, submission_names(args.submissions)
    jobs = max(1, args.jobs)
    at_once = min(jobs, len(subs))
    inner = max(1, jobs // at_once)
    with ThreadPoolExecutor(max_workers=at_once) as pool:
        futures = [pool.submit(grade_one, s, n, pristine, args, inner)
                   for s, n in zip(subs, names)]
        results = []
        for f in futures:
            r = f.result()
            results.append(r)
            if len(subs) == 1 or args.verbose:
                print(report_text(r), flush=True)
            else:
                what = f'NOT GRADED: {r.error}' if r.error else \
                    f'{num(r.score)}/{num(r.manifest.max_score)}'
                print(f'{r.name:<30} {what}', flush=True)
    m = pristine.manifest
    if args.out:
        write_reports(Path(args.out), results, m)
        print(f'grade: reports in {args.out}/ (summary.csv, NAME/report.txt, results.json, '
              f'junit.xml)')
    if args.gradescope:
        _write(args.gradescope, json.dumps(report_gradescope(results[0]), indent=2) + '\n')
    if args.junit:
        _write(args.junit, report_junit(results, m))
    if len(subs) > 1:
        full = sum(r.full for r in results)
        bad = sum(bool(r.error) for r in results)
        print(f'grade: {len(subs)} submissions: {full} full marks, {bad} not graded')
    if any(r.error for r in results):
        return 3
    return 0 if all(r.full for r in results) else 1


def _write(path, text):
    """Write @text to @path, making its directory."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(text)
