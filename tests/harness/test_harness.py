"""test_harness - the harness must tell every way a boot can go wrong apart.

A harness that misreads a crash as a pass would make every other test
meaningless. Each test here boots one of the kernel's deliberately broken
cases (tests/kernel/boot/selftest.c, marked explicit so `test=all` never
runs them) and checks the verdict and its evidence. The KTAP parser is
also checked on hand-made transcripts, including malformed ones.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keelharness as kh  # noqa: E402

SLICE = 'boot'
SUITE = 'boot.selftest'


def _one(ctx, case, timeout=60):
    res = kh.boot(ctx.kernel, f'test={SUITE}.{case}', timeout=timeout)
    [result] = kh.results_from_boot(res, SUITE, [f'{SUITE}.{case}'])
    return res, result


def _expect(res, result, outcome, *evidence):
    assert not result.ok, f'a broken case passed: {result}'
    assert res.outcome == outcome, (f'expected outcome {outcome}, got {res.outcome}; '
                                    f'reason: {result.reason}\n{res.last_lines()}')
    for text in evidence:
        assert text in result.reason, f'expected {text!r} in the reason:\n{result.reason}'


def test_detects_failed_expectation(ctx):
    res, result = _one(ctx, 'expect_fails')
    _expect(res, result, 'exited', 'assertion failed',
            'selftest.c', 'expected answer == 42, got 41 != 42')
    assert res.exit_code == kh.EXIT_FAIL


def test_detects_panic_with_backtrace(ctx):
    res, result = _one(ctx, 'panics')
    _expect(res, result, 'panic', 'PANIC: selftest: a deliberate panic', 'Registers:',
            'Backtrace:', 'ktest_fn_selftest_panics', 'kernel_main')


def test_detects_failed_assert(ctx):
    res, result = _one(ctx, 'assert_fails')
    _expect(res, result, 'panic', 'assertion failed: zero == 1', 'selftest.c:')


def test_detects_hang_with_last_output(ctx):
    res, result = _one(ctx, 'hangs', timeout=5)
    _expect(res, result, 'hang', 'hang: no exit after', '# Subtest: boot.selftest')


def test_detects_triple_fault(ctx):
    res, result = _one(ctx, 'triple_faults')
    _expect(res, result, 'triple-fault', 'triple fault')


def test_detects_unexpected_reboot(ctx):
    res, result = _one(ctx, 'reboots')
    _expect(res, result, 'reboot', 'unexpected reboot')


def test_detects_forged_ktap(ctx):
    res, result = _one(ctx, 'forges_results')
    _expect(res, result, 'exited', 'malformed KTAP', 'out of sequence')


def test_detects_output_flood(ctx):
    res, result = _one(ctx, 'floods', timeout=120)
    _expect(res, result, 'flood', 'output flood', 'The flood began:', 'flood flood flood')
    # Stopped at the first burst, not at the cap; and the reason stays short.
    assert len(res.output) <= kh.BURST_CAP + (64 << 10), len(res.output)
    assert len(result.reason.splitlines()) <= kh.REASON_LINES + 2, result.reason


KEY = '0123456789abcdef' * 2


def test_tags_vouch_for_the_runners_results(ctx):
    res = kh.boot(ctx.kernel, f'test=boot.kprintf ktest_key={KEY}', timeout=60)
    [result] = kh.results_from_boot(res, 'boot.kprintf', ['boot.kprintf.decimal'], key=KEY)
    assert result.ok, result.reason
    assert KEY not in res.output, 'the kernel printed the key'
    # Another key, or no tags, vouches for nothing.
    [other] = kh.results_from_boot(res, 'boot.kprintf', ['boot.kprintf.decimal'],
                                   key='f' * 32)
    assert not other.ok and 'not authenticated' in other.reason, other.reason


def test_forged_pass_is_not_authenticated(ctx):
    case = f'{SUITE}.forges_a_pass'
    res = kh.boot(ctx.kernel, f'test={case} ktest_key={KEY}', timeout=60)
    assert res.outcome == 'exited' and res.exit_code == kh.EXIT_PASS, res.describe()
    [unkeyed] = kh.results_from_boot(res, SUITE, [case])
    assert unkeyed.ok, 'the forgery should look like a pass without the tags'
    [result] = kh.results_from_boot(res, SUITE, [case], key=KEY)
    assert not result.ok and 'not authenticated' in result.reason, result.reason


def test_siphash_matches_the_reference_vector(ctx):
    k0 = int.from_bytes(bytes(range(8)), 'little')
    k1 = int.from_bytes(bytes(range(8, 16)), 'little')
    assert kh.siphash24(k0, k1, bytes(range(15))) == 0xa129ca6149be45e5
    assert kh.siphash24(k0, k1, b'') == 0x726fdb47dd0e0e31


def test_blames_the_running_case_only(ctx):
    cases = [f'{SUITE}.expect_fails', f'{SUITE}.panics', f'{SUITE}.hangs']
    res = kh.boot(ctx.kernel, 'test=' + ','.join(cases), timeout=60)
    first, second, third = kh.results_from_boot(res, SUITE, cases)
    assert 'assertion failed' in first.reason, first.reason
    assert 'kernel panic' in second.reason, second.reason
    assert third.reason.startswith('not run'), third.reason


def test_unknown_test_lists_suites(ctx):
    p = subprocess.run([str(ctx.root / 'tests' / 'harness' / 'ktest'), '--kernel',
                        str(ctx.kernel), 'no_such_suite'], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 2, f'exit {p.returncode}: {p.stdout}{p.stderr}'
    assert "unknown test 'no_such_suite'" in p.stderr, p.stderr
    assert 'boot.kprintf' in p.stderr, p.stderr


def test_kernel_rejects_unknown_test(ctx):
    res = kh.boot(ctx.kernel, 'test=kprintf.no_such_case', timeout=60)
    assert res.outcome == 'exited' and res.exit_code == kh.EXIT_FAIL, res.describe()
    assert "unknown test 'kprintf.no_such_case'" in res.output, res.last_lines()
    assert 'available suites:' in res.output and 'boot.kprintf' in res.output, res.last_lines()


def test_qemu_error_is_not_a_pass(ctx):
    res = kh.boot(ctx.tmp / 'missing.elf', 'test=all', timeout=30)
    assert res.outcome == 'qemu-error', res.describe()


GOOD = """noise before
KTAP version 1
1..1
    KTAP version 1
    # Subtest: boot.x
    1..2
    ok 1 a
    # x.c:3: expected 1 == 2
    not ok 2 b
