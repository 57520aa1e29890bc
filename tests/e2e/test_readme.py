"""test_readme - the README's samples are what Keel really prints.

The README shows what `make run` prints, line by line, under "What `make
run` shows". This test types nothing: it starts `make run` in a terminal
(as test_monitor does), and checks that the sample's lines appear, in
order and one after the other, in what it printed up to the prompt.
Numbers that differ between builds and machines (the kernel's addresses,
KiB and frame counts, the number of memory regions) are patterns; every
other character of a sample line must match.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_monitor as mon  # noqa: E402

SLICE = 'boot'
HEADING = '**What `make run` shows.**'

# What may vary in a sample line, and the pattern that stands for it.
VARIES = re.compile(r'(?P<range>(?<=kernel at )[0-9a-f]+-[0-9a-f]+)'
                    r'|(?P<count>\d+(?= KiB)|\d+(?= frames free)|(?<=in )\d+(?= regions))')
PATTERNS = {'range': '[0-9a-f]+-[0-9a-f]+', 'count': r'\d+'}


def sample(readme):
    """The indented block that follows HEADING in the README, as lines."""
    text = readme.split(HEADING, 1)
    assert len(text) == 2, f'the README has no paragraph {HEADING!r}'
    lines, started = [], False
    for line in text[1].splitlines():
        if line.startswith('    '):
            lines.append(line[4:].rstrip())
            started = True
        elif started and line.strip():
            break
    assert lines, f'no indented sample follows {HEADING!r} in the README'
    return lines


def pattern(line):
    """A regular expression for a sample line: VARIES become patterns, the rest literal."""
    regex, pos = '', 0
    for m in VARIES.finditer(line):
        regex += re.escape(line[pos:m.start()]) + PATTERNS[m.lastgroup]
        pos = m.end()
    return re.compile(regex + re.escape(line[pos:]) + '$')


def test_make_run_sample_is_what_make_run_prints(ctx):
    lines = sample((ctx.root / 'README.md').read_text())
    with mon.keel_run(ctx) as child:
        real = [line.rstrip() for line in child.boot_text.splitlines()]
    first = pattern(lines[0])
    starts = [i for i, line in enumerate(real) if first.match(line)]
    assert starts, (f'the README\'s first sample line {lines[0]!r} is not in what `make run` '
                    f'printed:\n' + '\n'.join(real))
    got = real[starts[0]:starts[0] + len(lines)]
    for want, have in zip(lines, got + [''] * len(lines)):
        assert pattern(want).match(have), (
            f'the README\'s sample says\n    {want}\nbut `make run` printed\n    {have}\n'
            f'The whole sample, then what `make run` printed:\n' + '\n'.join(lines)
            + '\n---\n' + '\n'.join(got))
