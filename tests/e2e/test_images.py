"""test_images - a production image holds no test code, and says so.

The STANDARD and HARDENED profiles build production images by default:
the kernel code of each slice and nothing else (charter, "Small trusted
base"). These tests read the symbols of the images `make test`'s build
group made and boot them with the options only a test image answers.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'harness'))
import keelharness as kh  # noqa: E402

SLICE = 'boot'
PRODUCTION = ('standard', 'hardened')
# What only a test image may define: test cases, benchmarks, the monitor
# and its commands, the test runner's internals, the coverage runtime.
DEBUG_SYMBOLS = ('ktest_fn_', 'kbench_fn_', 'monitor_execute', 'monitor_cmd_', 'ktest_expect',
                 'kbench_sample', 'gcov_')


def _image(ctx, profile):
    path = ctx.root / 'build' / profile / 'keel.elf'
    assert path.exists(), f'expected the build group to have built {path}'
    return path


def _symbols(path):
    out = subprocess.run(['i686-linux-gnu-nm', str(path)], capture_output=True, text=True,
                         check=True).stdout
    return [line.split()[-1] for line in out.splitlines()]


def test_production_images_link_no_test_code(ctx):
    for profile in PRODUCTION:
        syms = _symbols(_image(ctx, profile))
        found = sorted(s for s in syms if s.startswith(DEBUG_SYMBOLS))
        assert not found, f'{profile} production image links test code: {found[:10]}'
        assert 'kernel_main' in syms and 'sched_switch' in syms, \
            f'{profile}: expected the kernel itself in the image'


def test_test_image_links_the_tests(ctx):
    syms = _symbols(ctx.kernel)
    assert any(s.startswith('ktest_fn_') for s in syms), 'the DEV test image has no test cases'
    assert 'monitor_execute' in syms, 'the DEV test image has no monitor'


def test_production_image_refuses_tests_benchmarks_and_monitor(ctx):
    for profile in PRODUCTION:
        for option, what in (('test=all', 'the in-kernel tests are not in this image'),
                             ('bench=all', 'the benchmarks are not in this image'),
                             ('monitor=on', 'the kernel monitor is not in this image')):
            res = kh.boot(_image(ctx, profile), option, timeout=60)
            assert res.outcome == 'exited', f'{profile} {option}: {res.describe()}'
            assert what in res.output, f'{profile} {option}: expected "{what}":\n{res.last_lines()}'
            expected = kh.EXIT_PASS if option == 'monitor=on' else kh.EXIT_FAIL
            assert res.exit_code == expected, \
                f'{profile} {option}: exit code {res.exit_code}, expected {expected}'
