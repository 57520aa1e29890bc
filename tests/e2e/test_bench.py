"""test_bench - `make bench` runs, reports every operation, and writes JSON.

This checks the benchmark machinery, never the figures: no test asserts
a time. The run is forced onto the emulator (--tcg) so it behaves the
same on every machine.
"""
import json
import subprocess

SLICE = 'sched'
OPERATIONS = ('sched.thread_switch', 'sched.timer_irq', 'sched.sched_pick_next_1',
              'sched.sched_pick_next_64')


def test_bench_reports_every_operation(ctx):
    out = ctx.tmp / 'bench.json'
    p = subprocess.run(['make', '-s', 'bench', f'BENCHFLAGS=--tcg --json {out}'],
                       cwd=ctx.root, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, f'make bench failed:\n{p.stdout}{p.stderr}'
    for name in OPERATIONS:
        assert name in p.stdout, f'{name} missing from the table:\n{p.stdout}'
    doc = json.loads(out.read_text())
    assert doc['mode'] == 'tcg' and 'emulated' in doc['unit'], doc
    for name in OPERATIONS:
        r = doc['results'][name]
        assert r['samples'] > 0, (name, r)
        assert r['min'] <= r['median'] <= r['p99'] <= r['max'], (name, r)


def test_bench_rejects_unknown_name(ctx):
    p = subprocess.run(['/usr/bin/python3', 'scripts/bench', '--tcg', '--json',
                        str(ctx.tmp / 'x.json'), 'no_such_bench'],
                       cwd=ctx.root, capture_output=True, text=True, timeout=300)
    assert p.returncode != 0, p.stdout
    assert 'no_such_bench' in p.stdout + p.stderr, p.stdout + p.stderr
