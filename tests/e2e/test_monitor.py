"""test_monitor - drive `make run` the way a student does, through a terminal.

Each test starts `make run` in a pseudo-terminal, waits for the `keel>`
prompt and types at it: the same bytes a person's keyboard sends,
including Backspace (DEL, 0x7f) and QEMU's Ctrl-A X. Every wait has a
timeout, and the process is killed at the end whatever happened.
"""
import contextlib
import re
import subprocess

import pexpect

SLICE = 'boot'
TIMEOUT = 60
PROMPT = 'keel> '


@contextlib.contextmanager
def keel_run(ctx, cmdline='', quiet=True):
    """`make run` in a pseudo-terminal, stopped at the first prompt.

    quiet=False runs plain `make run`, as a student types it: make then
    also prints the commands it runs and any error line of its own.
    """
    flags = ['-s'] if quiet else []
    child = pexpect.spawn('make', flags + ['run', f'CMDLINE={cmdline}'], cwd=str(ctx.root),
                          encoding='utf-8', codec_errors='replace', timeout=TIMEOUT,
                          dimensions=(50, 200))
    try:
        # Everything `make run` printed up to and including the first prompt.
        child.boot_text = (expect(child, 'Keel 0.1.0') + 'Keel 0.1.0' + expect(child, PROMPT)
                           + PROMPT)
        yield child
    finally:
        child.close(force=True)


def expect(child, pattern):
    """Wait for a literal string; fail with what the terminal showed instead."""
    try:
        child.expect_exact(pattern)
    except (pexpect.TIMEOUT, pexpect.EOF) as e:
        seen = (child.before or '')[-1500:]
        kind = 'timeout' if isinstance(e, pexpect.TIMEOUT) else 'end of output'
        raise AssertionError(f'expected {pattern!r}, got {kind}; the terminal showed:\n{seen}')
    return child.before.replace('\r', '')


def command(child, line):
    """Type a line at the prompt and return what it printed before the next prompt."""
    child.send(line + '\r')
    return expect(child, PROMPT)


def expect_exit(child):
    """Wait for `make run` to end; return what it printed last and its exit status."""
    try:
        child.expect(pexpect.EOF)
    except pexpect.TIMEOUT:
        raise AssertionError('QEMU did not exit; the terminal showed:\n' + child.before[-800:])
    out = child.before.replace('\r', '')
    child.close()
    return out, child.exitstatus


def check_clean_end(out, status):
    """`make run` ended as a success: no error line from make, status 0."""
    errors = [line for line in out.splitlines() if line.startswith('make') and 'Error' in line]
    assert not errors, f'make reported an error after a clean end:\n{out}'
    assert status == 0, f'expected `make run` to exit with status 0, got {status}:\n{out}'


def test_help_lists_every_command(ctx):
    with keel_run(ctx) as child:
        out = command(child, 'help')
        for name in ('help', 'info', 'backtrace', 'sym', 'panic', 'reboot', 'halt'):
            assert f'\n  {name} ' in out, f'help does not list {name}:\n{out}'


def test_unknown_command_gets_one_line(ctx):
    with keel_run(ctx) as child:
        out = command(child, 'frobnicate now')
        assert "unknown command 'frobnicate'; type 'help' for the list" in out, out
        assert len(out.strip().splitlines()) == 2, f'expected the echo and one line:\n{out}'
        assert 'Commands:' in command(child, 'help')  # still alive


def test_backspace_and_ctrl_u_edit_the_line(ctx):
    with keel_run(ctx) as child:
        out = command(child, 'hxx\x7f\x7felp')
        assert 'Commands:' in out, f'backspace did not erase:\n{out}'
        out = command(child, 'garbage\x15help')
        assert 'Commands:' in out, f'Ctrl-U did not erase the line:\n{out}'
        out = command(child, '\x1b[Ahelp')    # an arrow key is ignored
        assert 'Commands:' in out, f'an escape sequence leaked into the line:\n{out}'


def test_info_describes_machine(ctx):
    with keel_run(ctx, 'loglevel=2') as child:
        out = command(child, 'info')
        for text in ('CPU: ', 'Features:', 'Memory map:', 'usable', 'KiB usable',
                     'Command line: exit=qemu loglevel=2', 'loglevel  = 2'):
            assert text in out, f'info lacks {text!r}:\n{out}'


