# keel_user.py - the `keel` commands of slice 3 (user mode): tasks, handles, user symbols.
#
# keel.py imports this module at its end, like keel_mem.py. `keel tasks`
# and `keel handles` only read memory; `keel user` changes what GDB
# knows, never the kernel.
#
# Slice 3 keeps its state in tasks[] (kernel/user/task.c), a fixed pool
# like threads[]. A task's id carries its slot in the low 8 bits and the
# slot's generation above. Each task is one frame owner (its `owner`), so
# pmm_kernel.owner_frames[owner] is what it holds. Its handle table
# (handles: `size` slots at `slot`, from the heap) holds what it can name;
# the handle a program holds for slot i is
# i | generation << KEEL_HANDLE_INDEX_BITS, and each slot names an object
# by id: a task's id, or a thread's tid. Each slot also has its place in
# its object's derivation order (handle.h): `prev` and `next` in pre-order
# and its `depth`, 0 for an original; what it was derived from is the
# nearest slot before it that is shallower. Until task_init() has run,
# sched_switch_hook is NULL and the commands say "(not yet set up)"; a
# kernel built with SLICES below 3 has no tasks[] at all.
#
# User programs are ELF files of their own. The boot archive holds them
# without debug sections; the build keeps a copy with symbols beside the
# kernel, in build/PROFILE/user/bin/NAME, and `keel user NAME` gives it to
# GDB with add-symbol-file. Every program is linked at 0x08048000, so GDB
# can know one program's symbols at a time: `keel user` first removes the
# program it loaded before. QEMU compares breakpoints with the virtual
# program counter, so a breakpoint on a user function stops in whichever
# task runs code at that address.

import os
import re
import struct

import gdb

import keel
from keel import (NOT_SET_UP, ThreadTable, array_length, char_array, enum_labels,
                  kernel_running, keel_command, offset_of, plural, read_cpu, static_variable,
                  symbol)
from keel_mem import KeelArgsCommand

SLOT_MASK = 0xff  # a task's id and a thread's tid carry their slot here (task.c, thread.c)
NO_SLICE = "slice 3 (user mode) is not in this kernel: it was built with SLICES below 3"


def slice3_problem():
    """Why the slice 3 commands cannot work with the loaded kernel, or None."""
    if any(s.symtab is not None and s.symtab.filename.endswith("kernel/user/task.c")
           for s in gdb.lookup_static_symbols("tasks")):
        return None
    if gdb.lookup_global_symbol("kernel_main") is None:
        return "no kernel symbols: is the kernel loaded? (file build/dev/keel.elf)"
    return NO_SLICE


class UserCommand(KeelArgsCommand):
    """A command of this slice: it first checks that the kernel has slice 3."""

    def invoke(self, arg, from_tty):
        problem = slice3_problem()
        if problem:
            raise gdb.GdbError("keel %s: %s" % (self.name, problem))
        super().invoke(arg, from_tty)


# ---------------------------------------------------------------------------
# Reading the tasks.


