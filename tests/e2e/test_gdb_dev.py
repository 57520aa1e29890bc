"""test_gdb_dev - the slice 6 `keel` command, `keel irqs`, and slice 6's programs in GDB.

`keel irqs` reads slice 6's interrupt lines (irq_lines[], defined in
kernel/dev/interrupt.c) and slice 1's handlers and counts (slots[], a
static of kernel/sched/irq.c) and prints what the monitor's `irqs`
prints. These tests boot the kernel under `make qemu-gdb` running the
in-kernel case dev.dev_monitor.irqs, which runs `irqs` with no driver
(and `irqs extra`, refused), then spawns t_dev_peer
(userspace/tests/dev/t_dev_peer.c), which binds line 8 (the RTC), takes
one interrupt and waits with the line masked, runs `irqs` again, kills
the task and runs `irqs` a third time. A breakpoint on cmd_irqs() stops
before each `irqs` prints, so `keel irqs` must show the same lines the
monitor then prints, all three times. `keel handles` names the hardware
objects. A damage planted with `set var` is flagged: a line bound
through the dead task's capability, a line `waiting` that is not bound.
Before slice 6 is set up, without a running kernel, with nothing loaded
and with a kernel built without slice 6 (SLICES=5, built once into
build/dev-slices5) the command says so in one line, never a Python
traceback. `keel user NAME` loads the symbols of t_dev_peer and of every
program of userspace/programs/ (the device servers among them once they
are there). The lines keel_dev.py takes for the kernel's own must be
arch_irq_kernel()'s.

The helpers are test_gdb's, test_gdb_sched's and test_gdb_user's.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_gdb as gdbtest  # noqa: E402  (the modules, so their tests are not collected again)
import test_gdb_sched as schedtest  # noqa: E402
import test_gdb_user as usertest  # noqa: E402

SLICE = "dev"

CASE = "test=dev.dev_monitor.irqs"
CHECK = gdbtest.check
output = schedtest.output
LINES = "irq_lines"
HEADER = "LINE OWNER                  NOTIFICATION BITS       STATE     DELIVERED      TAKEN"
FOOTER = " lines bound to drivers"
SHOW_LINE = 8  # the RTC's, which t_dev_peer binds (tests/kernel/dev/monitor.c)
PEER_C = "userspace/tests/dev/t_dev_peer.c"

# After the last `irqs` has printed: line 8 bound again through the capability
# t_dev_peer had (its task gone), and line 5 waiting without being bound.
PLANTS = ("set var %s[%d].slot = $slot" % (LINES, SHOW_LINE),
          "set var %s[%d].task = $task" % (LINES, SHOW_LINE),
          "set var %s[5].waiting = 1" % LINES)


def free_line(n):
    """A line no driver has, as the monitor prints it (line 2 is the kernel's cascade)."""
    return r"%4d %-23s -            -          -         +\d+ +\d+" % (
        n, "kernel" if n == 2 else "-")


def expected_irqs(task=None):
    """The lines `irqs` prints, as regular expressions: with t_dev_peer's task id
    `task`, line 8 bound to it and masked, having delivered its one interrupt."""
    lines = [re.escape(HEADER)]
    for n in range(16):
        if n == SHOW_LINE and task is not None:
            lines.append(r"   8 task %-5d t_dev_peer   0x[0-9a-f]+ +0x00000010 masked +1 +\d+"
                         % task)
        else:
            lines.append(free_line(n))
    lines.append(r"%d of 16 lines bound to drivers" % (task is not None))
    return lines


def matches(text, patterns):
    """True if `text` is one line per pattern, each matching it whole."""
    lines = text.split("\n")
    return len(lines) == len(patterns) and all(
        re.fullmatch(p, line) for p, line in zip(patterns, lines))


def monitor_tables(ctx):
    """The tables the monitor printed for `irqs`, in order, from QEMU's console."""
    console = gdbtest.read(ctx.tmp / "qemu.log").replace("\r\n", "\n")
    tables, start = [], console.find(HEADER + "\n")
    while start >= 0:
        end = console.find(FOOTER + "\n", start)
        CHECK(console, "each `irqs` table on the console to end with its count", end >= 0)
        tables.append(console[start:end + len(FOOTER)])
        start = console.find(HEADER + "\n", end)
    return tables


def test_irqs(ctx):
    """Before, while and after t_dev_peer has line 8 bound and masked, as the monitor prints."""
    parts, console = usertest.debug(
        ctx, CASE, "keel irqs", "break kernel_main", "continue", "keel irqs", "delete",
        "break cmd_irqs", "continue", "keel irqs", "continue", "continue", "keel irqs",
        "keel tasks", "keel handles t_dev_peer", "set $slot = %s[%d].slot" % (LINES, SHOW_LINE),
        "set $task = %s[%d].task" % (LINES, SHOW_LINE), "continue", "keel irqs", "delete",
        "finish", *PLANTS, "keel irqs")
    CHECK(output(parts, "keel irqs", 0), "`keel irqs` before paging to say it is not set up",
          output(parts, "keel irqs", 0) == "Interrupt lines: (not yet set up)")
    usertest.stopped_at(parts, "continue", "kernel_main", console)
    CHECK(output(parts, "keel irqs", 1), "`keel irqs` in kernel_main() to say it is not set up",
          output(parts, "keel irqs", 1) == "Interrupt lines: (not yet set up)")
    for nth in (1, 2, 3, 4):
        CHECK(output(parts, "continue", nth), "stop %d in cmd_irqs()" % nth,
              re.search(r"^Breakpoint \d+, cmd_irqs \(argc=%d," % (2 if nth == 2 else 1),
                        output(parts, "continue", nth), re.M), console)

    tasks = usertest.task_rows(output(parts, "keel tasks"))
    # Its thread may still be READY: the interrupt woke it, and the case runs
    # `irqs` once the line is masked, whether or not it has gone back to wait.
    CHECK(output(parts, "keel tasks"), "t_dev_peer alone, LIVE",
          [(r["name"], r["state"]) for r in tasks] == [("t_dev_peer", "LIVE")])
    task = tasks[0]["id"]
    texts = [output(parts, "keel irqs", nth) for nth in (2, 3, 4)]
    for text, peer, when in zip(texts, (None, task, None),
                                ("before t_dev_peer", "with line 8 bound by t_dev_peer and "
                                 "masked", "once t_dev_peer is killed")):
        CHECK(text, "every line free but the kernel's cascade %s" % when
              if peer is None else "%s, the other lines free" % when,
              matches(text, expected_irqs(peer)), console)
    CHECK(texts[2], "line 8's delivered and taken counts kept once it is free again",
          re.search(r"^   8 -  .* +1 +[1-9]\d*$", texts[2], re.M))
    tables = monitor_tables(ctx)
    CHECK("\n\n".join(tables), "three `irqs` tables from the monitor", len(tables) == 3,
          console)
    for text, table in zip(texts, tables):
        CHECK(text, "the very lines the monitor printed next", text == table,
              "\nThe monitor printed:\n" + table)

    handles = usertest.handle_rows(output(parts, "keel handles t_dev_peer"))
    CHECK(output(parts, "keel handles t_dev_peer"),
          "the hardware originals (slots 60-62) and the line t_dev_peer derived, described",
          [handles.get(s, ("",) * 7)[1::5] for s in (60, 61, 62)]
          == [("IRQ", "0x1 interrupt lines"), ("IOPORT", "0x1 I/O ports"),
              ("DEVICE", "0x1 device memory")]
          and any(h[1] == "IRQ" and h[4] == 1 and h[5] == "%d:60" % task
                  for h in handles.values()))

    damaged = output(parts, "keel irqs", 5).split("\n")
    CHECK("\n".join(damaged), "line 8 bound through the dead task's capability: flagged",
          len(damaged) == 18 and damaged[1 + SHOW_LINE].startswith("   8 task %-5d %-12s "
                                                                    % (task, ""))
          and "holder task %d is not live" % task in damaged[1 + SHOW_LINE]
          and damaged[-1] == "1 of 16 lines bound to drivers")
    CHECK("\n".join(damaged), "line 5 waiting but not bound: flagged",
          re.fullmatch(free_line(5) + r" \[waiting, but not bound\]", damaged[6]))
    CHECK("\n".join(damaged), "the other lines as they were, without flags",
          all("[" not in line for n, line in enumerate(damaged) if n not in (6, 9)))


def test_without_kernel(ctx):
    """ELF only, and nothing loaded: one line each."""
    script = str(ctx.root / "scripts" / "gdb" / "keel.py")
    out = gdbtest.run(gdbtest.gdb("file %s" % ctx.kernel, "source %s" % script, "keel",
                                  "help keel irqs", "keel irqs", "keel irqs now"),
                      ctx.root, timeout=25)
    gdbtest.check_no_traceback(out)
    part = gdbtest.sections(out)
    CHECK(part["keel"], "`keel` to list `keel irqs` with its summary",
          re.search(r"^keel irqs -- List the interrupt lines", part["keel"], re.M))
    CHECK(part["help keel irqs"], "`help keel irqs` to tell what the command shows",
          "As the monitor's `irqs` prints them" in part["help keel irqs"])
    CHECK(part["keel irqs"], "`keel irqs` to say no kernel is running, in one line",
          re.fullmatch(r"keel irqs: no kernel is running.*", part["keel irqs"]))
    CHECK(part["keel irqs now"], "an argument refused in one line",
          part["keel irqs now"] == "keel irqs takes no arguments")

    out = gdbtest.run(gdbtest.gdb("source %s" % script, "keel irqs"), ctx.root, timeout=25)
    gdbtest.check_no_traceback(out)
    CHECK(out, "`keel irqs` with nothing loaded to ask for the kernel",
          re.fullmatch(r"keel irqs: no kernel symbols: is the kernel loaded\? .*",
                       gdbtest.sections(out)["keel irqs"]))


def test_without_slice6(ctx):
    """A kernel built with SLICES=5: `keel irqs` says slice 6 is not in it; slice 5's work."""
    script = str(ctx.root / "scripts" / "gdb" / "keel.py")
    kernel = usertest.slices_kernel(ctx, 5)
    out = gdbtest.run(gdbtest.gdb("file %s" % kernel, "source %s" % script, "keel irqs",
                                  "keel caps 1"), ctx.root, timeout=25)
    gdbtest.check_no_traceback(out)
    part = gdbtest.sections(out)
    CHECK(part["keel irqs"], "`keel irqs` to say slice 6 is not in this kernel, in one line",
          part["keel irqs"] == "keel irqs: slice 6 (userspace drivers) is not in this kernel: "
                               "it was built with SLICES below 6")
    CHECK(part["keel caps 1"], "slice 5's `keel caps` still there (no kernel running)",
          re.fullmatch(r"keel caps: no kernel is running.*", part["keel caps 1"]))


def programs(ctx):
    """(name, its source) of t_dev_peer and of every program of userspace/programs/, as
    userspace/user.mk finds them (one C file each)."""
    folder = ctx.root / "userspace" / "programs"
    found = sorted(p.stem for p in folder.glob("*.c"))
    return [("t_dev_peer", PEER_C)] + [(name, "userspace/programs/%s.c" % name)
                                       for name in found]


def test_user_symbols(ctx):
    """`keel user NAME` loads t_dev_peer's and each program's symbols, one after another."""
    script = str(ctx.root / "scripts" / "gdb" / "keel.py")
    names = programs(ctx)
    commands = [c for name, _ in names for c in ("keel user %s" % name, "info line main")]
    out = gdbtest.run(gdbtest.gdb("file %s" % ctx.kernel, "source %s" % script, *commands),
                      ctx.root, timeout=25)
    gdbtest.check_no_traceback(out)
    parts = schedtest.steps(out)
    for nth, (name, source) in enumerate(names):
        loaded = output(parts, "keel user %s" % name)
        CHECK(loaded, "`keel user %s` to load build/dev/user/bin/%s" % (name, name),
              re.fullmatch(r"Loaded the symbols of %s from \S+/build/dev/user/bin/%s, entry "
                           r"0x[0-9a-f]+( \(instead of \S+'s\))?" % (name, name), loaded))
        CHECK(output(parts, "info line main", nth), "main to be %s's, in %s" % (name, source),
              re.search(r"^Line \d+ of \"%s\"" % re.escape(source),
                        output(parts, "info line main", nth)))


def test_kernel_lines_agree(ctx):
    """keel_dev.py's KERNEL_LINES are the lines arch_irq_kernel() keeps."""
    arch = (ctx.root / "arch" / "x86" / "dev" / "ioport.c").read_text()
    script = (ctx.root / "scripts" / "gdb" / "keel_dev.py").read_text()
    body = re.search(r"^bool arch_irq_kernel\(unsigned line\)\n\{\n(.*?)\n\}$", arch,
                     re.M | re.S)
    kept = re.fullmatch(r"\treturn (line == \d+(?: \|\| line == \d+)*);.*", body.group(1)) \
        if body else None
    lines = re.search(r"^KERNEL_LINES = \(([\d, ]*)\)$", script, re.M)
    assert kept and lines, ("expected arch_irq_kernel() in arch/x86/dev/ioport.c to return "
                            "`line == N || ...` and keel_dev.py to set KERNEL_LINES = (...); "
                            "update this test with them")
    arch_lines = sorted(int(n) for n in re.findall(r"line == (\d+)", kept.group(1)))
    gdb_lines = sorted(int(n) for n in re.findall(r"\d+", lines.group(1)))
    assert arch_lines == gdb_lines, (
        "expected keel_dev.py's KERNEL_LINES %s to be the lines arch_irq_kernel() keeps, %s"
        % (gdb_lines, arch_lines))
