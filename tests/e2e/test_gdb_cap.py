"""test_gdb_cap - the slice 5 `keel` commands, `keel caps` and `keel captree`.

`keel caps TASK` and `keel captree TASK HANDLE` read every task's handle
table (tasks[], each table's `size` slots), the runs of frames
(frames_pool[]) and their mappings (frames_maps[]) and print what the
monitor's `caps` and `captree` print. These tests boot the kernel under
`make qemu-gdb` running the in-kernel case cap.cap_monitor.show, which
spawns t_cap_show (userspace/tests/cap/t_cap_show.c) and, once its three
tasks are BLOCKED, runs `caps` on each, `captree` on three trees and
`capgraph`. A breakpoint on cmd_caps() stops before the first of them
prints; from then on nothing changes until the case kills the children
(task_kill()), so GDB's lines must be the very lines the monitor prints
next. `keel handles` shows the same table with slice 5's rights, depth
and parents, and its handles' index bits must be abi.h's. A parent link
damaged with `set var` shows as "?"; before the capabilities are set up,
without a running kernel, and with a kernel built without slice 5
(SLICES=4, built once into build/dev-slices4, where `keel handles` still
works on a running kernel) the commands say so in one line, never a
Python traceback.

The helpers are test_gdb's, test_gdb_sched's and test_gdb_user's.
"""

import fcntl
import os
import re
import subprocess
import sys
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_gdb as gdbtest  # noqa: E402  (the modules, so their tests are not collected again)
import test_gdb_sched as schedtest  # noqa: E402
import test_gdb_user as usertest  # noqa: E402

SLICE = "cap"

CASE = "test=cap.cap_monitor.show"
CHECK = gdbtest.check
output = schedtest.output
TASKS = usertest.TASKS
# GDB's commands, one per block the monitor prints, in the monitor's order
# (tests/kernel/cap/monitor.c, expect_show()): tasks by their slot of
# tasks[] (main 0, the sender 1, the sharer 2: the case checks that order).
COMMANDS = ("keel caps 0", "keel caps 1", "keel caps 2", "keel captree 1 0x1001",
            "keel captree 2 4097", "keel captree 0 0x1002")
HEADERS = ("capabilities of task ", "derivation tree of ")


def monitor_blocks(ctx):
    """What the monitor printed for `caps` and `captree`, block by block, from the console."""
    console = gdbtest.read(ctx.tmp / "qemu.log").replace("\r\n", "\n")
    start, end = console.find("\n" + HEADERS[0]), console.find("\ncapgraph begin\n")
    CHECK(console, "the monitor's caps, captree and capgraph on the console",
          0 <= start < end)
    blocks = []
    for line in console[start + 1:end].split("\n"):
        if line.startswith(HEADERS):
            blocks.append([])
        blocks[-1].append(line)
    return ["\n".join(b) for b in blocks]


