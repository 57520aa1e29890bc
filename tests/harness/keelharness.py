"""keelharness - boot Keel in QEMU, watch it, and say what happened.

Everything that boots a kernel to judge it goes through this module:
`make test`, the lab grader and `make bench`. One boot gives one
BootResult, which says how the run ended:

    exited        the kernel left QEMU through isa-debug-exit with a code
    panic         the kernel printed a panic report (and left with PANIC)
    triple-fault  the CPU shut down (QEMU logged "Triple fault")
    reboot        the machine reset for another reason
    hang          no exit before the time limit
    flood         more output than a test prints: more than BURST_CAP bytes
                  with no test result line between them, or OUTPUT_CAP in all
    qemu-error    QEMU itself failed (bad option, missing kernel)

and carries the output, parsed KTAP, the panic report and the last lines
seen. run_suite() turns one boot of `test=SUITE` into one result per test
case, attributing a crash or a hang to the case that was running.

The kernel's side of the protocol is in kernel/debug/ktest.c (KTAP version 1
on COM1) and kernel/include/keel/arch.h (exit codes: QEMU's status is
2 * code + 1).
"""

import os
import re
import selectors
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

QEMU = 'qemu-system-i386'
QEMU_BASE = ['-M', 'pc', '-cpu', 'max', '-m', '128M', '-no-reboot',
             '-display', 'none', '-monitor', 'none', '-serial', 'stdio',
             '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04']
OUTPUT_CAP = 1 << 20
# A test case prints its diagnostics, a few lines; the whole of test=all
# prints about 13 KiB. More than this between two result lines is a
# flood, and the boot ends at once (a printing loop would otherwise run
# until the cap or the time limit, and be called something else).
BURST_CAP = 64 << 10
# A boot that times out after printing this much since its last result
# was printing, not stuck: a slow flood.
BURST_SLOW = 16 << 10
RESULT_LINE = re.compile(rb'(?:^|\n)\s*(?:not )?ok \d+ ')
KTAP_FRAME = re.compile(r'^\s*(?:KTAP version|1\.\.\d|# Subtest:|(?:not )?ok \d+)')
# How much of a long list (KTAP errors, output) a reason quotes.
REASON_LINES = 5
STOPPED = b'Kernel stopped.'  # the last line of every panic report
EXIT_PASS, EXIT_FAIL, EXIT_PANIC = 0x10, 0x11, 0x12
EXIT_NAMES = {EXIT_PASS: 'pass', EXIT_FAIL: 'fail', EXIT_PANIC: 'panic'}
# The boot archive of user programs (userspace/user.mk), beside the kernel ELF.
ARCHIVE = 'boot.cpio'


# --------------------------------------------------------------------------
# KTAP

@dataclass
class KtapCase:
    number: int
    name: str
    ok: bool
    diagnostics: list = field(default_factory=list)


@dataclass
class KtapSuite:
    name: str
    plan: int = -1
    cases: list = field(default_factory=list)
    ok: bool = None          # None until the suite's own result line is seen
    number: int = 0


@dataclass
class KtapReport:
    seen: bool = False       # a top-level "KTAP version 1" was found
    plan: int = -1
    suites: list = field(default_factory=list)
    comments: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def complete(self):
        return (self.seen and not self.errors and self.plan == len(self.suites)
                and all(s.ok is not None for s in self.suites))


RESULT = re.compile(r'^(ok|not ok) (\d+) ([^#]*?)\s*(#.*)?$')