class TaskTable:
    """tasks[] (kernel/user/task.c), read once, with the lookups the commands need."""

    def __init__(self):
        self.array = static_variable("tasks", "kernel/user/task.c")
        self.array.fetch_lazy()  # one read of the whole pool
        self.length = array_length(self.array)
        self.states = enum_labels("enum task_state")
        self.threads = ThreadTable()
        self.owner_frames = symbol("pmm_kernel")["owner_frames"]

    def live(self):
        """(slot, task) for every task that is not FREE, in slot order."""
        return [(i, self.array[i]) for i in range(self.length)
                if self.state(self.array[i]) != "FREE"]

    def state(self, t):
        """A task's state name, "LIVE"."""
        value = int(t["state"])
        return self.states.get(value, "?%d" % value)

    def by_id(self, task_id):
        """The task whose id is `task_id` and that is not FREE, or None (task_lookup())."""
        slot = task_id & SLOT_MASK
        if task_id == 0 or slot >= self.length:
            return None
        t = self.array[slot]
        return t if int(t["id"]) == task_id and self.state(t) != "FREE" else None

    def thread(self, tid):
        """The thread whose tid is `tid` and that is not FREE, or None (thread_lookup())."""
        slot = tid & SLOT_MASK
        if tid == 0 or slot >= self.threads.length:
            return None
        t = self.threads.array[slot]
        return t if int(t["tid"]) == tid and self.threads.state(t) != "FREE" else None

    def frames(self, t):
        """Frames the task holds now, as task_frames() counts them."""
        return int(self.owner_frames[int(t["owner"])])

    def slots(self, t):
        """Task `t`'s handle slots, read at once: a list of struct handle_slot values."""
        size, slots = int(t["handles"]["size"]), t["handles"]["slot"]
        if size == 0 or int(slots) == 0:
            return []  # a task being spawned: no table yet
        array = slots.cast(slots.type.target().array(size - 1).pointer()).dereference()
        array.fetch_lazy()
        return [array[i] for i in range(size)]

    def slot_place(self, address):
        """(task, index) of the handle slot at `address`, found through its `table`; None
        if that is not the table of a task that exists."""
        slot_type = gdb.lookup_type("struct handle_slot")
        s = gdb.Value(address).cast(slot_type.pointer()).dereference()
        task_size = self.array.type.strip_typedefs().target().sizeof
        offset = (int(s["table"]) - offset_of("struct task", "handles")
                  - int(self.array.address))
        k, rest = divmod(offset, task_size)
        if rest or not 0 <= k < self.length or self.state(self.array[k]) == "FREE":
            return None
        t = self.array[k]
        index, rest = divmod(address - int(t["handles"]["slot"]), slot_type.sizeof)
        if rest or not 0 <= index < int(t["handles"]["size"]):
            return None
        return t, index

    def place(self, address):
        """A slot as "TASK:SLOT" (the holder's id), or "?" if no task's table holds it."""
        found = self.slot_place(address) if address else None
        return "%d:%d" % (int(found[0]["id"]), found[1]) if found else "?"

    def find(self, text):
        """The (slot, task) `text` names: an id, a slot, or a program name."""
        live = self.live()
        if text.isdigit():
            number = int(text)
            for slot, t in live:
                if int(t["id"]) == number:
                    return slot, t
            if number < self.length:
                if self.state(self.array[number]) == "FREE":
                    raise gdb.GdbError("task slot %d is free (see keel tasks)" % number)
                return number, self.array[number]
        else:
            named = [(slot, t) for slot, t in live if char_array(t["name"]) == text]
            if len(named) == 1:
                return named[0]
            if named:
                raise gdb.GdbError("%d tasks run %s (ids %s): give an id" % (
                    len(named), text, ", ".join(str(int(t["id"])) for _, t in named)))
        raise gdb.GdbError("no task %s: give a task id, a slot (0-%d) or a program name "
                           "(see keel tasks)" % (text, self.length - 1))


def slot_parent(s):
    """The address of the slot `s` (a struct handle_slot) was derived from: the nearest
    before it in derivation order that is shallower (cap_parent()); 0 for an original,
    or if the walk finds none."""
    depth, p = int(s["depth"]), s["prev"]
    for _ in range(ORDER_STEPS_MAX):
        if depth == 0 or int(p) == 0:
            return 0
        before = p.dereference()
        if int(before["depth"]) < depth:
            return int(p)
        p = before["prev"]
    return 0


def slot_address(t, index):
    """The address of slot `index` of task `t`'s handle table."""
    return int(t["handles"]["slot"]) + index * gdb.lookup_type("struct handle_slot").sizeof


def read_tasks():
    """A TaskTable, or None before task_init() (or before paging: nothing readable yet)."""
    try:
        if int(symbol("sched_switch_hook")) == 0:
            return None
        return TaskTable()
    except gdb.MemoryError:
        return None


def parent_name(t):
    """Who spawned the task, as the monitor's `tasks` says it."""
    if int(t["parent"]):
        return char_array(t["parent"].dereference()["name"])
    return "(none)" if bool(t["orphan"]) else "kernel"


