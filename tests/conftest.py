"""conftest - what pytest gives the harness's own tests and the end-to-end tests.

Fixtures:
  ctx     what every test function takes: root (the repository), build
          (build/dev), kernel (build/dev/keel.elf) and tmp (a fresh
          directory, removed after the test).
  kernel  build/dev/keel.elf, brought up to date by `make` once per run.

Every test has a stable id: `test_<case>` in `test_<suite>.py`, whose
module sets SLICE (default boot), is `SLICE.suite.case`.

With --keel-results=FILE pytest writes a JSON list of the tests it ran to
FILE, one record per test (id, ok, reason, duration); tests/run prints its
own report from it. A failure's reason is the exception's message and the
last frames of the repository's code, bounded. A module that cannot be
collected (an import error) gives a failing record for each test function
it defines, so a broken module never makes its tests vanish.
"""
import fcntl
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / 'build' / 'dev'
REASON_LINES = 40   # at most this many lines of a failure's message
FRAMES = 4          # and of its traceback, innermost last


# --------------------------------------------------------------------------
# Fixtures

@pytest.fixture(scope='session')
def kernel():
    """build/dev/keel.elf, up to date: `make` runs once per run (per xdist worker).

    `make test` builds it in an earlier group, so this is then a no-op; the
    lock keeps parallel workers from building into the same directory.
    """
    BUILD.parent.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ('SLICES', 'COVERAGE')}
    with open(BUILD.parent / '.kernel.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        p = subprocess.run(['make', '-s', f'-j{os.cpu_count() or 2}', 'PROFILE=dev',
                            f'BUILD={BUILD.relative_to(ROOT)}'], cwd=ROOT, env=env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=600)
    if p.returncode != 0:
        pytest.fail(f'make failed (status {p.returncode}):\n{tail(p.stdout, 30)}', pytrace=False)
    return BUILD / 'keel.elf'


