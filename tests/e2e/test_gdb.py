"""test_gdb - debug a running Keel with GDB and the `keel` commands.

`make qemu-gdb` starts QEMU halted with its GDB stub; `make gdb` attaches
GDB through the generated build/dev/gdbinit, which loads the kernel's
symbols and scripts/gdb/keel.py. These tests drive that path in batch
mode and check what a student would see: a breakpoint in kernel code, a
backtrace with names, and the `keel` commands' tables. They also check
that the commands fail with one clear line, never a Python traceback,
when there is no kernel to look at.

Each test picks its own TCP port and writes its own gdbinit (in ctx.tmp,
with the Makefile's recipe), so tests can run in parallel. Every wait
has a time limit and every process started is killed before returning.
"""

import re
import socket
import subprocess
import time

from procs import TIMEOUT, free_port, read, stop, tail  # noqa: F401 (test_gdb_sched uses them)
import procs

SLICE = "boot"


# Signs that a Python helper crashed instead of failing with a message.
PYTHON_FAILURES = ("Traceback", "Python Exception", "Error occurred in Python")

# The line gdb() prints before each command's output.
MARK = "=== keel-test:"


# ---------------------------------------------------------------------------
# Helpers


def run(cmd, cwd, timeout=TIMEOUT):
    """Run `cmd` to completion; return its stdout and stderr together."""
    return procs.run(cmd, cwd, timeout)[1]


def wait_for_port(port, proc, log):
    """Wait until something accepts connections on `port`, or fail.

    `proc` is the make running QEMU: if it ends first, QEMU failed to
    start (or the kernel failed to build), and its log says why.
    """
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError("expected QEMU to wait for GDB on port %d; make qemu-gdb "
                                 "exited with status %d:\n%s"
                                 % (port, proc.returncode, tail(read(log))))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("expected QEMU's GDB stub on port %d within %.0f s; got nothing. "
                         "QEMU's output:\n%s" % (port, TIMEOUT, tail(read(log))))


def make_gdbinit(ctx, port):
    """Write a gdbinit for `port` into ctx.tmp, with the Makefile's own rule.

    `make build/dev/gdbinit` would do, but that file is shared by every
    test running at the same time; BUILD and KERNEL point the same rule
    at a private file and the already built kernel.
    """
    path = ctx.tmp / "gdbinit"
    out = run(["make", "-s", "BUILD=%s" % ctx.tmp, "KERNEL=%s" % ctx.kernel,
               "GDBPORT=%d" % port, str(path)], ctx.root)
    text = read(path)
    expect = "target remote localhost:%d" % port
    assert expect in text, ("expected the generated gdbinit to contain %r; it holds:\n%s\n"
                            "make said:\n%s" % (expect, tail(text), tail(out)))
    return path


def gdb(*commands, args=()):
    """The command line of a batch GDB that runs each of `commands` in turn.

    Before each command GDB echoes a marker line (MARK and the command),
    so that sections() can tell which command printed what.
    """
    cmd = ["gdb", "-q", "-nx", "-batch", *args]
    for c in commands:
        cmd += ["-ex", "echo \\n%s %s\\n" % (MARK, c), "-ex", c]
    return cmd


def sections(out):
    """Split batch GDB output into {command: what it printed}.

    What came before the first marker (loading the gdbinit, connecting)
    is under "". Each text loses its trailing newlines.
    """
    parts = {"": ""}
    current = ""
    for line in out.splitlines(keepends=True):
        if line.startswith(MARK + " "):
            current = line[len(MARK) + 1:].rstrip("\n")
            parts[current] = ""
        else:
            parts[current] += line
    return {c: text.rstrip("\n") for c, text in parts.items()}


def check(out, what, found, extra=""):
    """Fail with a message naming `what` unless `found` is true.

    `out` is what the command under test printed; `extra`, other output
    that helps to understand a failure (QEMU's console).
    """
    if not found:
        raise AssertionError("expected %s; the command printed:\n%s%s"
                             % (what, tail(out), extra))


