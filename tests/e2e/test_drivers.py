"""test_drivers - input from real (emulated) hardware reaches a client.

Slice 6's drivers run in user space: the keyboard driver (kbd) reads
the PS/2 controller on interrupt line 1, the serial driver (serial) reads
COM1 on line 4, and both hand their input to the console server, which a
client reads. This test boots the in-kernel case dev.servers.input
(explicit: it waits for input, so `test=all` never runs it), in which
t_dev starts devmgr with the real drivers and prints each line it reads
from the console. When it says it is ready, the test types a line on the
emulated keyboard with QEMU's `sendkey` (through QMP), including Shift
and Backspace, then writes a line to the serial port (QEMU's stdin), and
expects each line back, as the client read it.
"""
import json
import os
import selectors
import socket
import subprocess
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'harness'))
import keelharness as kh  # noqa: E402

SLICE = 'dev'
TIMEOUT = 90
# What is typed: Shift-k, then "eel 42", a mistake erased by Backspace, Enter.
KEYS = ['shift-k', 'e', 'e', 'l', 'spc', '4', '2', 'x', 'backspace', 'ret']
TYPED = 'Keel 42'
SERIAL = 'serial ok'


class Session:
    """QEMU running dev.servers.input, with its output collected as it comes."""

    def __init__(self, kernel, tmp):
        self.qmp_path = os.path.join(tmp, 'qmp.sock')
        image = ['-kernel', str(kernel), *kh._initrd(kernel), '-append',
                 'exit=qemu test=dev.servers.input']
        cmd = [kh.QEMU, *kh.QEMU_BASE, *image, '-qmp', f'unix:{self.qmp_path},server=on,wait=off']
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.proc.stdout, selectors.EVENT_READ)
        self.out = ''
        self.qmp = None

    def wait_for(self, text, timeout=TIMEOUT):
        """Read output until @text appears; fail with what came instead."""
        deadline = time.monotonic() + timeout
        while text not in self.out:
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None and not self.sel.select(0):
                raise AssertionError(f'expected {text!r}; the output was:\n{self.out[-3000:]}')
            if self.sel.select(min(left, 1.0)):
                data = os.read(self.proc.stdout.fileno(), 65536)
                if not data and self.proc.poll() is not None:
                    continue
                self.out += data.decode('utf-8', 'replace').replace('\r\n', '\n')

    def qmp_command(self, execute, arguments=None):
        if self.qmp is None:
            self.qmp = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.qmp.connect(self.qmp_path)
            self.qmp_file = self.qmp.makefile('rw')
            json.loads(self.qmp_file.readline())  # the greeting
            self.qmp_command('qmp_capabilities')
        msg = {'execute': execute, **({'arguments': arguments} if arguments else {})}
        self.qmp_file.write(json.dumps(msg) + '\n')
        self.qmp_file.flush()
        while True:
            reply = json.loads(self.qmp_file.readline())
            if 'return' in reply or 'error' in reply:
                assert 'error' not in reply, f'QMP {execute}: {reply}'
                return reply['return']

    def sendkey(self, key):
        self.qmp_command('human-monitor-command', {'command-line': f'sendkey {key}'})
        time.sleep(0.05)  # a key's press and release are events of their own

    def close(self):
        if self.qmp is not None:
            self.qmp.close()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()
        self.proc.stdin.close()


@pytest.fixture(scope='module')
def session(kernel):
    """One boot for the module: keyboard line first, then serial, then the end."""
    tmp = tempfile.mkdtemp(prefix='keel-drivers-')
    s = Session(kernel, tmp)
    s.results = {}
    try:
        s.wait_for('# t_dev: ready for input')
        for key in KEYS:
            s.sendkey(key)
        s.results['keyboard'] = _attempt(s, f"# t_dev: read '{TYPED}'")
        try:
            s.proc.stdin.write((SERIAL + '\n').encode())
            s.proc.stdin.flush()
        except OSError:
            pass  # QEMU has ended: the wait below says what it printed
        s.results['serial'] = _attempt(s, f"# t_dev: read '{SERIAL}'")
        s.results['end'] = _attempt(s, 'ok 1 dev.servers')
        yield s
    finally:
        s.close()
        for name in os.listdir(tmp):
            os.unlink(os.path.join(tmp, name))
        os.rmdir(tmp)


def _attempt(s, text):
    """None if @text came, else why not (so one failure does not hide the next)."""
    try:
        s.wait_for(text)
        return None
    except AssertionError as e:
        return str(e)


def test_keyboard_input_reaches_a_client(session):
    assert session.results['keyboard'] is None, session.results['keyboard']


def test_serial_input_reaches_a_client(session):
    assert session.results['serial'] is None, session.results['serial']


def test_input_case_passes_and_cleans_up(session):
    assert session.results['end'] is None, session.results['end']
