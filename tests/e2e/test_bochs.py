"""test_bochs - Keel boots in Bochs 2.7 through GRUB (scripts/bochs).

Bochs is the second emulator a student debugs with (`make bochs`). These
tests run scripts/bochs in its headless mode, the one made for tests: no
terminal, no X server, a pseudo-terminal kept by a small helper, the
debugger told to continue, COM1 written to a file. They boot the ISO of
the built kernel to the monitor's prompt, check on a tiny Multiboot image
that a magic breakpoint (BOCHS_BREAK) does not stop a headless run, and
that a run ends by itself at its time limit.

Bochs is slow on small machines; every wait has a time limit and every
process started is killed before the test returns.
"""

import os
import re
import subprocess
import time

from procs import read, tail
import procs

SLICE = "boot"

TIMEOUT = 120.0  # seconds: Bochs on two slow cores, BIOS and GRUB first


# ---------------------------------------------------------------------------
# Helpers


def stop(proc):
    """Stop scripts/bochs: SIGTERM (its helper then kills Bochs), then SIGKILL."""
    procs.stop(proc, polite=True)


def run(cmd, cwd, timeout=TIMEOUT):
    """procs.run(), stopping scripts/bochs politely."""
    return procs.run(cmd, cwd, timeout, polite=True)


def mkiso(ctx, kernel, name, cmdline=""):
    """Wrap `kernel` in ctx.tmp/`name` with scripts/mkiso."""
    iso = ctx.tmp / name
    status, out = run(["scripts/mkiso", str(kernel), str(iso), cmdline], ctx.root)
    assert status == 0 and iso.is_file(), (
        "expected scripts/mkiso to write %s; status %d:\n%s" % (iso, status, tail(out)))
    return iso


