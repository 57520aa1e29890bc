"""test_iso - the GRUB ISO that boots Keel on Bochs and real PCs.

QEMU boots keel.elf directly (-kernel); everything else boots it from a
GRUB rescue ISO made by scripts/mkiso (`make iso`). These tests check that
`make iso` makes a real ISO 9660 image holding the current kernel, and
boot an ISO in QEMU through its BIOS and GRUB (-cdrom): Keel must run its
tests and leave QEMU with the pass status, the command line must reach
Keel unchanged, and GRUB must leave COM1 to Keel alone.

Every wait has a time limit and every process started is killed before
the test returns.
"""

import re

from procs import read, stop, tail
import procs

SLICE = "boot"

TIMEOUT = 120.0  # seconds for one boot: TCG on two slow cores, BIOS and GRUB first
QEMU = ["qemu-system-i386", "-M", "pc", "-cpu", "max", "-m", "128M", "-no-reboot",
        "-display", "none", "-monitor", "none",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]


# ---------------------------------------------------------------------------
# Helpers


def run(cmd, cwd, timeout=TIMEOUT):
    """procs.run() with this module's time limit."""
    return procs.run(cmd, cwd, timeout)


def banner(ctx):
    """The first line Keel prints: "Keel VERSION (dev profile, i386)"."""
    m = re.search(r"^VERSION\s*:?=\s*(\S+)", read(ctx.root / "Makefile"), re.M)
    assert m, "expected a VERSION := line in the Makefile"
    return "Keel %s (dev profile, i386)" % m.group(1)


def pass_status(ctx):
    """QEMU's exit status when Keel reports success: 2 * KEEL_EXIT_PASS + 1."""
    header = read(ctx.root / "kernel" / "include" / "keel" / "arch.h")
    m = re.search(r"KEEL_EXIT_PASS\s*=\s*(0x[0-9a-fA-F]+|\d+)", header)
    assert m, "expected KEEL_EXIT_PASS = N in kernel/include/keel/arch.h"
    return 2 * int(m.group(1), 0) + 1


def mkiso(ctx, name, cmdline):
    """Build ctx.tmp/`name` from the built kernel with scripts/mkiso."""
    iso = ctx.tmp / name
    status, out = run(["scripts/mkiso", str(ctx.kernel), str(iso), cmdline], ctx.root)
    assert status == 0 and iso.is_file() and iso.stat().st_size > 0, (
        "expected scripts/mkiso to write %s; it exited with status %d:\n%s"
        % (iso, status, tail(out)))
    return iso


def boot_iso(ctx, iso):
    """Boot `iso` in QEMU until Keel leaves it; return (status, COM1 output)."""
    serial = ctx.tmp / (iso.stem + ".serial")
    status, out = run(QEMU + ["-serial", "file:%s" % serial, "-cdrom", str(iso)], ctx.root)
    return status, read(serial), out


# ---------------------------------------------------------------------------
# Tests


def test_make_iso(ctx):
    """`make iso` writes build/dev/keel.iso: ISO 9660, holding today's kernel."""
    status, out = run(["make", "-s", "iso"], ctx.root, timeout=300)
    iso = ctx.build / "keel.iso"
    assert status == 0, "expected `make -s iso` to succeed; status %d:\n%s" % (status, tail(out))
    assert iso.is_file() and iso.stat().st_size > 0, (
        "expected `make -s iso` to write a non-empty %s; it did not. make said:\n%s"
        % (iso, tail(out)))
    with open(iso, "rb") as f:
        f.seek(0x8001)
        magic = f.read(5)
    assert magic == b"CD001", ("expected an ISO 9660 image (CD001 at offset 0x8001) in %s; "
                               "found %r" % (iso, magic))
    assert iso.stat().st_mtime >= ctx.kernel.stat().st_mtime, (
        "expected %s to be at least as new as %s after `make iso`" % (iso, ctx.kernel))

    # What GRUB will load must be the kernel that was just built.
    kernel, cfg = ctx.tmp / "keel.elf", ctx.tmp / "grub.cfg"
    status, out = run(["xorriso", "-osirrox", "on", "-indev", str(iso),
                       "-extract", "/boot/keel.elf", str(kernel),
                       "-extract", "/boot/grub/grub.cfg", str(cfg)], ctx.tmp)
    assert status == 0, ("expected xorriso to extract /boot/keel.elf and /boot/grub/grub.cfg "
                         "from %s; status %d:\n%s" % (iso, status, tail(out)))
    assert kernel.read_bytes() == ctx.kernel.read_bytes(), (
        "expected /boot/keel.elf in %s to be %s; it differs" % (iso, ctx.kernel))
    text = read(cfg)
    assert re.search(r"^\s*multiboot /boot/keel\.elf", text, re.M), (
        "expected grub.cfg to load /boot/keel.elf with `multiboot`; it holds:\n%s" % tail(text))


def test_iso_boots_in_qemu(ctx):
    """GRUB boots Keel, which runs test=boot and leaves QEMU with PASS."""
    iso = mkiso(ctx, "boot.iso", "test=boot exit=qemu")
    status, serial, out = boot_iso(ctx, iso)
    expected = pass_status(ctx)
    assert status == expected, (
        "expected QEMU to exit with status %d (Keel's tests passed); got %d. COM1:\n%s\n"
        "QEMU said:\n%s" % (expected, status, tail(serial), tail(out, 5)))
    for line in ("KTAP version 1", "ok 1 boot.boot"):
        assert re.search("^%s\r?$" % re.escape(line), serial, re.M), (
            "expected the line %r on COM1; got:\n%s" % (line, tail(serial)))
    first = banner(ctx)
    at = serial.find(first)
    assert at >= 0, "expected Keel's banner %r on COM1; got:\n%s" % (first, tail(serial))
    assert at == 0, ("expected nothing on COM1 before Keel's banner (GRUB must stay off the "
                     "serial port); found %r" % serial[:at][-300:])
    assert "command line: test=boot exit=qemu" in serial, (
        "expected Keel to report its command line as 'test=boot exit=qemu' (GRUB's path "
        "removed); got:\n%s" % tail(serial))


def test_iso_passes_command_line_verbatim(ctx):
    """Characters special to GRUB's script language reach Keel unchanged.

    Quotes and backslashes cannot (GRUB passes them on escaped), so
    scripts/mkiso refuses them with a message instead.
    """
    odd = "x=$HOME;a|b&c<d>e{f}(g)#h[i]"
    iso = mkiso(ctx, "cmdline.iso", "test=boot.bss_is_zero exit=qemu " + odd)
    status, serial, out = boot_iso(ctx, iso)
    line = "command line: test=boot.bss_is_zero exit=qemu " + odd
    assert re.search("^%s\r?$" % re.escape(line), serial, re.M), (
        "expected Keel to print %r; got:\n%s\nQEMU said:\n%s" % (line, tail(serial), tail(out, 5)))
    expected = pass_status(ctx)
    assert status == expected, ("expected QEMU to exit with status %d; got %d. COM1:\n%s"
                                % (expected, status, tail(serial)))

    for bad in ('a="b c"', "a='b'", "a=b\\c"):
        iso = ctx.tmp / "bad.iso"
        status, out = run(["scripts/mkiso", str(ctx.kernel), str(iso), bad], ctx.root)
        assert status != 0 and "cannot hold quotes or backslashes" in out and bad in out, (
            "expected scripts/mkiso to refuse the command line %r, naming it; status %d:\n%s"
            % (bad, status, tail(out)))
        assert not iso.exists(), "expected no ISO for the refused command line %r" % bad
