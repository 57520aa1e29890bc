"""test_gdb_user - the slice 3 `keel` commands, and debugging a user program.

`keel tasks` reads the task pool (tasks[]), `keel handles TASK` one
task's handle table, and `keel user NAME` gives GDB a user program's
symbols from build/dev/user/bin/NAME. These tests boot the kernel under
`make qemu-gdb` (which hands QEMU the boot archive, build/dev/boot.cpio)
running one in-kernel test that spawns a program:
  - user.task.root_runs_hello, stopped in sys_task_info(), the kernel
    side of hello's first system call: root is LIVE, waiting for hello,
    and holds a handle to it (`keel threads` names the queue it waits
    on: hello's exit); hello is LIVE and running;
  - user.task.hello, with hello's symbols loaded: a breakpoint on its
    main() stops in ring 3; `stepi` over its `int $0x80` enters the
    kernel, a breakpoint in the kernel's handler stops there, and the
    instruction after the `int` is reached back in ring 3; `next` steps
    over a line of C that makes system calls.
`keel handles` shows each slot's handle (its index in the low
KEEL_HANDLE_INDEX_BITS bits, 12, its generation above), rights, depth
and parent; from slice 5 on the root task (here the in-kernel test
standing in for it) also holds the memory capability in slot 2 and the
boot archive's in slot 63, and from slice 6 on the originals of the
interrupt lines, the I/O ports and device memory in slots 60-62.
They also make the check of `keel handles` find a wrong count planted
with `set var`, and see what the commands say before the tasks are set up,
without a running kernel, with a kernel built without slice 3 (SLICES=2,
built once into build/dev-slices2) and with bad arguments: one line,
never a Python traceback.

The helpers (ports, gdbinit, batch GDB, checks) are test_gdb's and
test_gdb_sched's. Every wait has a time limit and QEMU is killed before
a test returns.
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

SLICE = "user"

TASKS = "'kernel/user/task.c'::tasks"
HELLO_C = "userspace/programs/hello.c"
INDEX_BITS = 12  # abi.h's KEEL_HANDLE_INDEX_BITS
ALL_RIGHTS = "rwWkSRGDM"  # KEEL_RIGHT_ALL as keel handles writes it
CHECK = gdbtest.check
output = schedtest.output


def debug(ctx, cmdline, *commands):
    """Boot Keel with `cmdline` under `make qemu-gdb`, run batch GDB `commands`.

    Returns GDB's output split into [(command, what it printed)] and
    QEMU's console (for failure messages). QEMU is gone when this returns.
    QEMU runs with test_gdb_sched's ICOUNT: where the ticks fall, and so
    whether root has reached its wait when hello first runs, is then the
    same on every run, however loaded the machine is.
    """
    return schedtest.debug(ctx, cmdline, *commands, timeout=40)


def stopped_at(parts, command, where, console):
    """Fail unless `command` (a `continue`) stopped at a breakpoint in `where`."""
    text = output(parts, command)
    CHECK(text, "the breakpoint to stop in %s" % where,
          re.search(r"^(Temporary b|B)reakpoint \d+, (0x[0-9a-f]+ in )?%s \(" % where,
                    text, re.M), console)


def value(parts, command, nth=0):
    """The number the nth run of a `p` or `p/x` command printed."""
    text = output(parts, command, nth)
    m = re.search(r"^\$\d+ = (0x[0-9a-f]+|\d+)$", text, re.M)
    CHECK(text, "%r to print a number" % command, m)
    return int(m.group(1), 0)


def task_rows(text):
    """`keel tasks` rows as dicts, each with the threads line under it."""
    row = (r"^([* ]) +(\d+) +(\d+) (\S+) +(\S+) +(\d+)/(\d+) +(\d+)/(\d+) +(\d+)  (\S+)\n"
           r" +threads: (.*)$")
    return [{"current": m.group(1) == "*", "slot": int(m.group(2)), "id": int(m.group(3)),
             "state": m.group(4), "name": m.group(5), "threads": int(m.group(6)),
             "thread_limit": int(m.group(7)), "frames": int(m.group(8)),
             "frame_limit": int(m.group(9)), "handles": int(m.group(10)),
             "parent": m.group(11), "thread_list": m.group(12)}
            for m in re.finditer(row, text, re.M)]


def handle_rows(text):
    """`keel handles` rows: {slot: (handle, type, rights, generation, depth, parent, object)}."""
    row = r"^ +(\d+) +(\d+) (\S+) +(\S+) +(\d+) +(\d+) (\S+) +(.*)$"
    return {int(m.group(1)): (int(m.group(2)), m.group(3), m.group(4), int(m.group(5)),
                              int(m.group(6)), m.group(7), m.group(8))
            for m in re.finditer(row, text, re.M)}


def has_caps(ctx):
    """Whether the tree (so the kernel the tests build) has slice 5, capabilities."""
    return (ctx.root / "kernel" / "cap").is_dir()


def has_dev(ctx):
    """Whether the tree (so the kernel the tests build) has slice 6, userspace drivers."""
    return (ctx.root / "kernel" / "dev").is_dir()


def line_of(ctx, path, text):
    """The number of the first line of `path` that contains `text`."""
    with open(ctx.root / path) as f:
        for number, line in enumerate(f, 1):
            if text in line:
                return number
    raise AssertionError("expected %s to contain %r" % (path, text))


def int80_address(ctx):
    """The address of the `int $0x80` in hello's keel_syscall_int, read from its ELF."""
    out = gdbtest.run(gdbtest.gdb("file %s" % (ctx.build / "user" / "bin" / "hello"),
                                  "disassemble keel_syscall_int"), ctx.root, timeout=20)
    m = re.search(r"^\s+(0x[0-9a-f]+) <\+\d+>:\s+int\s+\$0x80$", out, re.M)
    CHECK(out, "hello's keel_syscall_int to hold an `int $0x80`", m)
    return int(m.group(1), 16)