def test_caps_and_captree(ctx):
    """t_cap_show's capabilities and trees, as the monitor prints them; keel handles."""
    parts, console = usertest.debug(
        ctx, CASE, "keel caps 0", "break cmd_caps", "continue", *COMMANDS,
        "keel handles 0", "keel tasks", "p %s[1].handles.slot[1].generation" % TASKS,
        "keel captree 0 0x1008", "keel captree 0 0x2001", "keel captree 0 zz",
        "keel captree 0", "keel caps 0 1", "keel caps t_cap_show",
        "delete", "break task_kill", "continue",
        "set var %s[1].handles.slot[2].prev = 0" % TASKS, "keel caps 1")
    CHECK(output(parts, "keel caps 0"), "`keel caps` before paging to say it is not set up",
          output(parts, "keel caps 0") == "Capabilities: (not yet set up)")
    usertest.stopped_at(parts, "continue", "cmd_caps", console)
    tasks = usertest.task_rows(output(parts, "keel tasks"))
    CHECK(output(parts, "keel tasks"), "t_cap_show's three tasks in slots 0-2, all BLOCKED",
          [(r["slot"], r["name"]) for r in tasks] == [(i, "t_cap_show") for i in range(3)]
          and all(re.fullmatch(r"[0-9a-f]{8} BLOCKED", r["thread_list"]) for r in tasks))

    blocks = monitor_blocks(ctx)
    CHECK("\n\n".join(blocks), "six blocks from the monitor: caps of three tasks, three trees",
          len(blocks) == len(COMMANDS))
    for command, block in zip(COMMANDS, blocks):
        text = output(parts, command, 1 if command == "keel caps 0" else 0)
        CHECK(text, "%r to print the very lines the monitor printed next" % command,
              text == block, "\nThe monitor printed:\n" + gdbtest.tail(block, 20))
    CHECK(output(parts, "keel caps 0", 1), "main's endpoint with 3 derived, its frames mapped",
          re.search(r"^   1 0x1001   endpoint     rwWkSRGDM     0 original         3 endpoint "
                    r"0x[0-9a-f]+$", output(parts, "keel caps 0", 1), re.M)
          and "pages 0-3 of 4, mapped at 0x40000000" in output(parts, "keel caps 0", 1))
    CHECK(output(parts, "keel captree 1 0x1001"), "the endpoint's tree, four deep, marked",
          re.search(r"^      %d:1 t_cap_show ----S--D- handle 0x1001 <-$" % tasks[1]["id"],
                    output(parts, "keel captree 1 0x1001"), re.M))

    handles = usertest.handle_rows(output(parts, "keel handles 0"))
    main = tasks[0]["id"]
    CHECK(output(parts, "keel handles 0"), "main's slots 0-7 and 63, slot 3 derived from slot 1",
          sorted(handles) == list(range(8)) + [63]
          and handles[3][:6] == (3 | 1 << 12, "ENDPOINT", "----S-GD-", 1, 1, "%d:1" % main))
    CHECK(output(parts, "keel handles 0"), "the memory and frames objects described",
          handles[2][6] == "0x1 memory" and handles[63][6] == "0x1 boot archive"
          and re.fullmatch(r"0x[0-9a-f]+ frames, a run of 4 pages", handles[4][6]))

    for command, what in (("keel captree 0 0x1008", r"task %d has no capability 0x1008: the "
                           r"handle is out of range, empty or stale" % main),
                          ("keel captree 0 0x2001", r"task %d has no capability 0x2001: .*"
                           % main),
                          ("keel captree 0 zz", r"'zz' is not a handle \(see keel caps %d\)"
                           % main),
                          ("keel captree 0", r"usage: keel captree TASK HANDLE"),
                          ("keel caps 0 1", r"usage: keel caps TASK"),
                          ("keel caps t_cap_show", r"3 tasks run t_cap_show \(ids .*\): give "
                           r"an id")):
        usertest.one_line_error(parts, command, what)

    CHECK(output(parts, "continue", 1), "the breakpoint on task_kill, once the monitor is done",
          re.search(r"^Breakpoint \d+, task_kill \(", output(parts, "continue", 1), re.M),
          console)
    damaged = output(parts, "keel caps 1", 1)
    CHECK(damaged, "the sender's slot 2 with its prev link cut: parent '?'",
          re.search(r"^   2 0x1002   endpoint     ----S----     3 \?                0 endpoint",
                    damaged, re.M)
          and re.search(r"^   1 0x1001 .* %d:3 +1 endpoint" % main, damaged, re.M))


def test_index_bits_agree(ctx):
    """keel_user.py's fallback for KEEL_HANDLE_INDEX_BITS is abi.h's value."""
    abi = (ctx.root / "kernel" / "include" / "keel" / "abi.h").read_text()
    script = (ctx.root / "scripts" / "gdb" / "keel_user.py").read_text()
    bits = re.search(r"^#define KEEL_HANDLE_INDEX_BITS (\d+)$", abi, re.M)
    fallback = re.search(r"^HANDLE_INDEX_BITS = (\d+)\b", script, re.M)
    assert bits and fallback and bits.group(1) == fallback.group(1) == str(usertest.INDEX_BITS), (
        "expected abi.h's KEEL_HANDLE_INDEX_BITS (%s), keel_user.py's HANDLE_INDEX_BITS (%s) "
        "and test_gdb_user's INDEX_BITS (%d) to agree"
        % (bits and bits.group(1), fallback and fallback.group(1), usertest.INDEX_BITS))