def task_threads(table, t):
    """The task's threads as "00000102 RUNNING", "(left)" after one that has left the task."""
    words = []
    for i in range(array_length(t["thread"])):
        tt = t["thread"][i]
        if not bool(tt["used"]):
            continue
        tid = int(tt["tid"])
        th = table.thread(tid)
        state = table.threads.state(th) if th is not None else "gone"
        words.append("%08x %s%s" % (tid, state, " (left)" if bool(tt["left"]) else ""))
    return ", ".join(words) or "none"


def task_exit_waitq(address):
    """"exit of task 257 hello" if `address` is a task's exit_wait, else None (keel threads)."""
    if slice3_problem():
        return None
    tasks = static_variable("tasks", "kernel/user/task.c")
    size = tasks.type.strip_typedefs().target().sizeof
    offset = address - int(tasks.address) - offset_of("struct task", "exit_wait")
    slot, rest = divmod(offset, size)
    if rest or not 0 <= slot < array_length(tasks):
        return None
    t = tasks[slot]
    return "exit of task %d %s" % (int(t["id"]), char_array(t["name"]))


keel.waitq_namers.append(task_exit_waitq)


def current_task():
    """The address of the task of the running thread, or 0 (a kernel thread, or no scheduler)."""
    cpu = read_cpu()
    if cpu is None:
        return 0
    return int(cpu["current"].dereference()["task"])


@keel_command
class KeelTasks(UserCommand):
    """List every task that exists: id, state, program, threads, frames, handles, parent.

    One line per task of tasks[] (kernel/user/task.c) that is not FREE, as the
    monitor's `tasks` prints them, with its slot first; '*' marks the task
    of the running thread. THREADS is alive/limit, FRAMES what it holds
    (pmm_kernel.owner_frames) against its limit, HNDL the handle slots in
    use. Under each task, its threads' ids and states ("(left)" once a
    thread has left the task). "(not yet set up)" before task_init();
    a kernel without slice 3 says so."""

    name = "tasks"

    def run(self):
        table = read_tasks()
        if table is None:
            print("Tasks: %s" % NOT_SET_UP)
            return
        current = current_task()
        print("  %4s %6s %-8s %-15s %7s %13s %4s  %s"
              % ("SLOT", "ID", "STATE", "PROGRAM", "THREADS", "FRAMES", "HNDL", "PARENT"))
        live = table.live()
        for slot, t in live:
            print("%c %4d %6d %-8s %-15s %4d/%-2d %6d/%-6d %4d  %s" % (
                "*" if int(t.address) == current else " ", slot, int(t["id"]), table.state(t),
                char_array(t["name"]), int(t["threads"]), int(t["thread_limit"]),
                table.frames(t), int(t["frame_limit"]), int(t["handles"]["used"]),
                parent_name(t)))
            print("         threads: %s" % task_threads(table, t))
        calls = int(symbol("syscall_count"))
        print("%d of %d tasks; %s" % (len(live), table.length, plural(calls, "system call")))


# ---------------------------------------------------------------------------
# keel handles: one task's handle table.

# Each right's letter: the tasks' and threads' rights in lower case (W for
# wait), slice 4's SEND, RECV and GRANT and slice 5's DERIVE and MAP by
# their initials (the monitor's `caps` uses the same letters).
RIGHT_LETTERS = (("KEEL_RIGHT_READ", "r"), ("KEEL_RIGHT_WRITE", "w"),
                 ("KEEL_RIGHT_WAIT", "W"), ("KEEL_RIGHT_KILL", "k"),
                 ("KEEL_RIGHT_SEND", "S"), ("KEEL_RIGHT_RECV", "R"),
                 ("KEEL_RIGHT_GRANT", "G"), ("KEEL_RIGHT_DERIVE", "D"),
                 ("KEEL_RIGHT_MAP", "M"))

# abi.h's KEEL_HANDLE_INDEX_BITS, for when the kernel's own abi.h cannot be
# read (handle_index_bits()); tests/e2e/test_gdb_cap.py checks the two agree.
HANDLE_INDEX_BITS = 12
# The most steps a walk of a derivation order takes (a damaged list may loop).
ORDER_STEPS_MAX = 1 << 16