def one_line_error(parts, command, pattern):
    """Fail unless `command` printed one line: its name, then `pattern`."""
    text = output(parts, command)
    name = " ".join(command.split()[:2])
    CHECK(text, "%r to fail in one line matching %r" % (command, pattern),
          re.fullmatch(r"%s: %s" % (re.escape(name), pattern), text))


# ---------------------------------------------------------------------------
# Tests


def test_tasks_and_handles(ctx):
    """root waits for hello, which is in its first system call: both tasks, their handles.

    From slice 6 on, root starts the device manager and its servers before
    hello; the scene this test stages, root and hello alone, is then that
    of a kernel built with SLICES=5 (test_gdb_dev shows the servers)."""
    hello_id = "%s[1].id" % TASKS
    make_args, dev = (), has_dev(ctx)
    if dev:
        kernel = slices_kernel(ctx, 5)
        ctx = SimpleNamespace(root=ctx.root, kernel=kernel, tmp=ctx.tmp)
        make_args = ("SLICES=5", "BUILD=%s" % kernel.parent.relative_to(ctx.root))
    parts, console = schedtest.debug(
        ctx, "test=user.task.root_runs_hello", "break sys_task_info", "continue",
        "keel tasks", "keel threads", "p %s[0].id" % TASKS, "p " + hello_id,
        "p pmm_kernel.owner_frames[%s[1].owner]" % TASKS,
        "keel handles root", "p %s[0].handles.slot[1].generation" % TASKS,
        "keel handles 1", 'eval "keel handles %d", ' + hello_id,
        "keel handles 999", "keel handles 5", "keel handles nobody", "keel handles",
        "keel handles root hello", "set var %s[0].handles.used = 40" % TASKS, "keel handles root",
        timeout=40, make_args=make_args)
    stopped_at(parts, "continue", "sys_task_info", console)
    root_id, hello = value(parts, "p %s[0].id" % TASKS), value(parts, "p " + hello_id)
    # Slice 5: the memory capability (slot 2) and the archive's (slot 63) too;
    # slice 6: the interrupt lines', the I/O ports' and device memory's (60-62).
    root_slots = [0, 1] + ([2] if has_caps(ctx) else []) + ([63] if has_caps(ctx) else [])
    root_handles = len(root_slots)

    tasks = output(parts, "keel tasks")
    rows = {r["name"]: r for r in task_rows(tasks)}
    CHECK(tasks, "`keel tasks` to list root and hello", sorted(rows) == ["hello", "root"])
    root, child = rows["root"], rows["hello"]
    CHECK(tasks, "root in slot 0 with its id, LIVE, spawned by the kernel, %d handles"
          % root_handles,
          (root["slot"], root["id"], root["state"], root["parent"], root["handles"])
          == (0, root_id, "LIVE", "kernel", root_handles))
    CHECK(tasks, "hello in slot 1 with its id, LIVE, spawned by root, one handle",
          (child["slot"], child["id"], child["state"], child["parent"], child["handles"])
          == (1, hello, "LIVE", "root", 1))
    CHECK(tasks, "hello marked '*' (its thread runs), root not",
          child["current"] and not root["current"])
    CHECK(tasks, "one thread each, of at most 4",
          all((r["threads"], r["thread_limit"]) == (1, 4) for r in rows.values()))
    CHECK(tasks, "hello's frames as pmm_kernel.owner_frames[its owner], of at most 256",
          child["frames"] == value(parts, "p pmm_kernel.owner_frames[%s[1].owner]" % TASKS)
          and 0 < child["frames"] <= child["frame_limit"] == 256)
    CHECK(tasks, "root's thread BLOCKED (in task_wait), hello's RUNNING",
          re.fullmatch(r"[0-9a-f]{8} BLOCKED", root["thread_list"])
          and re.fullmatch(r"[0-9a-f]{8} RUNNING", child["thread_list"]))
    CHECK(tasks, "the footer '2 of 24 tasks; N system calls'",
          re.search(r"^2 of 24 tasks; \d+ system calls$", tasks, re.M))

    threads = output(parts, "keel threads")
    CHECK(threads, "`keel threads` to name the queue root's thread waits on: hello's exit",
          re.search(r"^  [0-9a-f]{8} root +BLOCKED .* waitq 0x[0-9a-f]+ \(exit of task %d "
                    r"hello\)" % hello, threads, re.M))

    text = output(parts, "keel handles root")
    handles = handle_rows(text)
    generation = value(parts, "p %s[0].handles.slot[1].generation" % TASKS)
    CHECK(text, "a title naming root, its slot and state",
          text.startswith("Handles of task %d root (slot 0, LIVE):" % root_id))
    CHECK(text, "slots %s of root's table, no other" % root_slots,
          sorted(handles) == root_slots)
    CHECK(text, "slot 0: handle 0 (KEEL_SELF), a TASK handle to root itself, read only",
          handles[0] == (0, "TASK", "r--------", 0, 0, "original",
                         "%d task root (LIVE, itself)" % root_id))
    CHECK(text, "slot 1: handle 1 | generation << %d, an original TASK handle to hello with "
          "every right" % INDEX_BITS,
          handles[1] == (1 | generation << INDEX_BITS, "TASK", ALL_RIGHTS, generation, 0,
                         "original", "%d task hello (LIVE)" % hello))
    if has_caps(ctx):
        CHECK(text, "slot 2: KEEL_ROOT_MEMORY (2 | 1 << 12), the original memory capability",
              handles[2] == (2 | 1 << INDEX_BITS, "MEMORY", ALL_RIGHTS, 1, 0, "original",
                             "0x1 memory"))
        CHECK(text, "slot 63: KEEL_ROOT_ARCHIVE (63 | 1 << 12), the boot archive's original",
              handles[63] == (63 | 1 << INDEX_BITS, "ARCHIVE", ALL_RIGHTS, 1, 0, "original",
                              "0x1 boot archive"))
    CHECK(text, "'%d of 64 slots used; OK'" % root_handles,
          text.endswith("\n%d of 64 slots used; OK" % root_handles))

    by_slot = output(parts, "keel handles 1")
    CHECK(by_slot, "hello's table (by slot): slot 0, a TASK handle to hello itself",
          by_slot.startswith("Handles of task %d hello (slot 1, LIVE):" % hello)
          and handle_rows(by_slot) == {0: (0, "TASK", "r--------", 0, 0, "original",
                                           "%d task hello (LIVE, itself)" % hello)})
    CHECK(by_slot, "the same table by id",
          output(parts, 'eval "keel handles %d", ' + hello_id) == by_slot)

    damaged = output(parts, "keel handles root", 1)
    CHECK(damaged, "the check to find the `used` count planted with set var",
          damaged.endswith("\n%d of 64 slots used; WRONG: used says 40" % root_handles))

    one_line_error(parts, "keel handles 999", r"no task 999: give a task id, a slot \(0-23\) "
                   r"or a program name \(see keel tasks\)")
    one_line_error(parts, "keel handles 5", r"task slot 5 is free \(see keel tasks\)")
    one_line_error(parts, "keel handles nobody", r"no task nobody: .*")
    for command in ("keel handles", "keel handles root hello"):
        one_line_error(parts, command, r"usage: keel handles TASK")