not ok 1 boot.x
"""


def test_parser_reads_good_ktap(ctx):
    rep = kh.parse_ktap(GOOD)
    assert rep.complete, rep.errors
    [suite] = rep.suites
    assert [c.ok for c in suite.cases] == [True, False]
    assert suite.cases[1].diagnostics == ['x.c:3: expected 1 == 2']


def test_parser_rejects_bad_ktap(ctx):
    bad = {
        'missing plan': GOOD.replace('1..1\n', '', 1),
        'short suite': GOOD.replace('    ok 1 a\n', ''),
        'wrong verdict': GOOD.replace('not ok 1 boot.x', 'ok 1 boot.x'),
        'orphan result': GOOD.replace('not ok 1 boot.x', 'not ok 1 boot.y'),
    }
    for what, text in bad.items():
        assert kh.parse_ktap(text).errors, f'{what} was accepted'
    truncated = kh.parse_ktap(GOOD.rsplit('not ok 1', 1)[0])
    assert not truncated.complete, 'a transcript without its last result is complete'
    assert not kh.parse_ktap('no ktap here').seen


def test_hardened_catches_stack_smash(ctx):
    hardened = ctx.root / 'build' / 'hardened-test' / 'keel.elf'  # a test image
    res = kh.boot(hardened, f'test={SUITE}.smashes_stack', timeout=60)
    assert res.outcome == 'panic', res.describe()
    assert 'PANIC: stack smashing detected' in res.panic, res.panic