def start_bochs(ctx, iso, serial, timeout=None):
    """Start scripts/bochs ISO --headless SERIAL in its own session.

    Its output (stdout and stderr) goes to ctx.tmp/bochs.out; `timeout`
    sets its own time limit (BOCHS_TIMEOUT).
    """
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    if timeout is not None:
        env["BOCHS_TIMEOUT"] = str(timeout)
    with open(ctx.tmp / "bochs.out", "wb") as out:
        return subprocess.Popen(["scripts/bochs", str(iso), "--headless", str(serial)],
                                cwd=ctx.root, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def what_bochs_said(ctx, serial):
    """COM1, scripts/bochs's output and the end of Bochs's log, for a failure."""
    log = "\n".join(line for line in read(serial.parent / "bochs.log").splitlines()
                    if not re.match(r"^\d+i\[", line))     # skip the many info lines
    return ("COM1:\n%s\nscripts/bochs said:\n%s\nbochs.log (errors and panics):\n%s"
            % (tail(read(serial)), tail(read(ctx.tmp / "bochs.out"), 20), tail(log, 10)))


def wait_for(ctx, proc, serial, texts, timeout=TIMEOUT):
    """Wait until each of `texts` is on COM1 (in that order), or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = read(serial)
        at = 0
        for text in texts:
            at = out.find(text, at)
            if at < 0:
                break
        else:
            return out
        if proc.poll() is not None:
            raise AssertionError("expected %r on COM1; Bochs ended first with status %d.\n%s"
                                 % (texts, proc.returncode, what_bochs_said(ctx, serial)))
        time.sleep(0.25)
    raise AssertionError("expected %r on COM1 within %.0f s; not seen.\n%s"
                         % (texts, timeout, what_bochs_said(ctx, serial)))


def banner(ctx):
    """The first line Keel prints: "Keel VERSION (dev profile, i386)"."""
    m = re.search(r"^VERSION\s*:?=\s*(\S+)", read(ctx.root / "Makefile"), re.M)
    assert m, "expected a VERSION := line in the Makefile"
    return "Keel %s (dev profile, i386)" % m.group(1)


def leftovers(ctx, wait=5.0):
    """Command lines of live processes still using this test's files."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in os.listdir("/proc"):
            try:
                with open("/proc/%s/cmdline" % entry, "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            except (OSError, ValueError):
                continue        # not a process, or it has just ended
            if str(ctx.tmp) in cmd:
                found.append("%s: %s" % (entry, cmd))
        if not found or time.monotonic() > deadline:
            return "\n".join(found)
        time.sleep(0.2)


# A Multiboot 1 image that prints "A", stops on a magic breakpoint, prints
# "B", stops again, prints "C" and a newline on COM1 (8N1), and halts.
TINY_KERNEL = r"""
	.text
	.align 4
	.long 0x1BADB002, 0, -0x1BADB002
	.globl _start
_start:
	mov $0x3fb, %dx		/* line control: 8 data bits, no parity, 1 stop */
	mov $0x03, %al
	out %al, %dx
	mov $0x41, %al
	call putc
	xchg %bx, %bx		/* BOCHS_BREAK() */
	mov $0x42, %al
	call putc
	xchg %bx, %bx
	mov $0x43, %al
	call putc
	mov $0x0a, %al
	call putc
	cli
1:	hlt
	jmp 1b
putc:
	mov %al, %ah
	mov $0x3fd, %dx		/* line status: wait until it can take a byte */
2:	in %dx, %al
	test $0x20, %al
	jz 2b
	mov $0x3f8, %dx
	mov %ah, %al
	out %al, %dx
	ret
"""


# ---------------------------------------------------------------------------
# Tests


def test_banner_on_serial(ctx):
    """Keel boots in Bochs to its banner and the monitor's prompt on COM1."""
    iso = mkiso(ctx, ctx.kernel, "keel.iso")
    serial = ctx.tmp / "serial.log"
    first = banner(ctx)
    proc = start_bochs(ctx, iso, serial)
    try:
        out = wait_for(ctx, proc, serial, [first, "keel> "])
        assert out.startswith(first), (
            "expected nothing on COM1 before Keel's banner; found %r" % out[:out.find(first)])
    finally:
        stop(proc)
    left = leftovers(ctx)
    assert not left, "expected no Bochs left after stopping scripts/bochs; found:\n%s" % left


def test_headless_continues_after_magic_break(ctx):
    """A magic breakpoint (BOCHS_BREAK) does not stop a headless run."""
    src, elf = ctx.tmp / "tiny.S", ctx.tmp / "tiny.elf"
    src.write_text(TINY_KERNEL)
    status, out = run(["i686-linux-gnu-gcc", "-m32", "-nostdlib", "-static", "-no-pie",
                       "-Wl,--build-id=none", "-Wl,-Ttext=0x100000", "-o", str(elf), str(src)],
                      ctx.tmp)
    assert status == 0, "expected the tiny kernel to build; status %d:\n%s" % (status, tail(out))
    iso = mkiso(ctx, elf, "tiny.iso")
    serial = ctx.tmp / "serial.log"
    proc = start_bochs(ctx, iso, serial)
    try:
        wait_for(ctx, proc, serial, ["ABC\n"])
        said = read(ctx.tmp / "bochs.out")
        stops = re.findall(r"debugger stopped .* continuing", said)
        assert len(stops) == 2, ("expected scripts/bochs to report 2 debugger stops, each "
                                 "continued; it said:\n%s" % tail(said))
    finally:
        stop(proc)


def test_headless_run_is_bounded(ctx):
    """scripts/bochs --headless kills Bochs after BOCHS_TIMEOUT s, status 124."""
    iso = mkiso(ctx, ctx.kernel, "keel.iso")
    serial = ctx.tmp / "serial.log"
    limit, grace = 3, 30
    proc = start_bochs(ctx, iso, serial, timeout=limit)
    try:
        try:
            proc.wait(timeout=limit + grace)
        except subprocess.TimeoutExpired:
            raise AssertionError("expected scripts/bochs to stop Bochs after BOCHS_TIMEOUT=%d s; "
                                 "still running %d s later.\n%s"
                                 % (limit, limit + grace, what_bochs_said(ctx, serial)))
        said = read(ctx.tmp / "bochs.out")
        assert proc.returncode == 124 and "stopped Bochs after %d s" % limit in said, (
            "expected status 124 and 'stopped Bochs after %d s' from scripts/bochs; got "
            "status %d.\n%s" % (limit, proc.returncode, what_bochs_said(ctx, serial)))
    finally:
        stop(proc)
    left = leftovers(ctx)
    assert not left, "expected no Bochs left after its time limit; found:\n%s" % left
