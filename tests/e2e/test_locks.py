"""test_locks - the DEV profile's lock checks end in a report, not a hang.

A CPU that takes a lock it holds would spin for ever; one that takes locks
out of rank order can deadlock with another CPU; one that releases them
out of turn corrupts its stack of held locks. In the DEV profile each is
a panic that names the locks. The cases are explicit in-kernel tests
(tests/kernel/sched/spinlock.c), booted one at a time.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'harness'))
import keelharness as kh  # noqa: E402

SLICE = 'sched'
SUITE = 'sched.spinlock'


def _panic_of(ctx, case):
    res = kh.boot(ctx.kernel, f'test={SUITE}.{case}', timeout=60)
    assert res.outcome == 'panic', f'{case}: expected a panic, got {res.describe()}'
    return res.panic


def test_lock_taken_twice_is_reported(ctx):
    report = _panic_of(ctx, 'taken_twice_panics')
    assert 'spin_lock: test-low taken again by the CPU that holds it' in report, report


def test_lock_order_violation_is_reported(ctx):
    report = _panic_of(ctx, 'out_of_rank_order_panics')
    assert 'spin_lock: test-low (rank 60) taken while holding test-high (rank 70)' in report, \
        report


def test_release_out_of_turn_is_reported(ctx):
    report = _panic_of(ctx, 'unlock_out_of_order_panics')
    assert 'spin_unlock: test-low is not the lock this CPU took last' in report, report
