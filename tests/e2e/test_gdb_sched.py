"""test_gdb_sched - the slice 1 `keel` commands on a running Keel.

`keel threads`, `keel runq` and `keel timers` read the scheduler's state
(threads[], cpu0, the pending timers). These tests boot the kernel under
`make qemu-gdb` running one in-kernel test, sched.timer.sleepers_wake_in_
deadline_order: main creates three "sleeper" threads above its own
priority, each sleeps at once (9, 3 and 6 ms), and main joins them. GDB
stops at known points of that story and the tests check the tables, then
make the checks of `keel runq` and `keel timers` find damage planted with
`set var`. Before the scheduler runs, each command must say so.

What the tables show depends on time: the sleepers must all be asleep
when GDB stops, so the 3 ms one must not wake before main reaches
thread_join(). QEMU's clock is the host's, and on a loaded machine a
stalled QEMU saw that happen. So QEMU runs with `-icount` (see ICOUNT):
guest time then advances with the instructions executed, the same on
every run, whatever the load. For the same reason the stop points are
plain breakpoints: a conditional one in a hot function (sched_switch)
stops QEMU at every call to evaluate it.

The helpers (ports, gdbinit, batch GDB, checks) are test_gdb's. Every
wait has a time limit and QEMU is killed before a test returns.
"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_gdb as gdbtest  # noqa: E402  (the module, so its tests are not collected again)

SLICE = "sched"

CASE = "sched.timer.sleepers_wake_in_deadline_order"

# QEMU with a virtual clock driven by the instruction count: 2**3 ns per
# instruction, and time skips ahead while the guest halts. Replaces the
# Makefile's QEMU (qemu-system-i386); QEMU_FLAGS stay the Makefile's.
ICOUNT = "qemu-system-i386 -icount shift=3"
COMMANDS = ("keel threads", "keel runq", "keel timers")
CHECK = gdbtest.check


def debug(ctx, cmdline, *commands, qemu=ICOUNT, timeout=25, make_args=()):
    """Boot Keel with `cmdline` under `make qemu-gdb`, run batch GDB `commands`.

    QEMU is `qemu` (ICOUNT unless told otherwise); `make_args` are more
    variables for make (SLICES=4 BUILD=... boots another build, whose
    kernel must be ctx.kernel for GDB). Returns GDB's output,
    split with steps(), and QEMU's console (for failure messages). QEMU is
    gone when this returns.
    """
    port = gdbtest.free_port()
    gdbinit = gdbtest.make_gdbinit(ctx, port)
    log = ctx.tmp / "qemu.log"
    make = ["make", "-s", "qemu-gdb", "GDBPORT=%d" % port, "CMDLINE=%s" % cmdline, *make_args]
    with open(log, "wb") as f:
        proc = subprocess.Popen(make + (["QEMU=%s" % qemu] if qemu else []), cwd=ctx.root,
                                stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        gdbtest.wait_for_port(port, proc, log)
        out = gdbtest.run(gdbtest.gdb(*commands, "kill", args=["-x", str(gdbinit)]),
                          ctx.root, timeout=timeout)
    except AssertionError as e:
        raise AssertionError("%s\nQEMU's console:\n%s"
                             % (e, gdbtest.tail(gdbtest.read(log), 10))) from None
    finally:
        gdbtest.stop(proc)
    gdbtest.check_no_traceback(out)
    return steps(out), "\nQEMU's console:\n" + gdbtest.tail(gdbtest.read(log), 10)


def steps(out):
    """Split batch GDB output into [(command, what it printed)], in order.

    Like test_gdb.sections(), but a command may run more than once.
    """
    result = []
    for line in out.splitlines(keepends=True):
        if line.startswith(gdbtest.MARK + " "):
            result.append([line[len(gdbtest.MARK) + 1:].rstrip("\n"), ""])
        elif result:
            result[-1][1] += line
    return [(command, text.rstrip("\n")) for command, text in result]


def output(parts, command, nth=0):
    """What the nth run of `command` printed."""
    texts = [text for c, text in parts if c == command]
    assert len(texts) > nth, "expected GDB to run %r; it ran %s" % (command, [c for c, _ in parts])
    return texts[nth]


def thread_rows(text):
    """`keel threads` rows as dicts: current, tid, name, state, prio, waits."""
    rows = []
    row = r"^([* ]) ([0-9a-f]{8}) (\S+) +([A-Z]+) +(\d+) +\d+ +\d+ *(.*)$"
    for m in re.finditer(row, text, re.M):
        rows.append({"current": m.group(1) == "*", "tid": m.group(2), "name": m.group(3),
                     "state": m.group(4), "prio": int(m.group(5)), "waits": m.group(6)})
    return rows


def timer_rows(text):
    """`keel timers` rows as (deadline, callback, owner)."""
    return [(int(m.group(1)), m.group(2), m.group(3)) for m in
            re.finditer(r"^ +(\d+) +[+-]\d+ +(\S+) *(.*)$", text, re.M)]


# ---------------------------------------------------------------------------
# Tests


def test_sleepers_pending(ctx):
    """Stop at main's first thread_join(): three sleepers SLEEPING, three timers."""
    parts, console = debug(ctx, "test=" + CASE, "break thread_join", "continue", *COMMANDS)
    stopped = output(parts, "continue")
    CHECK(stopped, "the breakpoint to stop in thread_join",
          re.search(r"^Breakpoint 1, thread_join \(", stopped, re.M), console)

    threads = output(parts, "keel threads")
    rows = thread_rows(threads)
    names = [r["name"] for r in rows]
    CHECK(threads, "`keel threads` to list main, idle and three sleepers",
          sorted(names) == ["idle", "main", "sleeper", "sleeper", "sleeper"])
    main = rows[names.index("main")]
    CHECK(threads, "main RUNNING at priority 128, marked '*' as the current thread",
          main["state"] == "RUNNING" and main["prio"] == 128 and main["current"])
    sleepers = [r for r in rows if r["name"] == "sleeper"]
    CHECK(threads, "every sleeper SLEEPING at 129 'until <deadline> us', none current",
          all(r["state"] == "SLEEPING" and r["prio"] == 129 and not r["current"]
              and re.fullmatch(r"until \d+ us", r["waits"]) for r in sleepers))
    CHECK(threads, "the footer '5 of 64 threads; N context switches'",
          re.search(r"^5 of 64 threads; \d+ context switches$", threads, re.M))

    timers = output(parts, "keel timers")
    rows = timer_rows(timers)
    deadlines = [d for d, _, _ in rows]
    CHECK(timers, "three timers calling sleep_done, each for a SLEEPING sleeper",
          len(rows) == 3 and all(fn == "sleep_done" and re.fullmatch(
              r"[0-9a-f]{8} sleeper \(SLEEPING\)", owner) for _, fn, owner in rows))
    CHECK(timers, "the timers in nondecreasing deadline order", deadlines == sorted(deadlines))
    CHECK(timers, "the deadlines to match the sleepers' 'until' in `keel threads`",
          sorted(deadlines) == sorted(int(r["waits"].split()[1]) for r in sleepers))
    CHECK(timers, "'3 of 128 timers pending; heap OK'",
          re.search(r"^3 of 128 timers pending; heap OK$", timers, re.M))
    CHECK(timers, "a tick count", re.search(r"^ticks: \d+$", timers, re.M))

    runq = output(parts, "keel runq")
    CHECK(runq, "an empty run queue: main runs, the sleepers sleep",
          re.search(r"^  \(empty\)$", runq, re.M))
    CHECK(runq, "'bitmap OK'", re.search(r"^bitmap OK$", runq, re.M))
    CHECK(runq, "'count 0, as on the lists'", re.search(r"^count 0, as on the lists$", runq, re.M))
    CHECK(runq, "main named as the current thread",
          re.search(r"^current: +[0-9a-f]{8} main \(RUNNING\)$", runq, re.M))
    CHECK(runq, "the idle thread named", re.search(r"^idle: +[0-9a-f]{8} idle \(", runq, re.M))


