"""test_bench - `make bench` runs, reports every operation, and writes JSON.

This checks the benchmark machinery, never the figures: no test asserts
a time. The run is forced onto the emulator (--tcg) so it behaves the
same on every machine, and without Linux (--no-linux): booting Linux
takes a download and half a minute, so the Linux side is checked here
without its kernel. The Linux benchmark program is an ordinary program,
run on the host with few samples; the side-by-side table is rendered
from canned output. tests/e2e/linux_boot.py boots the real kernel, on
demand only.
"""
import importlib.machinery
import importlib.util
import json
import subprocess

LINUX_CASES = ('linux.getppid', 'linux.pipe_roundtrip', 'linux.futex_roundtrip',
               'linux.yield_roundtrip')

SLICE = 'sched'
OPERATIONS = ('sched.thread_switch', 'sched.timer_irq', 'sched.sched_pick_next_1',
              'sched.sched_pick_next_64')


def test_bench_reports_every_operation(ctx):
    out = ctx.tmp / 'bench.json'
    p = subprocess.run(['make', '-s', 'bench', f'BENCHFLAGS=--tcg --no-linux --json {out}'],
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


def bench_module(root):
    """scripts/bench as a module, for its parser."""
    loader = importlib.machinery.SourceFileLoader('keel_bench', str(root / 'scripts' / 'bench'))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


def test_linux_program_prints_what_the_parser_reads(ctx):
    p = subprocess.run(['make', '-s', 'build/linux/bench'], cwd=ctx.root, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    run = subprocess.run([str(ctx.root / 'build/linux/bench'), '--host', '20'],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert '# bench done' in run.stdout, run.stdout
    cases, overhead = bench_module(ctx.root).parse(run.stdout)
    assert len(overhead) == 20, run.stdout
    assert sorted(cases) == sorted(LINUX_CASES), run.stdout
    for name, (net, samples) in cases.items():
        assert not net and len(samples) == 20, (name, net, samples)


def canned_log(medians, overhead=3):
    """Console output as bench.c prints it: 20 equal samples per case."""
    lines = ['[    0.1] noise before init', '# bench clock tsc', '# bench begin overhead net',
             '# bench samples ' + ' '.join([str(overhead)] * 20), '# bench end overhead 20']
    for name, median in medians.items():
        lines += [f'# bench begin {name} gross',
                  '# bench samples ' + ' '.join([str(median + overhead)] * 16),
                  '# bench samples ' + ' '.join([str(median + overhead)] * 4),
                  f'# bench end {name} 20']
    return '\n'.join(lines + ['# bench done 4', '[    1.7] reboot: Power down']) + '\n'


def test_side_by_side_renders_from_canned_data(ctx):
    log, keel_json, out = ctx.tmp / 'linux.log', ctx.tmp / 'keel.json', ctx.tmp / 'out.json'
    log.write_text(canned_log(dict(zip(LINUX_CASES, (397, 10000, 9000, 4000)))))
    keel = {'mode': 'tcg', 'unit': 'instructions (emulated)', 'overhead': 23,
            'results': {'user.null_int': {'median': 177}, 'user.null_sysenter': {'median': 77}}}
    keel_json.write_text(json.dumps(keel))
    p = subprocess.run(['/usr/bin/python3', 'scripts/bench-linux', '--tcg', '--log', str(log),
                        '--keel', str(keel_json), '--json', str(out)],
                       cwd=ctx.root, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    assert 'Keel beside Linux' in p.stdout, p.stdout
    for name in LINUX_CASES + ('user.null_int', 'ipc.call_reply_cross'):
        assert name in p.stdout, p.stdout
    doc = json.loads(out.read_text())
    assert doc['results'] == keel['results'], 'Keel\'s figures kept'
    assert doc['linux']['overhead'] == 3, doc['linux']
    assert doc['linux']['results']['linux.getppid']['median'] == 397, doc['linux']
    # The rows add each side's own timestamp pair back: 177 + 23 against 397 + 3.
    rows = {(r['keel'], r['linux']): r for r in doc['compare']}
    assert rows[('user.null_int', 'linux.getppid')]['ratio'] == 0.5, rows
    assert rows[('user.null_sysenter', 'linux.getppid')]['ratio'] == 0.25, rows
    assert rows[('ipc.call_reply_cross', 'linux.pipe_roundtrip')]['keel_gross'] is None, rows


def test_linux_side_says_what_is_missing(ctx):
    p = subprocess.run(['/usr/bin/python3', 'scripts/bench-linux', '--tcg', '--json',
                        str(ctx.tmp / 'x.json'), '--linux', str(ctx.tmp / 'no-vmlinuz')],
                       cwd=ctx.root, capture_output=True, text=True, timeout=60)
    assert p.returncode != 0, p.stdout
    assert 'run scripts/deps bench-linux' in p.stdout, p.stdout + p.stderr
