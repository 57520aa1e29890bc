"""procs - running programs from end-to-end tests, bounded and cleaned up.

Every end-to-end test that starts a program (QEMU, GDB, Bochs, make)
needs the same four things: a time limit, the output for the failure
message, no process left behind whatever happens, and no clash with
tests running beside it. They live here once. Each process is started in
its own session, so stop() can kill it together with its children.
"""
import os
import signal
import socket
import subprocess

TIMEOUT = 60.0  # seconds; QEMU emulates the CPU (TCG) on slow machines


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(text, lines=25):
    """The last lines of some output, indented, for a failure message."""
    last = text.rstrip("\n").splitlines()[-lines:]
    return "\n".join("    | " + line for line in last) or "    | (no output)"


def read(path):
    """A file's text, or "" if it does not exist (yet)."""
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def stop(proc, polite=False):
    """Kill a process started with start_new_session, and all its children.

    With polite=True it first gets SIGTERM and up to 10 s to clean up (a
    program that must stop programs of its own, like scripts/bochs).
    """
    if polite and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def run(cmd, cwd, timeout=TIMEOUT, polite=False):
    """Run `cmd` to completion; return (status, stdout and stderr together).

    Raises AssertionError with the last output if it outlives `timeout`.
    """
    proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop(proc, polite)
        out, _ = proc.communicate()
        raise AssertionError("expected %s to finish within %.0f s; it did not. Last output:\n%s"
                             % (" ".join(map(str, cmd)), timeout,
                                tail(out.decode(errors="replace"))))
    finally:
        stop(proc, polite)
    return proc.returncode, out.decode(errors="replace")