def test_woken_sleeper_queued(ctx):
    """Just after the first sleep_done(): one sleeper READY on level 129, main blocked."""
    parts, console = debug(ctx, "test=" + CASE, "break sleep_done", "continue", "finish",
                           *COMMANDS)
    stopped = output(parts, "finish")
    CHECK(stopped, "`finish` to return from sleep_done() to timer_tick()",
          re.search(r"^(Run till exit|timer_tick \()", stopped, re.M), console)

    runq = output(parts, "keel runq")
    CHECK(runq, "level 129 to hold exactly one sleeper",
          re.search(r"^  129: [0-9a-f]{8} sleeper$", runq, re.M))
    CHECK(runq, "no other level listed", len(re.findall(r"^ +\d+: ", runq, re.M)) == 1)
    CHECK(runq, "summary bit 4 and bit 1 of words[4] (level 129) set",
          re.search(r"^Bitmap: summary 0x00000010, words\[0\.\.7\] "
                    r"00000000 00000000 00000000 00000000 00000002 00000000 00000000 00000000$",
                    runq, re.M))
    CHECK(runq, "'bitmap OK'", re.search(r"^bitmap OK$", runq, re.M))
    CHECK(runq, "'count 1, as on the lists'", re.search(r"^count 1, as on the lists$", runq, re.M))
    CHECK(runq, "the idle thread running, and named as idle",
          re.search(r"^current: +[0-9a-f]{8} idle \(RUNNING\)$", runq, re.M)
          and re.search(r"^idle: +[0-9a-f]{8} idle \(RUNNING; never queued", runq, re.M))
    CHECK(runq, "need_resched set: the woken sleeper beats idle",
          re.search(r"^need_resched yes; ", runq, re.M))

    threads = output(parts, "keel threads")
    rows = thread_rows(threads)
    states = sorted(r["state"] for r in rows if r["name"] == "sleeper")
    CHECK(threads, "one sleeper READY and two SLEEPING",
          states == ["READY", "SLEEPING", "SLEEPING"])
    main = [r for r in rows if r["name"] == "main"]
    CHECK(threads, "main BLOCKED in thread_join() on a sleeper's exit, with no timeout",
          main and main[0]["state"] == "BLOCKED" and re.fullmatch(
              r"waitq 0x[0-9a-f]+ \(exit of [0-9a-f]{8} sleeper\), no timeout", main[0]["waits"]))

    timers = output(parts, "keel timers")
    CHECK(timers, "two timers left, both sleep_done",
          [fn for _, fn, _ in timer_rows(timers)] == ["sleep_done", "sleep_done"]
          and re.search(r"^2 of 128 timers pending; heap OK$", timers, re.M))