def handle_index_bits():
    """KEEL_HANDLE_INDEX_BITS of the loaded kernel: the slot bits of a handle.

    A macro is in the debug information only with -g3, which the build does
    not use; so it is read from the abi.h the kernel was compiled from (the
    debug information names it: the file declaring keel_handle_t), and
    failing that it is HANDLE_INDEX_BITS.
    """
    try:
        return int(gdb.parse_and_eval("KEEL_HANDLE_INDEX_BITS"))
    except gdb.error:
        pass
    sym = gdb.lookup_static_symbol("keel_handle_t")
    try:
        with open(sym.symtab.fullname()) as f:
            m = re.search(r"^#define KEEL_HANDLE_INDEX_BITS (\d+)\b", f.read(), re.M)
        if m:
            return int(m.group(1))
    except (AttributeError, OSError):
        pass
    return HANDLE_INDEX_BITS


def rights_text(rights):
    """Rights as letters in fixed places, "rwWkSRG", '-' for each one missing.

    A right this kernel's ABI does not define has no place; a bit no
    right names is added in hex.
    """
    text, known = "", 0
    for name, letter in RIGHT_LETTERS:
        try:
            bit = int(symbol(name))
        except gdb.GdbError:
            continue
        known |= bit
        text += letter if rights & bit else "-"
    return text + ("+%#x" % (rights & ~known) if rights & ~known else "")


# Later slices describe their objects for `keel handles`: a function per
# type name ("ENDPOINT"), called as describe_object() is (keel_ipc.py adds
# the IPC objects').
object_describers = {}


def describe_object(table, owner, kind, obj):
    """What a slot's object is: "256 task hello (itself)", or why it names nothing now."""
    if kind == "TASK":
        if obj == 0:
            return "0 (being spawned)"
        t = table.by_id(obj)
        if t is None:
            return "%d (no such task now)" % obj
        itself = ", itself" if int(t.address) == int(owner.address) else ""
        return "%d task %s (%s%s)" % (obj, char_array(t["name"]), table.state(t), itself)
    if kind == "THREAD":
        if obj == 0:
            return "00000000 (being started)"
        th = table.thread(obj)
        if th is None:
            return "%08x (no such thread now)" % obj
        return "%08x thread %s (%s)" % (obj, char_array(th["name"]), table.threads.state(th))
    if kind in object_describers:
        return object_describers[kind](table, owner, obj)
    return "%#x" % obj


@keel_command
class KeelHandles(UserCommand):
    """Show a task's handle table: keel handles TASK.

    TASK is a task's id (as keel tasks and the monitor print it), its slot
    in tasks[], or its program's name. One line per slot that is not
    empty: the slot, the handle a program holds for it (slot |
    generation << KEEL_HANDLE_INDEX_BITS), the object's type (TASK,
    THREAD, from slice 4 ENDPOINT, NOTIFICATION, CHANNEL, from slice 5
    MEMORY, FRAMES), the rights (r read, w write, W wait, k kill, S send,
    R receive, G grant, D derive, M map; '-' for one missing), the slot's
    generation, its depth in its derivation tree (0: an original) and
    what it was derived from (TASK:SLOT, "original" at depth 0), and the
    object: its id and what it is now, if it still exists. Slot 0 is
    KEEL_SELF, the task's handle to itself. The last line checks the
    table's `used` count against its slots (the table has `size` slots)."""

    name = "handles"
    usage = "TASK"
    min_args = max_args = 1

    def run(self):
        table = read_tasks()
        if table is None:
            print("Handles: %s" % NOT_SET_UP)
            return
        slot, t = table.find(self.args[0])
        types = enum_labels("enum keel_object_type")
        shift = handle_index_bits()
        print("Handles of task %d %s (slot %d, %s):" % (
            int(t["id"]), char_array(t["name"]), slot, table.state(t)))
        print("  %4s %10s %-12s %-9s %4s %5s %-10s %s" % (
            "SLOT", "HANDLE", "TYPE", "RIGHTS", "GEN", "DEPTH", "PARENT", "OBJECT"))
        slots = table.slots(t)
        full = 0
        for i, s in enumerate(slots):
            kind = types.get(int(s["type"]), "?%d" % int(s["type"]))
            if kind == "NONE":
                continue
            full += 1
            generation, depth = int(s["generation"]), int(s["depth"])
            parent = "original" if depth == 0 else table.place(slot_parent(s))
            print("  %4d %10d %-12s %-9s %4d %5d %-10s %s" % (
                i, i | generation << shift, kind, rights_text(int(s["rights"])), generation,
                depth, parent, describe_object(table, t, kind, int(s["object"]))))
        used = int(t["handles"]["used"])
        verdict = "OK" if used == full else "WRONG: used says %d" % used
        print("%d of %d slots used; %s" % (full, len(slots), verdict))