def _suite_line(rep, suite, body, pending):
    """Handle one line indented by four spaces (inside a subtest)."""
    if body.startswith('KTAP version'):
        return suite, pending
    if body.startswith('# Subtest:'):
        suite = KtapSuite(body.split(':', 1)[1].strip())
        rep.suites.append(suite)
        return suite, []
    if suite is None:
        rep.errors.append(f'subtest line outside a subtest: {body!r}')
        return suite, pending
    if body.startswith('# keel-auth:'):
        return suite, pending       # a result's tag, checked by authenticated()
    if body.startswith('#'):
        pending.append(body[1:].strip())
        return suite, pending
    if re.fullmatch(r'1\.\.\d+', body):
        suite.plan = int(body[3:])
        return suite, pending
    m = RESULT.match(body)
    if m:
        number = int(m.group(2))
        if number != len(suite.cases) + 1 or (0 <= suite.plan < number):
            rep.errors.append(f'{suite.name}: result {number} ({m.group(3)}) out of '
                              f'sequence after {len(suite.cases)} of plan {suite.plan}')
        suite.cases.append(KtapCase(number, m.group(3), m.group(1) == 'ok', pending))
        return suite, []
    return suite, pending


def _top_line(rep, suite, line):
    """Handle one top-level line; returns the suite still open, if any."""
    if re.fullmatch(r'1\.\.\d+', line) and rep.plan < 0:
        rep.plan = int(line[3:])
        return suite
    if line.startswith('# keel-auth:'):
        return suite
    if line.startswith('#'):
        rep.comments.append(line[1:].strip())
        return suite
    m = RESULT.match(line)
    if not m:
        return suite
    number, name = int(m.group(2)), m.group(3)
    if suite is None or suite.name != name or suite.ok is not None:
        rep.errors.append(f'result for suite {name!r} without its subtest')
        return None
    suite.ok, suite.number = m.group(1) == 'ok', number
    if number != len(rep.suites):
        rep.errors.append(f'suite {name} numbered {number}, expected {len(rep.suites)}')
    if suite.plan >= 0 and len(suite.cases) != suite.plan:
        rep.errors.append(f'suite {name} planned {suite.plan} cases, reported {len(suite.cases)}')
    if suite.ok != all(c.ok for c in suite.cases):
        rep.errors.append(f'suite {name} result disagrees with its cases')
    return None


def parse_ktap(text):
    """Parse KTAP version 1 as Keel prints it; other lines are ignored."""
    rep, suite, pending = KtapReport(), None, []
    for raw in text.splitlines():
        line = raw.rstrip('\r')
        if not rep.seen:
            rep.seen = line == 'KTAP version 1'
            continue
        if line.startswith('    '):
            suite, pending = _suite_line(rep, suite, line[4:].strip(), pending)
        else:
            suite = _top_line(rep, suite, line.strip())
    if rep.seen and rep.plan < 0:
        rep.errors.append('no plan line (1..N)')
    return rep


# --------------------------------------------------------------------------
# Result tags (kernel/debug/ktest_auth.c)
#
# Booted with ktest_key=KEY, the test runner follows each result line it
# prints with `# keel-auth: TAG`, the SipHash-2-4 under KEY of the line's
# sequence number (32-bit little-endian) and text. Lab code can print a
# result line, but not its tag; authenticated() finds the lines the runner
# vouched for.

_M64 = (1 << 64) - 1
AUTH_LINE = re.compile(r'^\s*# keel-auth: ([0-9a-f]{16})$')
AUTH_RESULT = re.compile(r'^(\s*)((?:not )?ok) (\d+) (\S+)')


def _rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & _M64


