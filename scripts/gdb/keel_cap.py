# keel_cap.py - the `keel` commands of slice 5 (capabilities): caps, captree.
#
# keel.py imports this module at its end, like keel_ipc.py. `keel caps`
# and `keel captree` only read memory, and print what the monitor's
# `caps` and `captree` print (kernel/cap/monitor.c), line for line, so the
# two can be compared.
#
# Every handle is a capability: a slot of its holder's handle table
# (keel_user.py reads the tables). A slot's place in its object's
# derivation order is `prev`, `next` (pre-order of the derivation tree)
# and `depth` (0 for an original): what was derived from a slot is the
# run after it of deeper slots, and what it was derived from is the
# nearest slot before it that is shallower. A slot's `table` points at
# the table it is in, inside its task (struct task.handles), so a slot's
# address tells its holder. A frames capability names a run of
# frames_pool[] (kernel/cap/frames.c; an id carries its slot in the low 8
# bits, like a task's) and its badge is the part of the run it names
# (first page << 16 | pages); its `mapped` field says where it is mapped
# in its holder's space (0: nowhere).
#
# This module also names the memory and frames objects in `keel handles`
# (through keel_user.object_describers).

import gdb

import keel_user
from keel import NOT_SET_UP, array_length, char_array, enum_labels, keel_command, symbol
from keel_user import UserCommand, handle_index_bits, rights_text

CAP_DIR = "kernel/cap/"
NO_SLICE = "slice 5 (capabilities) is not in this kernel: it was built with SLICES below 5"
SLOT_MASK = 0xff  # a run's id carries its slot in frames_pool[] here
BAD_HANDLE = "the handle is out of range, empty or stale"  # abi.h's KEEL_ERR_BAD_HANDLE


def slice5_problem():
    """Why the slice 5 commands cannot work with the loaded kernel, or None."""
    sym = gdb.lookup_global_symbol("frames_pool")
    # GDB may name the file of its declaration (cap_internal.h) rather than frames.c.
    if sym is not None and sym.symtab is not None and CAP_DIR in sym.symtab.filename:
        return None
    if gdb.lookup_global_symbol("kernel_main") is None:
        return "no kernel symbols: is the kernel loaded? (file build/dev/keel.elf)"
    return NO_SLICE


def cap_set_up():
    """True once cap_init() has run (it sets cap_deleting); False before paging too."""
    try:
        return int(symbol("cap_deleting")) != 0
    except gdb.MemoryError:
        return False


