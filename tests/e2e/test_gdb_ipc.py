"""test_gdb_ipc - the slice 4 `keel` command, `keel ipc`, and what IPC adds to the others.

`keel ipc` reads the IPC pools (ipc_endpoints[], ipc_notifications[],
ipc_channels[]) and each thread's IPC state (ipc_threads[], a static of
kernel/ipc/object.c) and prints what the monitor's `ipc` prints. These
tests boot the kernel under `make qemu-gdb` running the in-kernel case
ipc.ipc_monitor.objects, which runs `ipc` with nothing alive, then spawns
t_ipc_show (userspace/tests/ipc/t_ipc_show.c) and runs `ipc` again once
its four threads are BLOCKED: a server holding a client's reply right and
inheriting its priority, a receiver and a caller waiting on endpoints, a
waiter on a notification, a notification with bits pending and a bound
thread, a channel with a message queued, a rate limit. A breakpoint on
cmd_ipc() stops before each `ipc` prints, so `keel ipc` must show the
same lines the monitor then prints. `keel threads` names the IPC queues
its threads wait on and `keel handles` the IPC objects and rights.
A damage planted with `set var` is flagged; before the IPC is set up,
without a running kernel, and with a kernel built without slice 4
(SLICES=3, built once into build/dev-slices3) the command says so in one
line, never a Python traceback.

The helpers are test_gdb's, test_gdb_sched's and test_gdb_user's.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_gdb as gdbtest  # noqa: E402  (the modules, so their tests are not collected again)
import test_gdb_sched as schedtest  # noqa: E402
import test_gdb_user as usertest  # noqa: E402

SLICE = "ipc"

CASE = "test=ipc.ipc_monitor.objects"
CHECK = gdbtest.check
output = schedtest.output
NAME = "t_ipc_show     "  # the threads' name, as the 15-column field shows it
OBJ = r"0x[0-9a-f]+"

# The receiver on the second endpoint, and the channel's senders list:
# what test_objects damages, after the monitor has printed.
RECEIVER = ("((struct thread *)((char *)ipc_endpoints[1].receivers.waiters.next"
            " - (unsigned)&((struct thread *)0)->wait_link))")
PLANTS = ("set var %s->state = THREAD_READY" % RECEIVER,
          "set var ipc_channels[0].senders.waiters.next = 0")


def expected_ipc(task, main, worker, server, client):
    """The lines `ipc` prints for t_ipc_show, as regular expressions."""
    owner = r"of task %d t_ipc_show" % task
    return [
        r"endpoint %s %s, 1 delivered, rate 1000/s burst 8" % (OBJ, owner),
        r"    \(no waiters\)",
        r"endpoint %s %s, 0 delivered" % (OBJ, owner),
        r"    receiver %s %s prio 100" % (worker, NAME),
        r"endpoint %s %s, 0 delivered" % (OBJ, owner),
        r"    sender   %s %s prio 100  call" % (main, NAME),
        r"notification %s %s, bits 0x0, not bound" % (OBJ, owner),
        r"    waiter   %s %s prio 100" % (server, NAME),
        r"notification %s %s, bits 0x5, bound to %s t_ipc_show" % (OBJ, owner, main),
        r"    \(no waiters\)",
        r"channel %s %s, 1 of 4 queued, max_len 16" % (OBJ, owner),
        r"    \(no waiters\)",
        r"reply rights \(server -> caller waiting for its reply\):",
        r"  %s %s -> %s %s base  50 prio 100" % (server, NAME, client, NAME),
        r"3 of 64 endpoints, 2 of 64 notifications, 1 of 32 channels; reply rights: 1",
    ]


EMPTY = ("reply rights (server -> caller waiting for its reply):\n  (none)\n"
         "0 of 64 endpoints, 0 of 64 notifications, 0 of 32 channels; reply rights: 0")


def matches(text, patterns):
    """True if `text` is one line per pattern, each matching it whole."""
    lines = text.split("\n")
    return len(lines) == len(patterns) and all(
        re.fullmatch(p, line) for p, line in zip(patterns, lines))


def monitor_output(ctx):
    """What the monitor printed for its `ipc` after `ipc extra`, from QEMU's console."""
    console = gdbtest.read(ctx.tmp / "qemu.log").replace("\r\n", "\n")
    start = console.find("\nusage: ipc\n")
    end = console.find("reply rights: ", start)
    CHECK(console, "the monitor's `ipc` with t_ipc_show alive on the console",
          start >= 0 and end >= 0)
    return console[start + len("\nusage: ipc\n"):console.index("\n", end)]