# Under load, QEMU may end a single step without executing the instruction
# (an interrupt that became pending while it stepped). GDB then reports
# the breakpoint it was stepping over as hit again, or `stepi` stays put.
# So test_step_user_kernel_user deletes each breakpoint once hit, before
# it resumes, and steps with STEPI, which steps again while the pc stays.
STEPI = "keel-test-stepi"
STEPI_SCRIPT = """define %s
  set $keel_from = $pc
  set $keel_tries = 0
  stepi
  while $pc == $keel_from && $keel_tries < 5
    set $keel_tries = $keel_tries + 1
    stepi
  end
end
""" % STEPI


def test_step_user_kernel_user(ctx):
    """In hello: a user breakpoint in ring 3, `stepi` into the kernel, and back to ring 3."""
    int80 = int80_address(ctx)
    after = int80 + 2  # `int imm8` is two bytes
    printf_line = line_of(ctx, HELLO_C, 'printf("hello from user mode')
    script = ctx.tmp / "stepi.gdb"
    script.write_text(STEPI_SCRIPT)
    parts, console = debug(
        ctx, "test=user.task.hello", "source %s" % script, "keel user hello", "break main",
        "continue", "p $cs & 3", "keel tasks", "delete",
        "break *%#x" % int80, "continue", "delete", STEPI, "p $cs & 3", "p/x $pc",
        "break sys_task_info", "continue", "bt", "delete", "finish",
        "tbreak *%#x" % after, "continue", "p $cs & 3",
        "tbreak %s:%d" % (HELLO_C, printf_line), "continue", "next", "p $cs & 3")

    loaded = output(parts, "keel user hello")
    CHECK(loaded, "`keel user hello` to load build/dev/user/bin/hello",
          re.fullmatch(r"Loaded the symbols of hello from \S+/build/dev/user/bin/hello, "
                       r"entry 0x[0-9a-f]+", loaded))
    CHECK(output(parts, "break main"), "`break main` to resolve in hello.c",
          re.search(r"^Breakpoint 1 at 0x[0-9a-f]+: file %s, line \d+\.$" % HELLO_C,
                    output(parts, "break main"), re.M))
    stopped_at(parts, "continue", "main", console)
    CHECK(output(parts, "p $cs & 3", 0), "main to run in ring 3 (CS & 3 == 3)",
          value(parts, "p $cs & 3") == 3)
    rows = task_rows(output(parts, "keel tasks"))
    CHECK(output(parts, "keel tasks"), "hello LIVE and current while GDB stops in its main",
          [(r["name"], r["state"], r["current"]) for r in rows] == [("hello", "LIVE", True)])

    text = output(parts, "continue", 1)
    CHECK(text, "the breakpoint on the `int $0x80` in keel_syscall_int",
          re.search(r"^Breakpoint 2, (0x[0-9a-f]+ in )?keel_syscall_int \(", text, re.M),
          console)
    entered = output(parts, STEPI)
    pc = value(parts, "p/x $pc")
    CHECK(entered, "`stepi` over `int $0x80` to enter the kernel: ring 0, a kernel address",
          value(parts, "p $cs & 3", 1) == 0 and pc >= 0xC0000000)
    CHECK(entered, "`stepi` to show where in the kernel (a symbol, not ??)",
          re.search(r"^(0x[0-9a-f]+ in )?[a-z_]\w* \(", entered, re.M))
    text = output(parts, "continue", 2)
    CHECK(text, "the kernel breakpoint on sys_task_info, hello's system call",
          re.search(r"^Breakpoint 3, sys_task_info \(", text, re.M), console)
    CHECK(output(parts, "bt"), "a kernel backtrace from the dispatcher",
          re.search(r"^#1 .* in syscall_dispatch \(", output(parts, "bt"), re.M))
    finish = output(parts, "finish")
    CHECK(finish, "`finish` to return from sys_task_info to the dispatcher with 0 (KEEL_OK)",
          re.match(r"0x[0-9a-f]+ in syscall_dispatch \(", finish)
          and re.search(r"^Value returned is \$\d+ = 0$", finish, re.M))
    back = output(parts, "continue", 3)
    CHECK(back, "the instruction after the `int $0x80` reached again",
          re.search(r"^Temporary breakpoint \d+, (0x[0-9a-f]+ in )?keel_syscall_int \(",
                    back, re.M), console)
    CHECK(back, "the return to be in ring 3 (CS & 3 == 3)", value(parts, "p $cs & 3", 2) == 3)

    text = output(parts, "continue", 4)
    CHECK(text, "the breakpoint on hello.c's printf line",
          re.search(r"^Temporary breakpoint \d+, main \(", text, re.M), console)
    stepped = output(parts, "next")
    CHECK(stepped, "`next` over the printf (system calls) to reach the next line of main",
          re.match(r"%d\t\s*return 0;" % (printf_line + 1), stepped)
          and value(parts, "p $cs & 3", 3) == 3)
    CHECK(console, "hello's line on the console, printed during the `next`",
          "hello from user mode" in console)