@pytest.fixture
def ctx(kernel):
    """root, build, kernel and a fresh tmp directory, removed after the test."""
    tmp = Path(tempfile.mkdtemp(prefix='keel-test-'))
    try:
        yield SimpleNamespace(root=ROOT, build=BUILD, kernel=kernel, tmp=tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------
# Stable ids

def stable_id(slice_name, path, function):
    """`slice.suite.case` of function `test_<case>` in file `test_<suite>.py`."""
    suite = Path(path).stem.removeprefix('test_')
    return f'{slice_name}.{suite}.{function.removeprefix("test_")}'


def pytest_itemcollected(item):
    module = getattr(item, 'module', None)
    tid = stable_id(getattr(module, 'SLICE', 'boot'), item.path, item.name)
    item.user_properties.append(('keel_id', tid))


def declared_tests(path):
    """(slice, [test function names]) of a module read as text: it may not import."""
    try:
        text = Path(path).read_text(errors='replace')
    except OSError:
        return 'boot', []
    m = re.search(r'''^SLICE\s*=\s*['"]([\w-]+)['"]''', text, re.M)
    names = re.findall(r'^(?:async\s+)?def\s+(test_\w+)\s*\(', text, re.M)
    return (m.group(1) if m else 'boot'), list(dict.fromkeys(names))


# --------------------------------------------------------------------------
# Reasons

def tail(text, lines):
    return '\n'.join(text.rstrip('\n').splitlines()[-lines:])


def bounded(text, limit=REASON_LINES):
    """At most @limit lines: the first few and the last (where output tails are)."""
    lines = text.rstrip('\n').splitlines()
    if len(lines) <= limit:
        return '\n'.join(lines)
    head = limit // 4
    return '\n'.join(lines[:head] + [f'... ({len(lines) - limit} lines left out)']
                     + lines[len(lines) - (limit - head):])


def longrepr_text(report):
    """pytest's own text of a failure, without xdist's worker line or hints."""
    return re.sub(r'^(\[gw\d+\] .*|Hint: .*)\n', '', report.longreprtext, flags=re.M)


def describe(excinfo):
    """An exception as a reason: its message, then where, in the repository's code."""
    if excinfo.errisinstance(AssertionError) and str(excinfo.value):
        message = str(excinfo.value)  # what the test said it expected and saw
    else:
        message = excinfo.exconly()
    frames = []
    for entry in excinfo.traceback:
        path = Path(str(entry.path))
        if path.is_relative_to(ROOT):
            frames.append(f'{path.relative_to(ROOT)}:{entry.lineno + 1} in {entry.name}')
    lines = [bounded(message)]
    if frames:
        lines.append('at ' + frames[-FRAMES:][0])
        lines += ['   ' + f for f in frames[-FRAMES:][1:]]
    return '\n'.join(lines)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Give a failing phase's report the reason tests/run prints (keel_reason)."""
    outcome = yield
    report = outcome.get_result()
    # A missing fixture is best told by pytest's own text (what is available).
    if call.excinfo is not None and (report.failed or report.skipped) \
            and not call.excinfo.errisinstance(pytest.FixtureLookupError):
        report.keel_reason = describe(call.excinfo)


# --------------------------------------------------------------------------
# Results for tests/run

def pytest_addoption(parser):
    parser.addoption('--keel-results', metavar='FILE',
                     help='write a JSON list of the tests run (id, ok, reason, duration)')


def pytest_configure(config):
    path = config.getoption('keel_results')
    if path and not hasattr(config, 'workerinput'):    # the xdist controller, or no xdist
        config.pluginmanager.register(Recorder(config, path), 'keel-results')


class Recorder:
    """Collects every test's outcome over its phases; writes them at the end."""

    def __init__(self, config, path):
        self.config = config
        self.path = path
        self.tests = {}     # nodeid -> record

    def record(self, nodeid, tid):
        file, _, name = nodeid.partition('::')
        return self.tests.setdefault(nodeid, {'id': tid, 'ok': True, 'reason': '',
                                              'duration': 0.0, 'order': [file, name]})

    def pytest_runtest_logreport(self, report):
        tid = dict(report.user_properties).get('keel_id')
        if tid is None:     # a worker crashed: xdist's report has no properties
            path, _, name = report.nodeid.partition('::')
            tid = stable_id(declared_tests(self.config.rootpath / path)[0], path, name)
        rec = self.record(report.nodeid, tid)
        rec['duration'] += report.duration
        if report.passed:
            return
        reason = getattr(report, 'keel_reason', None) or bounded(longrepr_text(report))
        if report.skipped:
            reason = f'skipped, and a test must pass or fail: {reason}'
        elif report.when in ('setup', 'teardown'):
            reason = f'error in {report.when}: {reason}'
        rec['ok'] = False
        rec['reason'] = '\n'.join(filter(None, (rec['reason'], reason)))

    def pytest_collectreport(self, report):
        if not report.failed:
            return
        path = self.config.rootpath / report.nodeid.split('::')[0]
        reason = f'not run: {report.nodeid} did not load:\n{tail(longrepr_text(report), 20)}'
        slice_name, names = declared_tests(path) if path.is_file() else ('boot', [])
        for name in names or ['test_collect']:  # test_collect: nothing else to name
            rec = self.record(f'{report.nodeid}::{name}', stable_id(slice_name, path, name))
            rec.update(ok=False, reason=reason)

    def pytest_sessionfinish(self, session):
        records = sorted(self.tests.values(), key=lambda r: r['order'])
        # A reason many tests share (a module that did not load, a fixture
        # that failed) is printed in full once, with the first of them.
        first = {}
        for r in records:
            if '\n' in r['reason'] and first.setdefault(r['reason'], r['id']) != r['id']:
                r['reason'] = f"{r['reason'].splitlines()[0].rstrip(':')}; see {first[r['reason']]}"
        with open(self.path, 'w') as f:
            json.dump([{k: r[k] for k in ('id', 'ok', 'reason', 'duration')} for r in records],
                      f, indent=1)
