"""test_traps - every kind of kernel exception produces the right report.

Each case in tests/kernel/sched/traps.c raises one exception on purpose
(they are explicit, so `test=all` never runs them). The report must name
the exception, decode its error code, point at the faulting function by
name, and end in a panic with a symbolised backtrace; the harness must
see a panic, not a hang or a reset.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'harness'))
import keelharness as kh  # noqa: E402

SLICE = 'sched'


def _report(ctx, case):
    res = kh.boot(ctx.kernel, f'test=sched.traps.{case}', timeout=60)
    assert res.outcome == 'panic', f'expected a panic, got {res.outcome}:\n{res.last_lines()}'
    for text in ('in kernel mode at eip 0x', f'(ktest_fn_traps_{case}+0x',
                 'Thread: main (tid 00000100, priority 128)',
                 'PANIC: kernel exception: ', 'Registers:', 'Backtrace:', 'kernel_main'):
        assert text in res.panic, f'the report lacks {text!r}:\n{res.panic}'
    return res.panic


def test_divide_error(ctx):
    report = _report(ctx, 'divide_error')
    assert 'EXCEPTION: divide error (#DE)' in report, report


def test_invalid_opcode(ctx):
    report = _report(ctx, 'invalid_opcode')
    assert 'EXCEPTION: invalid opcode (#UD)' in report, report


def test_general_protection_decodes_selector(ctx):
    report = _report(ctx, 'general_protection')
    assert 'EXCEPTION: general protection (#GP)' in report, report
    assert 'error code 0x1008: GDT selector index 513' in report, report


def test_breakpoint(ctx):
    report = _report(ctx, 'breakpoint')
    assert 'EXCEPTION: breakpoint (#BP)' in report, report


def test_page_fault_decodes_address_and_access(ctx):
    report = _report(ctx, 'page_fault')
    assert 'EXCEPTION: page fault (#PF)' in report, report
    assert 'faulting address (CR2): 0x00001000' in report, report
    assert 'error code 0x2: page not present, write, kernel mode' in report, report