def test_objects(ctx):
    """t_ipc_show's objects, queues and reply right, as the monitor prints them."""
    parts, console = usertest.debug(
        ctx, CASE, "keel ipc", "break cmd_ipc", "continue", "keel ipc", "continue",
        "continue", "keel ipc", "keel tasks", "keel threads", "keel handles t_ipc_show",
        "delete", "finish", *PLANTS, "keel ipc")
    CHECK(output(parts, "keel ipc", 0), "`keel ipc` before paging to say it is not set up",
          output(parts, "keel ipc", 0) == "IPC: (not yet set up)")
    usertest.stopped_at(parts, "continue", "cmd_ipc", console)
    CHECK(output(parts, "keel ipc", 1), "no objects and no reply rights before t_ipc_show",
          output(parts, "keel ipc", 1) == EMPTY)

    tasks = usertest.task_rows(output(parts, "keel tasks"))
    CHECK(output(parts, "keel tasks"), "t_ipc_show's four threads, all BLOCKED",
          len(tasks) == 1 and re.fullmatch(r"([0-9a-f]{8} BLOCKED(, |$)){4}",
                                           tasks[0]["thread_list"]))
    task = tasks[0]["id"]
    main, worker, server, client = re.findall(r"[0-9a-f]{8}", tasks[0]["thread_list"])

    text = output(parts, "keel ipc", 2)
    CHECK(text, "every object of t_ipc_show, its waiters, and the server's reply right",
          matches(text, expected_ipc(task, main, worker, server, client)), console)
    monitor = monitor_output(ctx)
    CHECK(text, "the very lines the monitor printed next", text == monitor,
          "\nThe monitor printed:\n" + gdbtest.tail(monitor, 20))

    threads = output(parts, "keel threads")
    for tid, queue in ((worker, r"endpoint %s receivers" % OBJ),
                       (main, r"endpoint %s senders" % OBJ),
                       (server, r"notification %s waiters" % OBJ),
                       (client, r"reply to %s's call from %s" % (client, server))):
        CHECK(threads, "`keel threads` to name %s's queue: %s" % (tid, queue),
              re.search(r"^  %s .* waitq 0x[0-9a-f]+ \(%s\), no timeout$" % (tid, queue),
                        threads, re.M))

    handles = usertest.handle_rows(output(parts, "keel handles t_ipc_show"))
    kinds = ["ENDPOINT"] * 3 + ["NOTIFICATION"] * 2 + ["CHANNEL"]
    # From slice 5 on, slot 2 holds the memory capability the kernel gives
    # the programs it spawns itself: the objects take the slots around it.
    memory = [2] if usertest.has_caps(ctx) else []
    CHECK(output(parts, "keel handles t_ipc_show"), "the memory capability in slot 2 (slice 5)",
          all(handles.get(slot, ("",) * 2)[1] == "MEMORY" for slot in memory))
    slots = [slot for slot in range(1, len(kinds) + len(memory) + 1) if slot not in memory]
    for slot, kind in zip(slots, kinds):
        _, got, rights, _, depth, parent, obj = handles.get(slot, (0, "", "", 0, 0, "", ""))
        CHECK(output(parts, "keel handles t_ipc_show"),
              "slot %d: an original %s handle with every right (%s), naming its object"
              % (slot, kind, usertest.ALL_RIGHTS),
              (got, rights, depth, parent) == (kind, usertest.ALL_RIGHTS, 0, "original")
              and re.fullmatch(
                  r"%s %s of task %d t_ipc_show" % (OBJ, kind.lower(), task), obj))

    damaged = output(parts, "keel ipc", 3).split("\n")
    CHECK("\n".join(damaged), "the receiver planted READY to be flagged",
          "    receiver %s %s prio 100 [READY]" % (worker, NAME) in damaged)
    CHECK("\n".join(damaged), "the channel's senders list planted NULL to be reported",
          "    senders list broken: a NULL link after 0 nodes" in damaged)


def test_without_kernel(ctx):
    """ELF only, nothing loaded, and a kernel without slice 4: one line each."""
    script = str(ctx.root / "scripts" / "gdb" / "keel.py")
    out = gdbtest.run(gdbtest.gdb("file %s" % ctx.kernel, "source %s" % script, "keel",
                                  "keel ipc", "keel ipc now"), ctx.root, timeout=25)
    gdbtest.check_no_traceback(out)
    part = gdbtest.sections(out)
    CHECK(part["keel"], "`keel` to list `keel ipc` with its summary",
          re.search(r"^keel ipc -- List the IPC objects", part["keel"], re.M))
    CHECK(part["keel ipc"], "`keel ipc` to say no kernel is running, in one line",
          re.fullmatch(r"keel ipc: no kernel is running.*", part["keel ipc"]))
    CHECK(part["keel ipc now"], "an argument refused in one line",
          part["keel ipc now"] == "keel ipc takes no arguments")

    out = gdbtest.run(gdbtest.gdb("source %s" % script, "keel ipc"), ctx.root, timeout=25)
    gdbtest.check_no_traceback(out)
    CHECK(out, "`keel ipc` with nothing loaded to ask for the kernel",
          re.fullmatch(r"keel ipc: no kernel symbols: is the kernel loaded\? .*",
                       gdbtest.sections(out)["keel ipc"]))


def test_without_slice4(ctx):
    """A kernel built with SLICES=3: `keel ipc` says slice 4 is not in it; slice 3's work."""
    script = str(ctx.root / "scripts" / "gdb" / "keel.py")
    kernel = usertest.slices_kernel(ctx, 3)
    out = gdbtest.run(gdbtest.gdb("file %s" % kernel, "source %s" % script, "keel ipc",
                                  "keel handles 1"), ctx.root, timeout=25)
    gdbtest.check_no_traceback(out)
    part = gdbtest.sections(out)
    CHECK(part["keel ipc"], "`keel ipc` to say slice 4 is not in this kernel, in one line",
          part["keel ipc"] == "keel ipc: slice 4 (IPC) is not in this kernel: it was built "
                              "with SLICES below 4")
    CHECK(part["keel handles 1"], "slice 3's `keel handles` still there (no kernel running)",
          re.fullmatch(r"keel handles: no kernel is running.*", part["keel handles 1"]))