class CapState:
    """Every task's handle slots and the runs of frames, read once."""

    def __init__(self):
        self.tasks = keel_user.read_tasks()
        self.pool = symbol("frames_pool")
        self.pool.fetch_lazy()
        self.types = enum_labels("enum keel_object_type")
        self.shift = handle_index_bits()
        self.slots = {}  # a slot's address: (its task, its index, the struct handle_slot)
        for _, t in self.tasks.live():
            for i, s in enumerate(self.tasks.slots(t)):
                self.slots[keel_user.slot_address(t, i)] = (t, i, s)

    def kind(self, s):
        """A slot's type as the monitor writes it: "endpoint"."""
        value = int(s["type"])
        return self.types.get(value, "?%d" % value).lower()

    def place(self, address):
        """"256:3" for the slot at `address`."""
        t, i, _ = self.slots[address]
        return "%d:%d" % (int(t["id"]), i)

    def parent(self, address):
        """The address of what the slot at `address` was derived from, or 0 (cap_parent())."""
        s = self.slots[address][2]
        p = int(s["prev"])
        while p in self.slots:
            if int(self.slots[p][2]["depth"]) < int(s["depth"]):
                return p
            p = int(self.slots[p][2]["prev"])
        return 0

    def order(self, address):
        """The addresses of the slot's derivation order from its first (its original) on."""
        first, seen = address, {address}
        while int(self.slots[first][2]["prev"]) in self.slots:
            first = int(self.slots[first][2]["prev"])
            if first in seen:
                raise gdb.GdbError("the derivation order at %#x loops" % address)
            seen.add(first)
        order, a = [], first
        while a in self.slots and len(order) <= len(self.slots):
            order.append(a)
            a = int(self.slots[a][2]["next"])
        return order

    def derived(self, address):
        """How many capabilities were derived from the slot at `address` (cap_derived_count())."""
        depth, n = int(self.slots[address][2]["depth"]), 0
        a = int(self.slots[address][2]["next"])
        while a in self.slots and int(self.slots[a][2]["depth"]) > depth and n < len(self.slots):
            n += 1
            a = int(self.slots[a][2]["next"])
        return n

    def run(self, obj):
        """The live run of frames `obj` names, or None (frames_lookup())."""
        f = self.pool[(obj & SLOT_MASK) % array_length(self.pool)]
        return f if obj and int(f["id"]) == obj else None

    def object_id(self, s):
        """The object's id as its type writes it: a task's in decimal, a thread's as 8 hex
        digits, any other in hex."""
        kind, obj = self.kind(s), int(s["object"])
        return "%d" % obj if kind == "task" else "%08x" % obj if kind == "thread" else "%#x" % obj

    def task_name(self, task_id):
        t = self.tasks.by_id(task_id)
        return char_array(t["name"]) if t is not None else "(gone)"

    def pages(self, address, whole):
        """A frames capability's part and mapping, as print_range() in monitor.c."""
        s = self.slots[address][2]
        badge = int(s["badge"])
        first, count = badge >> 16, badge & 0xffff
        text = " pages %d-%d" % (first, first + count - 1)
        if whole:
            run = self.run(int(s["object"]))
            text += " of %d" % (1 << int(run["order"]) if run is not None else 0)
        va = int(s["mapped"])
        return text + (", mapped at %#x" % va if va else ", not mapped")


def find_task(state, text):
    """The task `text` names, as keel_user's find() does."""
    return state.tasks.find(text)[1]


def cap_line(state, address):
    """One slot of `keel caps`, as print_cap() in monitor.c."""
    t, i, s = state.slots[address]
    depth = int(s["depth"])
    parent = state.parent(address)
    parent = state.place(parent) if parent else "original" if depth == 0 else "?"
    kind = state.kind(s)
    line = "%4d %-8s %-12s %s %5d %-10s %7d %s %s" % (
        i, "%#x" % (i | int(s["generation"]) << state.shift), kind, rights_text(int(s["rights"])),
        depth, parent, state.derived(address), kind, state.object_id(s))
    if kind == "task":
        line += " " + state.task_name(int(s["object"]))
    elif kind == "frames":
        line += state.pages(address, True)
    return line


def tree_line(state, address, asked):
    """One capability of `keel captree`, as print_tree_line() in monitor.c."""
    t, i, s = state.slots[address]
    depth = int(s["depth"])
    line = "%s%s %s %s handle %#x" % (" " * (2 + 2 * depth), state.place(address),
                                       char_array(t["name"]), rights_text(int(s["rights"])),
                                       i | int(s["generation"]) << state.shift)
    if state.kind(s) == "frames":
        line += state.pages(address, False)
    return line + (" <-" if address == asked else "")


class CapCommand(UserCommand):
    """A command of this slice: it first checks that the kernel has slice 5."""

    def invoke(self, arg, from_tty):
        problem = keel_user.slice3_problem() or slice5_problem()
        if problem:
            raise gdb.GdbError("keel %s: %s" % (self.name, problem))
        super().invoke(arg, from_tty)

    def state(self):
        """A CapState, or None (having said so) before the tasks and capabilities are set up."""
        if keel_user.read_tasks() is None or not cap_set_up():
            print("Capabilities: %s" % NOT_SET_UP)
            return None
        return CapState()


