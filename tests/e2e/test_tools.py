"""test_tools - the project's own tools: scripts/deps, scripts/lint, make.

These are the first things a newcomer runs, so their failures must be
clear: a missing package is named with the command that installs it, a
lint failure names the file and the function, a bad PROFILE or SLICES is
refused with the accepted values.
"""
import os
import shutil
import subprocess

SLICE = 'boot'


def run(cmd, cwd, env=None, timeout=120):
    p = subprocess.run(cmd, cwd=str(cwd), env=env, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout + p.stderr


def test_deps_silent_when_present(ctx):
    status, out = run(['scripts/deps', 'build', 'run', 'test'], ctx.root)
    assert status == 0 and out == '', f'status {status}, output:\n{out}'


def test_deps_rejects_unknown_group(ctx):
    status, out = run(['scripts/deps', 'everything'], ctx.root)
    assert status == 2, f'status {status}'
    assert "unknown group 'everything'" in out and 'build run iso bochs' in out, out


def _fake_bin(ctx):
    """A PATH where every package looks missing, we are not root, no sudo."""
    fake = ctx.tmp / 'bin'
    fake.mkdir()
    (fake / 'dpkg-query').write_text('#!/bin/sh\necho not-installed\n')
    (fake / 'id').write_text('#!/bin/sh\n[ "$1" = -u ] && echo 1000 || echo student\n')
    for tool in ('sh', 'sed', 'cat', 'rm', 'env'):
        os.symlink(shutil.which(tool), fake / tool)
    for f in fake.iterdir():
        f.chmod(0o755)
    return dict(os.environ, PATH=str(fake))


def test_deps_prints_command_without_root_or_sudo(ctx):
    status, out = run(['sh', 'scripts/deps', 'build'], ctx.root, env=_fake_bin(ctx))
    assert status == 1, f'status {status}, output:\n{out}'
    assert 'cannot install as student' in out, out
    assert ('sudo apt-get update && sudo apt-get install -y --no-install-recommends '
            'make gcc-i686-linux-gnu binutils-i686-linux-gnu python3') in out, out


def test_deps_check_lists_missing(ctx):
    status, out = run(['sh', 'scripts/deps', '--check', 'iso'], ctx.root, env=_fake_bin(ctx))
    assert status == 1, f'status {status}'
    assert 'missing Debian packages: grub-pc-bin grub-common xorriso mtools' in out, out


def _lint_tree(ctx):
    tree = ctx.tmp / 'tree'
    (tree / 'scripts').mkdir(parents=True)
    (tree / 'kernel').mkdir()
    shutil.copy(ctx.root / 'scripts' / 'lint', tree / 'scripts' / 'lint')
    shutil.copy(ctx.root / '.clang-format', tree / '.clang-format')
    run(['git', 'init', '-q'], tree)
    return tree


def test_lint_names_long_function_and_file(ctx):
    tree = _lint_tree(ctx)
    body = ''.join(f'\tx += {i};\n' for i in range(55))
    (tree / 'kernel' / 'long.c').write_text(f'int longest(int x);\n\nint longest(int x)\n{{\n'
                                            f'{body}\treturn x;\n}}\n')
    (tree / 'kernel' / 'big.h').write_text('/* line */\n' * 501)
    status, out = run(['scripts/lint', '--only', 'sizes'], tree)
    assert status == 1, f'status {status}, output:\n{out}'
    assert 'kernel/long.c:3: longest is 59 lines (at most 50)' in out, out
    assert 'kernel/big.h: 501 lines (at most 500)' in out, out


def test_lint_names_unformatted_file(ctx):
    tree = _lint_tree(ctx)
    (tree / 'kernel' / 'ugly.c').write_text('int   f( void ){return 1;}\n')
    status, out = run(['scripts/lint', '--only', 'format'], tree)
    assert status == 1 and 'kernel/ugly.c: not formatted' in out, out


def test_lint_passes_on_the_tree(ctx):
    status, out = run(['scripts/lint'], ctx.root)
    assert status == 0, out


def test_make_refuses_bad_profile_and_slices(ctx):
    status, out = run(['make', '-s', 'PROFILE=fast'], ctx.root)
    assert status != 0 and 'PROFILE must be one of: dev standard hardened' in out, out
    status, out = run(['make', '-s', 'SLICES=42'], ctx.root)
    assert status != 0 and 'SLICES must be a slice number' in out, out


def _copy_tree(ctx):
    """A copy of the source tree (no build/), so a test may touch its files."""
    tree = ctx.tmp / 'copy'
    files = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard'], cwd=ctx.root,
                           capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        src = ctx.root / name
        if src.is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, tree / name)
    return tree


def test_incremental_build_follows_headers(ctx):
    tree = _copy_tree(ctx)
    status, out = run(['make', '-s'], tree, timeout=300)
    assert status == 0, out
    status, out = run(['make'], tree)
    assert ' CC ' not in out and ' LD ' not in out, f'a clean tree rebuilt:\n{out}'
    obj = tree / 'build' / 'dev' / 'obj' / 'kernel' / 'lib' / 'fmt.c.o'
    before = obj.stat().st_mtime_ns
    header = tree / 'kernel' / 'include' / 'keel' / 'fmt.h'
    header.write_text(header.read_text() + '\n')
    status, out = run(['make'], tree, timeout=300)
    assert status == 0 and 'kernel/lib/fmt.c' in out, f'changing fmt.h did not rebuild fmt.c:\n{out}'
    assert obj.stat().st_mtime_ns > before
    assert 'kernel/lib/string.c' not in out, f'an unrelated file was rebuilt:\n{out}'


def test_removing_a_file_relinks(ctx):
    tree = _copy_tree(ctx)
    status, out = run(['make', '-s'], tree, timeout=300)
    assert status == 0, out
    (tree / 'tests' / 'kernel' / 'boot' / 'monitor.c').unlink()
    status, out = run(['make'], tree, timeout=300)
    assert status == 0 and ' LD ' in out, f'removing a source file did not relink:\n{out}'
    status, syms = run(['i686-linux-gnu-nm', str(tree / 'build' / 'dev' / 'keel.elf')], tree)
    assert 'ktest_fn_monitor_' not in syms, 'the removed file is still linked in'