def check_no_traceback(out):
    """Fail if a `keel` command ended in a Python error instead of a message."""
    for sign in PYTHON_FAILURES:
        check(out, "no Python error from the keel commands (saw %r)" % sign,
              sign not in out)


# ---------------------------------------------------------------------------
# Tests


def test_backtrace_has_symbols(ctx):
    """Stop in ktest_run(), see a named backtrace and every `keel` table."""
    port = free_port()
    gdbinit = make_gdbinit(ctx, port)
    log = ctx.tmp / "qemu.log"
    with open(log, "wb") as f:
        qemu = subprocess.Popen(["make", "-s", "qemu-gdb", "GDBPORT=%d" % port,
                                 "CMDLINE=test=boot"], cwd=ctx.root,
                                stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        wait_for_port(port, qemu, log)
        out = run(gdb("break ktest_run", "continue", "bt", "keel info", "keel tests",
                      "keel mmap", "keel monitor", "kill", args=["-x", str(gdbinit)]),
                  ctx.root)
    except AssertionError as e:
        raise AssertionError("%s\nQEMU's console:\n%s" % (e, tail(read(log), 10))) from None
    finally:
        stop(qemu)
    qemu_tail = "\nQEMU's console:\n" + tail(read(log), 10)
    part = sections(out)

    check(part["continue"], "the breakpoint to stop in ktest_run",
          re.search(r"^Breakpoint 1, ktest_run \(", part["continue"], re.M), qemu_tail)
    check(part["bt"], "a backtrace frame in kernel_main",
          re.search(r"^#\d+\s+0x[0-9a-f]+ in kernel_main \(", part["bt"], re.M))
    info = part["keel info"]
    check(info, "`keel info` to show the boot command line",
          re.search(r"^Command line: exit=qemu test=boot$", info, re.M))
    check(info, "`keel info` to show test = \"boot\" from kconfig",
          re.search(r'^\s+test\s+= "boot"$', info, re.M))
    usable = re.search(r"^\s+(\d+) KiB usable in \d+ regions$", part["keel mmap"], re.M)
    check(part["keel mmap"], "`keel mmap` to total the usable memory",
          usable and int(usable.group(1)) > 0)
    tests = part["keel tests"]
    check(tests, "`keel tests` to list boot.kprintf.decimal",
          re.search(r"^\s+boot\.kprintf\.decimal$", tests, re.M))
    check(tests, "`keel tests` to mark boot.selftest.panics explicit",
          re.search(r"^\s+boot\.selftest\.panics\s+\(explicit\)$", tests, re.M))
    check(part["keel monitor"], "`keel monitor` to list the command 'help'",
          re.search(r"^\s+help\s+list the commands$", part["keel monitor"], re.M))
    check_no_traceback(out)


def test_keel_help(ctx):
    """`keel` lists its subcommands; without a kernel they fail in one line."""
    script = str(ctx.root / "scripts" / "gdb" / "keel.py")
    commands = ("keel info", "keel mmap", "keel tests", "keel monitor")

    # The ELF alone: no process, but the symbols and the constant tables.
    out = run(gdb("file %s" % ctx.kernel, "source %s" % script, "keel", *commands), ctx.root)
    part = sections(out)
    for c in commands:
        check(part["keel"], "`keel` to list %r with its summary" % c,
              re.search(r"^%s -- \S" % re.escape(c), part["keel"], re.M))
    for c in ("keel info", "keel mmap"):
        check(part[c], "%r to say no kernel is running, in one line" % c,
              re.fullmatch(r"%s: no kernel is running.*" % c, part[c]))
    check(part["keel tests"], "`keel tests` to read the test table from the ELF",
          re.search(r"^\s+boot\.kprintf\.decimal$", part["keel tests"], re.M))
    check_no_traceback(out)

    # Nothing loaded at all: every command names the missing piece.
    out = run(gdb("source %s" % script, *commands), ctx.root)
    part = sections(out)
    for c in commands:
        check(part[c], "%r to fail with one line starting '%s: '" % (c, c),
              re.fullmatch(r"%s: \S.*" % c, part[c]))
    check_no_traceback(out)