def test_before_tasks(ctx):
    """Before paging and in kernel_main(): not set up; `keel user` works all the same."""
    commands = ("keel tasks", "keel handles 0")
    parts, console = debug(ctx, "test=user.task.hello", *commands, "break kernel_main",
                           "continue", *commands, "keel user", "keel user nosuch",
                           "keel user hello", "info line main", "keel user off",
                           "keel user off", "keel user a b")
    stopped_at(parts, "continue", "kernel_main", console)
    for nth, where in enumerate(("before paging", "in kernel_main()")):
        for command, title in zip(commands, ("Tasks", "Handles")):
            text = output(parts, command, nth)
            CHECK(text, "%r %s to say '%s: (not yet set up)'" % (command, where, title),
                  text == "%s: (not yet set up)" % title)
    one_line_error(parts, "keel user", r"the running thread is not in a task: name the "
                   r"program \(keel user NAME\)")
    one_line_error(parts, "keel user nosuch",
                   r"no program 'nosuch' in \S+/build/dev/user/bin; the programs: .*\bhello\b.*")
    CHECK(output(parts, "info line main"), "hello's main known to GDB",
          re.search(r"^Line \d+ of \"%s\"" % HELLO_C, output(parts, "info line main")))
    CHECK(output(parts, "keel user off", 0), "`keel user off` to remove hello's symbols",
          output(parts, "keel user off", 0) == "Removed the symbols of hello")
    CHECK(output(parts, "keel user off", 1), "a second `keel user off` to find none",
          output(parts, "keel user off", 1) == "No user program's symbols were loaded")
    one_line_error(parts, "keel user a b", r"usage: keel user \[NAME \| off\]")