def test_without_kernel(ctx):
    """ELF only, and nothing loaded: one line each."""
    script = str(ctx.root / "scripts" / "gdb" / "keel.py")
    out = gdbtest.run(gdbtest.gdb("file %s" % ctx.kernel, "source %s" % script, "keel",
                                  "keel caps 1", "keel captree 1 2"), ctx.root, timeout=25)
    gdbtest.check_no_traceback(out)
    part = gdbtest.sections(out)
    for name in ("keel caps", "keel captree"):
        CHECK(part["keel"], "`keel` to list %r with its summary" % name,
              re.search(r"^%s -- Show " % name, part["keel"], re.M))
    for command in ("keel caps 1", "keel captree 1 2"):
        name = " ".join(command.split()[:2])
        CHECK(part[command], "%r to say no kernel is running, in one line" % command,
              re.fullmatch(r"%s: no kernel is running.*" % name, part[command]))

    out = gdbtest.run(gdbtest.gdb("source %s" % script, "keel caps 1"), ctx.root, timeout=25)
    gdbtest.check_no_traceback(out)
    CHECK(out, "`keel caps` with nothing loaded to ask for the kernel",
          re.fullmatch(r"keel caps: no kernel symbols: is the kernel loaded\? .*",
                       gdbtest.sections(out)["keel caps 1"]))


def slices4_build(ctx):
    """build/dev-slices4: a kernel and boot archive with SLICES=4, built once, then only
    brought up to date (with test_gdb_user's lock for that folder)."""
    folder = "build/dev-slices4"
    (ctx.root / "build").mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("SLICES", "BUILD", "MAKEFLAGS")}
    with open(ctx.root / "build" / ".slices4.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        p = subprocess.run(["make", "-s", "-j%d" % (os.cpu_count() or 2), "SLICES=4",
                            "BUILD=" + folder, "%s/keel.elf" % folder, "%s/boot.cpio" % folder],
                           cwd=ctx.root, env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=300)
    assert p.returncode == 0, "expected `make SLICES=4` to build; it said:\n%s" % (
        gdbtest.tail(p.stdout))
    return ctx.root / folder


def test_without_slice5(ctx):
    """A kernel built with SLICES=4: the commands say slice 5 is not in it; keel handles works."""
    build = slices4_build(ctx)
    script = str(ctx.root / "scripts" / "gdb" / "keel.py")
    out = gdbtest.run(gdbtest.gdb("file %s" % (build / "keel.elf"), "source %s" % script,
                                  "keel caps 1", "keel captree 1 2"), ctx.root, timeout=25)
    gdbtest.check_no_traceback(out)
    part = gdbtest.sections(out)
    for command in ("keel caps 1", "keel captree 1 2"):
        name = " ".join(command.split()[:2])
        CHECK(part[command], "%r to say slice 5 is not in this kernel, in one line" % command,
              part[command] == "%s: slice 5 (capabilities) is not in this kernel: it was "
                               "built with SLICES below 5" % name)

    # The same kernel running: root and hello, as test_gdb_user sees them, without memory.
    parts, console = schedtest.debug(
        SimpleNamespace(root=ctx.root, kernel=build / "keel.elf", tmp=ctx.tmp),
        "test=user.task.root_runs_hello", "break sys_task_info", "continue", "keel handles root",
        "p %s[0].handles.slot[1].generation" % TASKS, "keel caps root", timeout=40,
        make_args=("SLICES=4", "BUILD=%s" % build.relative_to(ctx.root)))
    usertest.stopped_at(parts, "continue", "sys_task_info", console)
    text = output(parts, "keel handles root")
    generation = usertest.value(parts, "p %s[0].handles.slot[1].generation" % TASKS)
    handles = usertest.handle_rows(text)
    CHECK(text, "root's two slots without slice 5 (no memory), slot 1's handle with 12 "
          "index bits", sorted(handles) == [0, 1]
          and handles[1][:6] == (1 | generation << 12, "TASK", usertest.ALL_RIGHTS, generation,
                                 0, "original")
          and text.endswith("\n2 of 64 slots used; OK"))
    usertest.one_line_error(parts, "keel caps root", r"slice 5 \(capabilities\) is not in this "
                            r"kernel: it was built with SLICES below 5")
