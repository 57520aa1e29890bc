"""test_coverage - `make coverage` measures what the tests exercise.

scripts/coverage builds an instrumented kernel, boots it per suite, turns
the counters the kernel prints at exit back into .gcda files and asks gcov.
This runs it on one suite (boot.kprintf) in a build directory of its own,
and checks that the formatting engine it exercises is reported as run,
that the report has its totals, and that the unit tests are measured too.
"""
import re
import subprocess

SLICE = 'boot'


def test_coverage_one_suite(ctx):
    build = ctx.tmp / 'coverage'
    p = subprocess.run(['/usr/bin/python3', 'scripts/coverage', '--build', str(build),
                        '--jobs', '1', 'boot.kprintf'], cwd=str(ctx.root),
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=240)
    out = p.stdout + p.stderr
    assert p.returncode == 0, f'expected scripts/coverage to succeed; status {p.returncode}:\n{out}'
    report = (build / 'coverage.txt').read_text()
    kernel, _, unit = report.partition('Host unit tests')
    m = re.search(r'^kernel/lib/fmt\.c\s+(\d+)\s+(\d+)\s+([\d.]+)%$', kernel, re.M)
    assert m and int(m.group(1)) > 0, f'expected kernel/lib/fmt.c covered by boot.kprintf:\n{report}'
    assert re.search(r'^TOTAL\s+\d+\s+\d+\s+[\d.]+%$', kernel, re.M), \
        f'expected a TOTAL line for the in-kernel suites:\n{report}'
    m = re.search(r'^kernel/lib/fmt\.c\s+(\d+)\s+(\d+)\s+([\d.]+)%$', unit, re.M)
    assert m and int(m.group(1)) > 0, f'expected kernel/lib/fmt.c covered by the unit tests:\n{report}'
    assert (build / 'obj' / 'kernel' / 'lib' / 'fmt.c.gcda').exists(), 'expected fmt.c.gcda to be written'