@keel_command
class KeelCaps(CapCommand):
    """Show every capability a task holds: keel caps TASK.

    As the monitor's `caps TASK` prints them (TASK: an id, as keel tasks
    and the monitor print it, a slot of tasks[], or a program's name): one
    line per slot that is not empty, with its slot, handle, type, rights
    (r read, w write, W wait, k kill, S send, R receive, G grant, D
    derive, M map; '-' for one missing), depth in its derivation tree,
    what it was derived from (TASK:SLOT, walking `prev` to the nearest
    shallower slot; "original" at depth 0), how many were derived from it
    (walking `next` while deeper) and the object; a frames capability
    also shows the pages of its run it names (its badge) and where it is
    mapped (the slot's `mapped`)."""

    name = "caps"
    usage = "TASK"
    min_args = max_args = 1

    def run(self):
        state = self.state()
        if state is None:
            return
        t = find_task(state, self.args[0])
        print("capabilities of task %d %s: %d of %d slots used" % (
            int(t["id"]), char_array(t["name"]), int(t["handles"]["used"]),
            int(t["handles"]["size"])))
        print("SLOT HANDLE   TYPE         RIGHTS    DEPTH PARENT     DERIVED OBJECT")
        for address, (holder, _, s) in state.slots.items():
            if int(holder.address) == int(t.address) and state.kind(s) != "none":
                print(cap_line(state, address))


@keel_command
class KeelCaptree(CapCommand):
    """Show the derivation tree a capability is in: keel captree TASK HANDLE.

    As the monitor's `captree TASK HANDLE` prints it: HANDLE is the
    handle task TASK knows the capability by (0x... or decimal, as keel
    caps prints it). From the tree's original (the first of its
    derivation order) down, in derivation order (pre-order), one line per
    capability indented by its depth: its holder as TASK:SLOT and
    program, its rights, and the handle its holder knows it by; a frames
    capability also shows its pages and mapping. "<-" marks the one asked
    about."""

    name = "captree"
    usage = "TASK HANDLE"
    min_args = max_args = 2

    def run(self):
        state = self.state()
        if state is None:
            return
        t = find_task(state, self.args[0])
        asked = self.handle_slot(state, t, self.args[1])
        order = state.order(asked)
        first = state.slots[order[0]][2]
        print("derivation tree of %s %s: %d %s" % (
            state.kind(first), state.object_id(first), len(order),
            "capability" if len(order) == 1 else "capabilities"))
        for address in order:
            print(tree_line(state, address, asked))

    @staticmethod
    def handle_slot(state, t, text):
        """The address of the slot handle `text` of task `t` names, as handle_get() finds it."""
        try:
            h = int(text, 0)
        except ValueError:
            h = -1
        if not 0 <= h <= 0x7fffffff:
            raise gdb.GdbError("'%s' is not a handle (see keel caps %d)" % (text, int(t["id"])))
        index = h & ((1 << state.shift) - 1)
        address = keel_user.slot_address(t, index)
        s = state.slots.get(address, (None, None, None))[2]
        if (index >= int(t["handles"]["size"]) or s is None or state.kind(s) == "none"
                or int(s["generation"]) != h >> state.shift):
            raise gdb.GdbError("task %d has no capability %#x: %s" % (int(t["id"]), h,
                                                                     BAD_HANDLE))
        return address


# ---------------------------------------------------------------------------
# What `keel handles` learns from this slice.


def describe_memory(table, owner, obj):
    return "%#x memory" % obj


def describe_archive(table, owner, obj):
    return "%#x boot archive" % obj


def describe_frames(table, owner, obj):
    pool = symbol("frames_pool")
    f = pool[(obj & SLOT_MASK) % array_length(pool)]
    if obj == 0 or int(f["id"]) != obj:
        return "%#x (no such run of frames now)" % obj
    return "%#x frames, a run of %d pages" % (obj, 1 << int(f["order"]))


keel_user.object_describers["MEMORY"] = describe_memory
keel_user.object_describers["FRAMES"] = describe_frames
keel_user.object_describers["ARCHIVE"] = describe_archive