def test_without_kernel(ctx):
    """ELF only: `keel` lists the commands; tasks need a kernel, symbols do not."""
    script = str(ctx.root / "scripts" / "gdb" / "keel.py")
    out = gdbtest.run(gdbtest.gdb("file %s" % ctx.kernel, "source %s" % script, "keel",
                                  "keel tasks", "keel handles 1", "keel user",
                                  "keel user root", "keel user hello", "info line main"),
                      ctx.root, timeout=25)
    gdbtest.check_no_traceback(out)
    part = gdbtest.sections(out)
    for name in ("keel tasks", "keel handles", "keel user"):
        CHECK(part["keel"], "`keel` to list %r with its summary" % name,
              re.search(r"^%s -- \S" % re.escape(name), part["keel"], re.M))
    for command in ("keel tasks", "keel handles 1"):
        name = " ".join(command.split()[:2])
        CHECK(part[command], "%r to say no kernel is running, in one line" % command,
              re.fullmatch(r"%s: no kernel is running.*" % name, part[command]))
    CHECK(part["keel user"], "`keel user` alone to ask for a name, in one line",
          part["keel user"] == "keel user: no kernel is running: name the program "
                               "(keel user NAME)")
    CHECK(part["keel user hello"], "`keel user hello` to replace root's symbols",
          part["keel user hello"].endswith(" (instead of root's)"))
    CHECK(part["info line main"], "main to be hello's, not root's",
          re.search(r"^Line \d+ of \"%s\"" % HELLO_C, part["info line main"]))

    # Nothing loaded at all: each command says the kernel is missing.
    out = gdbtest.run(gdbtest.gdb("source %s" % script, "keel tasks", "keel user hello"),
                      ctx.root, timeout=25)
    gdbtest.check_no_traceback(out)
    part = gdbtest.sections(out)
    for command in ("keel tasks", "keel user hello"):
        name = " ".join(command.split()[:2])
        CHECK(part[command], "%r to ask for the kernel, in one line" % command,
              re.fullmatch(r"%s: no kernel symbols: is the kernel loaded\? .*" % name,
                           part[command]))