def siphash24(k0, k1, data):
    """SipHash-2-4 of bytes @data under the key halves @k0, @k1."""
    v = [k0 ^ 0x736f6d6570736575, k1 ^ 0x646f72616e646f6d,
         k0 ^ 0x6c7967656e657261, k1 ^ 0x7465646279746573]

    def rounds(n):
        for _ in range(n):
            v[0] = (v[0] + v[1]) & _M64; v[1] = _rotl(v[1], 13) ^ v[0]; v[0] = _rotl(v[0], 32)
            v[2] = (v[2] + v[3]) & _M64; v[3] = _rotl(v[3], 16) ^ v[2]
            v[0] = (v[0] + v[3]) & _M64; v[3] = _rotl(v[3], 21) ^ v[0]
            v[2] = (v[2] + v[1]) & _M64; v[1] = _rotl(v[1], 17) ^ v[2]; v[2] = _rotl(v[2], 32)

    tail = len(data) - len(data) % 8
    words = [int.from_bytes(data[i:i + 8], 'little') for i in range(0, tail, 8)]
    words.append(int.from_bytes(data[tail:], 'little') | (len(data) & 0xff) << 56)
    for m in words:
        v[3] ^= m
        rounds(2)
        v[0] ^= m
    v[2] ^= 0xff
    rounds(4)
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def authenticated(text, key):
    """{(suite, name): ok} for every result line tagged validly under @key (hex).

    Top-level lines are suites (name slice.suite); indented lines are cases
    of the subtest opened last. A line without a valid tag is left out.
    """
    k0, k1 = int(key[:16], 16), int(key[16:32], 16)
    lines, found, seq, suite = text.split('\n'), {}, 0, None
    for i, line in enumerate(lines):
        if line.strip().startswith('# Subtest: '):
            suite = line.strip()[len('# Subtest: '):]
            continue
        m = AUTH_RESULT.match(line)
        tag = AUTH_LINE.match(lines[i + 1]) if m and i + 1 < len(lines) else None
        if not tag:
            continue
        body = line[len(m.group(1)):].encode()[:160]
        if int(tag.group(1), 16) != siphash24(k0, k1, seq.to_bytes(4, 'little') + body):
            continue
        seq += 1
        name = m.group(4) if not m.group(1) else f'{suite}.{m.group(4)}'
        found[(bool(m.group(1)), name)] = m.group(2) == 'ok'
    return found


# --------------------------------------------------------------------------
# Booting

@dataclass
class BootResult:
    outcome: str
    output: str
    exit_code: int = None       # the kernel's code when outcome is exited/panic
    status: int = None          # QEMU's exit status
    duration: float = 0.0
    stderr: str = ''
    ktap: KtapReport = None
    panic: str = ''             # the panic report, reason to backtrace
    stack_overflow: str = ''    # the thread whose kernel stack overflowed, if that was the panic

    def last_lines(self, n=15):
        return '\n'.join(self.output.rstrip().splitlines()[-n:])

    def flood_start(self, n=REASON_LINES):
        """The first lines after the last KTAP line (a result, a plan, a subtest
        header): where a flood began."""
        lines = self.output.split('\n')
        last = max((i for i, line in enumerate(lines) if KTAP_FRAME.match(line)), default=-1)
        return bounded([line[:200] for line in lines[last + 1:] if line.strip()], n)

    def describe(self):
        """One paragraph saying how the boot ended, for a failure report."""
        if self.outcome == 'panic' and self.stack_overflow:
            return f'kernel stack overflow in thread {self.stack_overflow!r}:\n' + self.panic
        if self.outcome == 'panic':
            return 'kernel panic:\n' + self.panic
        if self.outcome == 'triple-fault':
            return 'triple fault (the CPU reset); last output:\n' + self.last_lines()
        if self.outcome == 'reboot':
            return 'unexpected reboot; last output:\n' + self.last_lines()
        if self.outcome == 'hang':
            return (f'hang: no exit after {self.duration:.0f} s; last output:\n'
                    + self.last_lines())
        if self.outcome == 'flood':
            return (f'output flood: more than {BURST_CAP // 1024} KiB printed without a test '
                    f'result (or {OUTPUT_CAP // 1024} KiB in all); the boot was stopped. '
                    'The flood began:\n' + self.flood_start())
        if self.outcome == 'qemu-error':
            return f'QEMU failed (status {self.status}): {self.stderr.strip()}'
        return f'kernel exited with {EXIT_NAMES.get(self.exit_code, self.exit_code)}'


def _extract_panic(text):
    """The panic report, from an exception report before it if there is one."""
    at = text.find('PANIC: ')
    if at < 0:
        return ''
    exc = text.rfind('EXCEPTION: ', 0, at)
    if exc >= 0:
        at = exc
    report = text[at:]
    end = report.find('Kernel stopped.')
    return (report[:end] if end >= 0 else report).rstrip()


_OVERFLOW = re.compile(r"PANIC: kernel stack overflow: thread [0-9a-f]+ '([^']*)'")