def test_backtrace_and_sym_use_symbols(ctx):
    with keel_run(ctx) as child:
        out = command(child, 'backtrace')
        for name in ('monitor_execute', 'monitor_run', 'kernel_main'):
            assert name in out, f'backtrace lacks {name}:\n{out}'
        out = command(child, 'sym kernel_main')
        assert 'kernel_main = 0xc01' in out, out
        out = command(child, 'sym nothing_here')
        assert "no function 'nothing_here'" in out, out


def test_sym_names_a_backtrace_frame_as_backtrace_does(ctx):
    with keel_run(ctx) as child:
        frames = re.findall(r'#\d+\s+0x([0-9a-f]{8})\s+(\S+)', command(child, 'backtrace'))
        assert frames, 'backtrace printed no frames'
        for addr, name in frames:
            out = command(child, f'sym {addr}')
            assert f'0x{addr} = {name}\n' in out, \
                f'backtrace shows 0x{addr} as {name}; sym says:\n{out}'


def test_sym_explains_what_it_cannot_name(ctx):
    with keel_run(ctx) as child:
        out = command(child, 'sym 0xc0100000')
        assert '0xc0100000 is in no function and in no section of the kernel image' in out, out
        out = command(child, 'sym 0')
        assert '0x00000000 is in no function and in no section' in out, out
        nm = subprocess.run(['i686-linux-gnu-nm', str(ctx.kernel)], capture_output=True,
                            text=True, timeout=30, check=True).stdout
        bounds = {name: addr for addr, _, name in (line.split() for line in nm.splitlines()
                                                   if len(line.split()) == 3)}
        for symbol, section in (('_rodata_start', '.rodata'), ('_data_start', '.data'),
                                ('_bss_start', '.bss')):
            out = command(child, f'sym {bounds[symbol]}')
            assert f"is in no function; it is in the kernel's {section} section" in out, \
                f'sym of {symbol} should name {section}:\n{out}'
        out = command(child, 'sym kmain')
        assert "no function 'kmain'" in out and 'did you mean: kernel_main' in out, out


def test_extra_words_get_the_usage(ctx):
    with keel_run(ctx) as child:
        for line, usage in (('threads extra', 'usage: threads'), ('mem extra', 'usage: mem'),
                            ('halt now', 'usage: halt'), ('panic two words', 'usage: panic [WORD]')):
            out = command(child, line)
            assert usage in out, f'{line!r} should print {usage!r}:\n{out}'


def test_panic_shows_registers_and_named_backtrace(ctx):
    with keel_run(ctx, quiet=False) as child:
        child.send('panic on-purpose\r')
        out = expect(child, 'Kernel stopped.')
        for text in ('PANIC: requested from the monitor: on-purpose', 'eip=', 'cr3=',
                     'Backtrace:', 'cmd_panic', 'monitor_execute', 'kernel_main'):
            assert text in out, f'the panic report lacks {text!r}:\n{out}'
        out, status = expect_exit(child)
        assert 'Keel panicked: see the report above.' in out, \
            f'`make run` did not say in words that Keel panicked:\n{out}'
        assert 'Error 37' not in out, f'make shows QEMU\'s raw exit status:\n{out}'
        assert status != 0, f'expected `make run` to fail after a panic:\n{out}'


def test_halt_leaves_qemu(ctx):
    with keel_run(ctx, quiet=False) as child:
        child.send('halt\r')
        expect(child, 'Keel halted.')
        check_clean_end(*expect_exit(child))


def test_ctrl_a_x_quits_qemu(ctx):
    with keel_run(ctx, quiet=False) as child:
        child.send('\x01x')
        expect(child, 'Terminated')
        check_clean_end(*expect_exit(child))


def test_unknown_boot_option_warns_and_boots(ctx):
    with keel_run(ctx, 'colour=blue loglevel=7') as child:
        out = child.boot_text
        assert "unknown boot option 'colour' ignored; known: test, monitor, vga, exit, " \
               "loglevel" in out, out
        assert "bad value '7' for boot option 'loglevel' ignored" in out, out
        assert 'Commands:' in command(child, 'help')
