"""Building a staged tree and booting its tests, each within limits.

The build runs in its own process group with a time limit, a memory limit
and an output cap, since a submission may loop or flood. Each test of the
manifest then boots alone in QEMU through the pristine
tests/harness/keelharness.py (its time limit, its 1 MiB output cap), and
a failure is named by kind (panic, timeout, ...) for the report.
"""
import os
import re
import secrets
import selectors
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .manifest import Test

BUILD_OUTPUT_CAP = 1 << 20
PROBE_TIMEOUT = 10.0           # seconds for the boot that checks the kernel boots at all
MAKE_VARS = ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES', 'PROFILE', 'SLICES', 'BUILD',
             'V', 'CMDLINE', 'T', 'LAB', 'DEST')


@dataclass
class Build:
    """A build's outcome: the kernel if it built, else its first errors."""

    ok: bool
    log: str
    errors: str = ''
    duration: float = 0.0
    kernel: Path = None


def run_capped(cmd, cwd, timeout, cap=BUILD_OUTPUT_CAP, env=None):
    """Run @cmd in its own process group: (status or None on timeout, output, capped)."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    chunks, size, status = [], 0, None
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if not sel.select(min(left, 1.0)):
                continue
            data = os.read(proc.stdout.fileno(), 65536)
            if not data:
                try:
                    status = proc.wait(timeout=max(left, 0.1))
                except subprocess.TimeoutExpired:
                    pass
                break
            if size < cap:
                chunks.append(data[:cap - size])
            size += len(data)
    finally:
        sel.close()
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        proc.stdout.close()
    return status, b''.join(chunks).decode('utf-8', 'replace'), size > cap


def first_errors(log, lines=15):
    """The compiler's first errors (or the last lines if none are marked)."""
    text = log.splitlines()
    for i, line in enumerate(text):
        if re.search(r'\berror\b|\*\*\*|No rule to make target|undefined reference', line):
            return '\n'.join(text[max(0, i - 2):i + lines - 2])
    return '\n'.join(text[-lines:])


def build(tree, manifest, timeout, jobs):
    """Build the kernel of staged tree @tree within @timeout seconds."""
    env = {k: v for k, v in os.environ.items() if k not in MAKE_VARS}
    make = ['make', '-s', f'-j{max(1, jobs)}', f'PROFILE={manifest.profile}', 'IMAGE=test', 'BUILD=build/grade',
            'kernel']
    # A compiler fed a pathological file must not take the machine's memory.
    cmd = ['sh', '-c', 'ulimit -v 4194304 2>/dev/null; exec "$@"', 'sh', *make]
    start = time.monotonic()
    status, log, capped = run_capped(cmd, tree, timeout, env=env)
    duration = time.monotonic() - start
    kernel = tree / 'build' / 'grade' / 'keel.elf'
    if capped:
        log += f'\n[grade: build output capped at {BUILD_OUTPUT_CAP >> 20} MiB]\n'
    if status is None:
        return Build(False, log, f'the build took more than {timeout:.0f} s and was stopped; '
                     f'last output:\n' + '\n'.join(log.splitlines()[-10:]), duration)
    if status != 0 or not kernel.is_file():
        return Build(False, log, first_errors(log), duration)
    return Build(True, log, '', duration, kernel)


# --------------------------------------------------------------------------
# Testing

@dataclass
class Outcome:
    """One test's outcome: passed, or the kind of failure and what to show."""

    test: Test
    passed: bool
    kind: str               # ok, assertion, timeout, panic, triple fault, ...
    detail: str = ''
    duration: float = 0.0

    @property
    def score(self):
        return self.test.points if self.passed else 0


KINDS = {'panic': 'panic', 'triple-fault': 'triple fault', 'reboot': 'reboot',
         'hang': 'timeout', 'flood': 'output flood', 'qemu-error': 'QEMU error'}


def run_test(harness, kernel, test, timeout):
    """Boot @kernel to run @test alone, within @timeout seconds.

    Each boot gets a fresh key: the pristine test runner tags the results
    it prints with it, and a result without a valid tag counts as failed.
    """
    key = secrets.token_hex(16)
    res = harness.boot(str(kernel), f'test={test.id} ktest_key={key}', timeout=timeout)
    [r] = harness.results_from_boot(res, test.id.rsplit('.', 1)[0], [test.id], key=key)
    if r.ok:
        return Outcome(test, True, 'ok', '', res.duration)
    if res.outcome == 'exited' and f"unknown test '{test.id}'" in res.output:
        return Outcome(test, False, 'no such test',
                       f'the kernel has no test {test.id} (a manifest error: tell your '
                       f'instructor)', res.duration)
    kind, detail = failure(res, r.reason)
    return Outcome(test, False, kind, detail, res.duration)


def failure(res, reason):
    """The kind of failure of boot @res, and what to show."""
    if res.outcome == 'hang' and res.panic:
        # A panic before the command line is read cannot leave QEMU: it stops.
        return 'panic', 'kernel panic (then the kernel stopped):\n' + res.panic
    kind = KINDS.get(res.outcome, 'assertion')
    if res.outcome == 'exited' and reason.startswith('malformed KTAP'):
        kind = 'malformed KTAP'
    elif res.outcome == 'exited' and reason.startswith('missing KTAP'):
        kind = 'no KTAP'
    elif reason.startswith('not run'):
        kind = 'not run'
    elif reason.startswith('not authenticated'):
        kind = 'forged result'
    return kind, reason


def probe_boot(harness, kernel, timeout):
    """Boot once with test=list: '' if the kernel boots, else (kind, why) of the failure.

    Whatever a test selects, the boot before it is the same; a kernel that
    cannot boot fails every test the same way, so one boot tells them all.
    """
    res = harness.boot(str(kernel), 'test=list', timeout=timeout)
    if res.outcome == 'exited' and '# test ' in res.output:
        return None
    if res.outcome == 'hang' and not res.panic:
        return None         # slow, perhaps: let each test have its own time limit
    kind, why = failure(res, res.describe())
    return kind, 'the kernel does not boot (every test fails the same way):\n' + why


def run_tests(pristine, kernel, opts, jobs, tests=None):
    """The lab's tests (or @tests) on @kernel, @jobs boots at a time."""
    tests = pristine.manifest.tests if tests is None else tests
    if not tests:
        return []
    limit = opts.test_timeout or max(t.timeout for t in tests)
    broken = probe_boot(pristine.harness, kernel, min(limit, PROBE_TIMEOUT))
    if broken:
        return [Outcome(t, False, *broken) for t in tests]

    def one(test):
        return run_test(pristine.harness, kernel, test, opts.test_timeout or test.timeout)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, tests))