def test_checks_find_damage(ctx):
    """Planted damage: `keel runq` and `keel timers` name each broken invariant."""
    parts, console = debug(
        ctx, "test=" + CASE, "break thread_join", "continue",
        "set var cpu0.rq.ready.words[1] = 4",  # level 34: bit set, list empty
        "set var cpu0.rq.count = 2",
        # level 7: a node that points at itself, a cycle that misses the head
        "set var cpu0.rq.levels[7].next = &'kernel/sched/thread.c'::threads[2].rq.link",
        "set var 'kernel/sched/thread.c'::threads[2].rq.link.next = "
        "&'kernel/sched/thread.c'::threads[2].rq.link",
        "set var 'kernel/sched/timer.c'::pending.heap[0]->index = 5",
        "keel runq", "keel timers")
    CHECK(output(parts, "continue"), "the breakpoint to stop in thread_join",
          re.search(r"^Breakpoint 1, thread_join \(", output(parts, "continue"), re.M), console)

    runq = output(parts, "keel runq")
    for what, pattern in (
            ("the cycle on level 7", r"^  level 7: list broken: node 0x[0-9a-f]+ comes again "
                                     r"after 1 node: a cycle$"),
            ("level 7 listing the sleeper, flagged as not queued and SLEEPING",
             r"^    7: [0-9a-f]{8} sleeper \[rq\.prio 129, rq\.queued false, SLEEPING\]$"),
            ("'bitmap WRONG:'", r"^bitmap WRONG:$"),
            ("level 34's stray bit", r"^  level 34: bit set, but its list is empty$"),
            ("level 7's missing bit", r"^  level 7: bit clear, but its list holds 1 thread$"),
            ("the summary disagreeing with words[1]",
             r"^  summary bit 1 is 0, but words\[1\] is 0x00000004$"),
            ("the wrong count", r"^count 2, but the lists hold 1 thread$")):
        CHECK(runq, "`keel runq` to report %s" % what, re.search(pattern, runq, re.M))
    CHECK(runq, "no 'bitmap OK'", not re.search(r"^bitmap OK$", runq, re.M))

    timers = output(parts, "keel timers")
    CHECK(timers, "`keel timers` to report the wrong index",
          re.search(r"^3 of 128 timers pending; heap WRONG:$", timers, re.M)
          and re.search(r"^  the timer at 0x[0-9a-f]+ is heap\[0\] but says index 5$",
                        timers, re.M))


