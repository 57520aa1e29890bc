"""test_mem - slice 2's reports: memory faults, CPUs without PAE or NX, the monitor.

Each explicit case in tests/kernel/mem/faults.c crashes the kernel one
way. The report must say what happened in words a student can act on:
a stack overflow names the thread and the guard page (and the harness
sees a panic, not the reset that an unguarded overflow ends in); a page
fault says what the address is and shows the page-table walk. Booting on
a CPU without NX must warn and still pass the memory tests; without PAE
it must stop with a clear reason. The monitor's `mem` and `vm ADDR` are
typed at `make run`, the way a student uses them.
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'harness'))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keelharness as kh  # noqa: E402
import test_monitor as mon  # noqa: E402

SLICE = 'mem'


def _crash(ctx, case):
    res = kh.boot(ctx.kernel, f'test=mem.faults.{case}', timeout=60)
    assert res.outcome == 'panic', f'expected a panic, got {res.outcome}:\n{res.last_lines()}'
    for text in ('Registers:', 'Backtrace:'):
        assert text in res.panic, f'the report lacks {text!r}:\n{res.panic}'
    return res


def test_stack_overflow_names_the_thread(ctx):
    res = _crash(ctx, 'stack_overflow')
    report = res.panic
    assert 'EXCEPTION: double fault (#DF)' in report, report
    assert "PANIC: kernel stack overflow: thread " in report, report
    assert "'deep' ran past its stack into the guard page at 0xe" in report, report
    assert 'overflow+0x' in report, report  # the backtrace walks the overflowed stack
    assert 'Thread: deep' in report, report
    assert res.stack_overflow == 'deep', res.stack_overflow


def test_null_pointer(ctx):
    report = _crash(ctx, 'null_pointer').panic
    assert 'faulting address (CR2): 0x00000010' in report, report
    assert 'page not present, write, kernel mode' in report, report
    assert 'what: the NULL page (offset 0x10): a NULL pointer was followed' in report, report
    assert 'PDPT[  0]' in report and 'PD  [  0]' in report, report  # the walk


def test_write_to_kernel_code(ctx):
    report = _crash(ctx, 'write_kernel_code').panic
    assert 'protection violation, write, kernel mode' in report, report
    assert 'what: kernel code, which is read-only' in report, report
    assert 'present, read-only, kernel, global -> frame' in report, report


def test_execute_heap_is_refused_by_nx(ctx):
    report = _crash(ctx, 'execute_heap').panic
    assert 'protection violation, read, kernel mode, instruction fetch' in report, report
    assert 'NX' in report, report


def test_use_after_free_pointer_is_poison(ctx):
    report = _crash(ctx, 'use_after_free_pointer').panic
    assert 'faulting address (CR2): 0x6b6b6b6b' in report, report
    assert 'what: heap poison: a pointer read from freed memory' in report, report


def test_cpu_without_nx_warns_and_passes(ctx):
    res = kh.boot(ctx.kernel, 'test=mem.frames,mem.vm loglevel=1', timeout=120,
                  extra=['-cpu', 'qemu32'])  # QEMU's qemu32 model has PAE but no NX
    assert 'warning: this CPU has no NX' in res.output, res.last_lines()
    assert 'paging: PAE, NX off' in res.output, res.last_lines()
    assert res.outcome == 'exited' and res.exit_code == kh.EXIT_PASS, res.describe()


def test_cpu_without_pae_says_so(ctx):
    # (A Pentium has no PAE either, but it cannot run i686 code at all.)
    res = kh.boot(ctx.kernel, 'test=boot.boot', timeout=60, extra=['-cpu', 'qemu32,-pae'])
    assert res.outcome == 'panic', res.describe()
    assert 'this CPU has no PAE' in res.panic, res.panic


def test_monitor_mem_and_vm(ctx):
    with mon.keel_run(ctx) as child:
        out = mon.command(child, 'mem')
        for text in ('zone', 'DMA', 'normal', 'page tables', 'stacks', 'kmalloc-64', 'vm_space'):
            assert text in out, f'`mem` lacks {text!r}:\n{out}'
        assert re.search(r'^id +owner +frames +KiB +limit$', out, re.M), \
            f'`mem`\'s owner table lacks its header:\n{out}'
        assert re.search(r'^\d+ +stacks +\d+ +\d+ +-$', out, re.M), \
            f'`mem` should show "-" for an owner without a limit, as `keel frames` does:\n{out}'
        out = mon.command(child, 'vm c0100000')
        assert 'PDPT[  3]' in out and 'PT  [256]' in out, out
        assert '0xc0100000 -> physical 0x100000' in out, out
        out = mon.command(child, 'vm 0')
        assert 'not present' in out and 'the NULL page' in out, out
        out = mon.command(child, 'vm xyz')
        assert 'usage: vm ADDR' in out, out