# ---------------------------------------------------------------------------
# keel user: a user program's symbols.


def user_bin():
    """The folder of the user programs with symbols: user/bin beside the kernel's ELF."""
    kernel = gdb.current_progspace().filename
    if not kernel:
        raise gdb.GdbError("no kernel loaded (file build/dev/keel.elf)")
    folder = os.path.join(os.path.dirname(os.path.abspath(kernel)), "user", "bin")
    if not os.path.isdir(folder):
        raise gdb.GdbError("no user programs in %s: `make` builds them beside the kernel"
                           % folder)
    return folder


def loaded_programs(folder):
    """The objfiles GDB has from `folder`: the user program `keel user` loaded, if any."""
    return [o for o in gdb.objfiles()
            if o.filename and os.path.dirname(os.path.abspath(o.filename)) == folder]


def elf_entry(path):
    """The entry point of the 32-bit executable ELF at `path`; fails in one line otherwise."""
    with open(path, "rb") as f:
        header = f.read(28)
    if len(header) < 28 or header[:4] != b"\x7fELF" or header[4] != 1:
        raise gdb.GdbError("%s is not a 32-bit ELF file" % path)
    e_type, = struct.unpack_from("<H", header, 16)
    if e_type != 2:  # ET_EXEC: its symbols are at their link addresses
        raise gdb.GdbError("%s is not an executable (ELF type %d)" % (path, e_type))
    return struct.unpack_from("<I", header, 24)[0]


def running_program():
    """The program of the running thread's task; fails in one line if there is none."""
    if not kernel_running():
        raise gdb.GdbError("no kernel is running: name the program (keel user NAME)")
    address = current_task()
    if address == 0:
        raise gdb.GdbError("the running thread is not in a task: name the program "
                           "(keel user NAME)")
    return char_array(gdb.Value(address).cast(
        gdb.lookup_type("struct task").pointer()).dereference()["name"])


@keel_command
class KeelUser(UserCommand):
    """Load a user program's symbols: keel user [NAME | off].

    Gives GDB the symbols of program NAME, from the copy with debug
    information the build keeps beside the kernel,
    build/PROFILE/user/bin/NAME, so that breakpoints, backtraces and
    stepping work in its code: `keel user hello`, `break main`,
    `continue`; stepping goes on into the kernel at a system call and
    back. Without NAME, the program of the running thread's task. Every
    program is linked at 0x08048000, so GDB holds one program's symbols at
    a time: this first removes the program loaded before (`off` only
    removes it). A breakpoint on a user address stops in any task running
    code there. Works without a running kernel."""

    name = "user"
    usage = "[NAME | off]"
    max_args = 1
    needs_kernel = False

    def run(self):
        folder = user_bin()
        name = self.args[0] if self.args else running_program()
        path = os.path.join(folder, name)
        if name != "off" and not os.path.isfile(path):
            raise gdb.GdbError("no program '%s' in %s; the programs: %s"
                               % (name, folder, ", ".join(sorted(os.listdir(folder)))))
        entry = None if name == "off" else elf_entry(path)
        before = [os.path.basename(o.filename) for o in loaded_programs(folder)]
        for o in loaded_programs(folder):
            gdb.execute("remove-symbol-file %s" % o.filename, to_string=True)
        if entry is None:
            print("Removed the symbols of %s" % ", ".join(before) if before
                  else "No user program's symbols were loaded")
            return
        gdb.execute("add-symbol-file %s" % path, to_string=True)
        others = [b for b in before if b != name]
        replaced = " (instead of %s's)" % ", ".join(others) if others else ""
        print("Loaded the symbols of %s from %s, entry %#x%s" % (name, path, entry, replaced))