def slices_kernel(ctx, slices):
    """A kernel built with SLICES=`slices`, in build/dev-slicesN: built once, then only
    brought up to date (test_gdb_ipc uses one without slice 4)."""
    folder = "build/dev-slices%d" % slices
    build = ctx.root / folder
    build.parent.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("SLICES", "BUILD", "MAKEFLAGS")}
    with open(ctx.root / "build" / (".slices%d.lock" % slices), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        p = subprocess.run(["make", "-s", "-j%d" % (os.cpu_count() or 2), "SLICES=%d" % slices,
                            "BUILD=" + folder, "%s/keel.elf" % folder], cwd=ctx.root, env=env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=300)
    assert p.returncode == 0, "expected `make SLICES=%d` to build; it said:\n%s" % (
        slices, gdbtest.tail(p.stdout))
    return build / "keel.elf"


def test_without_slice3(ctx):
    """A kernel built with SLICES=2: each command says slice 3 is not in it."""
    kernel = slices_kernel(ctx, 2)
    script = str(ctx.root / "scripts" / "gdb" / "keel.py")
    commands = ("keel tasks", "keel handles 1", "keel user hello", "keel user")
    out = gdbtest.run(gdbtest.gdb("file %s" % kernel, "source %s" % script, *commands,
                                  "keel frames"), ctx.root, timeout=25)
    gdbtest.check_no_traceback(out)
    part = gdbtest.sections(out)
    for command in commands:
        name = " ".join(command.split()[:2])
        CHECK(part[command], "%r to say slice 3 is not in this kernel, in one line" % command,
              part[command] == "%s: slice 3 (user mode) is not in this kernel: it was built "
                               "with SLICES below 3" % name)
    CHECK(part["keel frames"], "slice 2's `keel frames` still there (no kernel running)",
          re.fullmatch(r"keel frames: no kernel is running.*", part["keel frames"]))
