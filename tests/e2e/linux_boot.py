"""linux_boot - boot Debian's Linux with the benchmark as /init (on demand).

Not collected by `make test` (its name is not test_*.py): it needs the
kernel that `scripts/deps bench-linux` downloads and half a minute of
emulation. Run it by name:

    /usr/bin/python3 -m pytest -q tests/e2e/linux_boot.py

It checks the machinery, never a figure: Linux reaches /init, every case
reports its samples, and the side-by-side rows land in the JSON.
"""
import json
import subprocess

CASES = ('linux.getppid', 'linux.pipe_roundtrip', 'linux.futex_roundtrip',
         'linux.yield_roundtrip')


def test_linux_boots_and_reports_every_case(ctx):
    out = ctx.tmp / 'linux.json'
    p = subprocess.run(['/usr/bin/python3', 'scripts/bench-linux', '--tcg', '--json', str(out)],
                       cwd=ctx.root, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    doc = json.loads(out.read_text())
    assert doc['linux']['mode'] == 'tcg', doc['linux']
    for name in CASES:
        r = doc['linux']['results'][name]
        assert r['samples'] == 1000, (name, r)
        assert r['min'] <= r['median'] <= r['p99'] <= r['max'], (name, r)
    assert len(doc['compare']) > 0, doc