def test_before_scheduler(ctx):
    """At the first instruction and in kernel_main(): "(not yet set up)", no traceback."""
    parts, console = debug(ctx, "test=" + CASE, *COMMANDS, "break kernel_main", "continue",
                           *COMMANDS)
    CHECK(output(parts, "continue"), "the breakpoint to stop in kernel_main",
          re.search(r"^Breakpoint 1, kernel_main \(", output(parts, "continue"), re.M), console)
    for where, nth in (("before paging", 0), ("in kernel_main()", 1)):
        for command, label in zip(COMMANDS, ("Threads", "Run queue", "Timers")):
            text = output(parts, command, nth)
            CHECK(text, "%r %s to print '%s: (not yet set up)'" % (command, where, label),
                  text == "%s: (not yet set up)" % label)


def test_without_kernel(ctx):
    """ELF only: `keel` lists the commands; each says no kernel runs, in one line."""
    script = str(ctx.root / "scripts" / "gdb" / "keel.py")
    out = gdbtest.run(gdbtest.gdb("file %s" % ctx.kernel, "source %s" % script, "keel",
                                  *COMMANDS), ctx.root, timeout=25)
    gdbtest.check_no_traceback(out)
    part = gdbtest.sections(out)
    for c in COMMANDS:
        CHECK(part["keel"], "`keel` to list %r with its summary" % c,
              re.search(r"^%s -- \S" % re.escape(c), part["keel"], re.M))
        CHECK(part[c], "%r to say no kernel is running, in one line" % c,
              re.fullmatch(r"%s: no kernel is running.*" % c, part[c]))


def test_locks(ctx):
    """`keel locks`: none held on entry to thread_join, the scheduler's inside a switch."""
    parts, console = debug(ctx, "test=" + CASE, "break thread_join", "continue", "keel locks",
                           "break sched_switch", "continue", "keel locks")
    outside, inside = output(parts, "keel locks"), output(parts, "keel locks", 1)
    CHECK(outside, "every lock listed free, with its rank",
          all(re.search(r"^%s +%d +\d+ +\d+  free$" % (name, rank), outside, re.M)
              for name, rank in (("sched", 10), ("irq", 20), ("vm", 30), ("slab", 40),
                                 ("frame", 50))), console)
    CHECK(outside, "no lock held by cpu0 on entry to thread_join",
          re.search(r"^Held by cpu0, first taken first: none$", outside, re.M), console)
    CHECK(inside, "sched held in sched_switch",
          re.search(r"^sched +10 +\d+ +\d+  held$", inside, re.M), console)
    CHECK(inside, "cpu0's stack naming the scheduler's lock",
          re.search(r"^Held by cpu0, first taken first: sched \(rank 10\)$", inside, re.M),
          console)