def _stack_overflow(text):
    """The thread named by a kernel stack overflow report (slice 2), or ''."""
    m = _OVERFLOW.search(text)
    return m.group(1) if m else ''


def _since_result(data, before):
    """Bytes printed since the last result line, after @data follows @before of them."""
    last = None
    for last in RESULT_LINE.finditer(data):
        pass
    return len(data) - last.end() if last else before + len(data)


def _read_until_exit(proc, timeout, cap, burst):
    """Collect stdout until EOF, the deadline or a cap; returns (bytes, why)."""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    chunks, size, since, deadline = [], 0, 0, time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                slow_flood = burst and since > BURST_SLOW
                return b''.join(chunks), 'flood' if slow_flood else 'hang'
            if not sel.select(min(left, 1.0)):
                continue
            data = os.read(proc.stdout.fileno(), 65536)
            if not data:
                return b''.join(chunks), None
            chunks.append(data)
            size += len(data)
            since = _since_result(data, since)
            if size > cap or (burst and since > burst):
                return b''.join(chunks)[:cap], 'flood'
            if STOPPED in b''.join(chunks[-2:]) and deadline - time.monotonic() > 5:
                # A panic report is complete. A kernel that cannot leave QEMU
                # (it panicked before reading exit=qemu) would only halt:
                # give QEMU a moment to exit by itself, then stop waiting.
                deadline = time.monotonic() + 5
    finally:
        sel.close()


def _classify(status, log, why, text=''):
    if why == 'hang' and 'PANIC: ' in text and STOPPED.decode() in text:
        return 'panic', None  # panicked, then halted instead of leaving QEMU
    if why:
        return why, None
    if status is not None and status >= 33 and status % 2 == 1:
        code = (status - 1) // 2
        return ('panic' if code == EXIT_PANIC else 'exited'), code
    if status == 0:
        return ('triple-fault' if 'Triple fault' in log else 'reboot'), None
    return 'qemu-error', None


def boot(kernel, cmdline='', timeout=60.0, cap=OUTPUT_CAP, extra=(), qemu=QEMU,
         media=None, burst=BURST_CAP):
    """Boot @kernel (or the ISO @media) with @cmdline and wait for the end.

    `exit=qemu` is always added so the kernel leaves QEMU when done. @burst
    is the most output allowed between two test result lines (None: no
    limit, for benchmarks and coverage dumps, which print no results).
    From slice 3 on the build writes the boot archive of user programs,
    boot.cpio, beside the kernel ELF; when it is there it goes to the
    kernel as a Multiboot module (an ISO carries its own).
    """
    tmp = tempfile.mkdtemp(prefix='keel-boot-')
    log = os.path.join(tmp, 'qemu.log')
    image = ['-cdrom', media] if media else ['-kernel', str(kernel), *_initrd(kernel),
                                             '-append', f'exit=qemu {cmdline}'.strip()]
    cmd = [qemu, *QEMU_BASE, '-d', 'cpu_reset', '-D', log, *image, *extra]
    start = time.monotonic()
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=open(os.path.join(tmp, 'stderr'), 'wb'))
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        return BootResult('qemu-error', '', stderr=f'cannot start {qemu}: {e}')
    try:
        data, why = _read_until_exit(proc, timeout, cap, burst)
        if why is None:
            # Output ended: QEMU is shutting down. Let it finish and report.
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                why = 'hang'
    finally:
        if proc.poll() is None:
            proc.kill()
        status = proc.wait()
        proc.stdout.close()
    duration = time.monotonic() - start
    logtext = _read(log)
    stderr = _read(os.path.join(tmp, 'stderr'))
    shutil.rmtree(tmp, ignore_errors=True)
    text = data.decode('utf-8', 'replace').replace('\r\n', '\n')
    outcome, code = _classify(None if why else status, logtext, why, text)
    if outcome == 'exited' and 'PANIC: ' in text:
        outcome = 'panic'
    return BootResult(outcome, text, code, status, duration, stderr, parse_ktap(text),
                      _extract_panic(text), _stack_overflow(text))


def _initrd(kernel):
    """QEMU's option for the boot archive beside @kernel, if there is one."""
    archive = os.path.join(os.path.dirname(str(kernel)), ARCHIVE)
    return ['-initrd', archive] if os.path.isfile(archive) else []


def _read(path):
    try:
        with open(path, 'rb') as f:
            return f.read(1 << 20).decode('utf-8', 'replace')
    except OSError:
        return ''


# --------------------------------------------------------------------------
# Tests

@dataclass
class TestResult:
    id: str
    ok: bool
    reason: str = ''            # why it failed: the first line is the summary
    duration: float = 0.0


def list_tests(kernel, timeout=60.0):
    """Ask the kernel for its tests: a list of (id, explicit)."""
    # A listing has no result lines (and a coverage kernel dumps its counters
    # after it): no burst limit, the total cap still holds.
    res = boot(kernel, 'test=list', timeout=timeout, burst=None)
    tests = []
    for line in res.output.splitlines():
        m = re.match(r'# test (\S+)( \(explicit\))?$', line.strip())
        if m:
            tests.append((m.group(1), bool(m.group(2))))
    if res.outcome != 'exited' or not tests:
        raise RuntimeError('cannot list the kernel\'s tests: ' + res.describe())
    return tests


def bounded(lines, n=REASON_LINES):
    """The first @n of @lines, and how many more there were: a reason stays short."""
    lines = list(lines)
    more = len(lines) - n
    return '\n'.join(lines[:n] + ([f'... {more} more'] if more > 0 else []))


def _case_reason(case):
    detail = bounded(case.diagnostics, 3 * REASON_LINES) or '(no diagnostic)'
    return 'assertion failed: ' + detail


NOT_AUTHENTICATED = ('not authenticated: the test runner did not vouch for this result '
                     '(its line has no valid keel-auth tag), so other code printed it')


def _reported(case, cid, auth):
    """The TestResult of a case the kernel reported; with @auth, only as tagged."""
    if auth is not None and auth.get((True, cid)) is None:
        return TestResult(cid, False, NOT_AUTHENTICATED)
    if auth is not None and auth[(True, cid)] != case.ok:
        return TestResult(cid, False, 'not authenticated: the result line contradicts the '
                          'one the test runner vouched for')
    return TestResult(cid, case.ok, '' if case.ok else _case_reason(case))


def results_from_boot(res, suite_id, case_ids, key=None):
    """One TestResult per id in @case_ids (slice.suite.case) from one boot.

    With @key (the ktest_key= the boot was given), a reported result counts
    only if the test runner tagged it under that key.
    """
    suite = next((s for s in res.ktap.suites if s.name == suite_id), None)
    reported = {c.name: c for c in suite.cases} if suite else {}
    clean = res.outcome == 'exited' and not res.ktap.errors
    auth = authenticated(res.output, key) if key else None
    results, blamed = [], False
    for cid in case_ids:
        name = cid.rsplit('.', 1)[1]
        case = reported.get(name)
        if case is not None and (clean or res.outcome != 'exited'):
            results.append(_reported(case, cid, auth))
        elif res.ktap.errors:
            results.append(TestResult(cid, False, 'malformed KTAP:\n' + bounded(res.ktap.errors)))
        elif not res.ktap.seen and res.outcome == 'exited':
            results.append(TestResult(cid, False, 'missing KTAP: the kernel printed no '
                                      '"KTAP version 1"\n' + res.last_lines()))
        elif not blamed and res.outcome != 'exited':
            blamed = True     # the first unreported case is the one that was running
            results.append(TestResult(cid, False, res.describe()))
        else:
            why = 'an earlier case stopped the kernel' if blamed else 'no result reported'
            results.append(TestResult(cid, False, f'not run: {why}'))
    for r in results:
        r.duration = res.duration / max(len(results), 1)
    return results


def run_suite(kernel, suite_id, case_ids, timeout=60.0, cmdline=''):
    """Boot once with test=@suite_id and return a TestResult per case."""
    res = boot(kernel, f'test={suite_id} {cmdline}'.strip(), timeout=timeout)
    return results_from_boot(res, suite_id, case_ids)
