# keel_dev.py - the `keel` command of slice 6 (userspace drivers): irqs.
#
# keel.py imports this module at its end, like keel_cap.py. `keel irqs`
# only reads memory, and prints what the monitor's `irqs` prints
# (kernel/dev/monitor.c), line for line, so the two can be compared.
#
# Three places say who has an interrupt line. Slice 6's irq_lines[]
# (kernel/dev/interrupt.c) holds each line's binding: the capability it
# is bound through (`slot`, a struct handle_slot in its holder's handle
# table; the line is bound when it is not NULL), that holder's task id,
# the notification's id and the bits it is signalled with, `waiting`
# (delivered and masked, not yet acknowledged) and the interrupts
# delivered to drivers. Slice 1's slots[] (a static of
# kernel/sched/irq.c) holds each line's handler, `fn` and `ctx`
# (irq_deliver() and the line's entry of irq_lines[] once a driver binds it;
# the timer's own handler on the line it drives), and `count`, the
# interrupts the CPU took. And the arch keeps some lines whatever the
# tables say: arch_irq_kernel() in arch/x86/dev/ioport.c, code GDB does
# not run, so KERNEL_LINES repeats it (tests/e2e/test_gdb_dev.py checks
# that the two agree). A line a driver may bind is one the arch does not
# keep and that is bound or has no handler, as dev_irq_state() says.
# Until dev_init() has run (space.c's deleting_before is then slice 5's
# cap_deleting, never NULL) the command says "(not yet set up)".
#
# This module also names the hardware objects in `keel handles` (through
# keel_user.object_describers).

import gdb

import keel_user
from keel import (KeelCommand, NOT_SET_UP, array_length, char_array, enum_labels,
                  keel_command, static_variable, symbol)

INTERRUPT_C = "kernel/dev/interrupt.c"
SPACE_C = "kernel/dev/space.c"
IRQ_C = "kernel/sched/irq.c"
NO_SLICE = "slice 6 (userspace drivers) is not in this kernel: it was built with SLICES below 6"
# The lines arch_irq_kernel() (arch/x86/dev/ioport.c) keeps: the second
# interrupt controller's cascade.
KERNEL_LINES = (2,)
HEADER = ("LINE OWNER                  NOTIFICATION BITS       STATE     DELIVERED      TAKEN")


def slice6_problem():
    """Why `keel irqs` cannot work with the loaded kernel, or None."""
    if gdb.lookup_global_symbol("irq_lines") is not None:
        return None
    if gdb.lookup_global_symbol("kernel_main") is None:
        return "no kernel symbols: is the kernel loaded? (file build/dev/keel.elf)"
    return NO_SLICE


def dev_set_up():
    """True once dev_init() has run; False before paging too."""
    try:
        return int(static_variable("deleting_before", SPACE_C)) != 0
    except gdb.MemoryError:
        return False


def static_function(name, filename):
    """The address of static function `name` of source file `filename`, or 0."""
    for sym in gdb.lookup_static_symbols(name):
        if sym.symtab is not None and sym.symtab.filename.endswith(filename):
            return int(sym.value().address)
    return 0


class IrqState:
    """irq_lines[], slice 1's slots[] and the tasks, read once."""

    def __init__(self):
        self.lines = symbol("irq_lines")
        self.lines.fetch_lazy()
        self.slots = static_variable("slots", IRQ_C)
        self.slots.fetch_lazy()
        self.tasks = keel_user.read_tasks()
        self.deliver = static_function("irq_deliver", INTERRUPT_C)
        self.types = enum_labels("enum keel_object_type")

    def bound(self, i):
        return int(self.lines[i]["slot"]) != 0

    def taken(self, i):
        """Interrupts the CPU took on line `i` (irq_count(): 0 past slice 1's lines)."""
        return int(self.slots[i]["count"]) if i < array_length(self.slots) else 0

    def usable(self, i):
        """Whether a driver may have line `i` (dev_irq_state()'s `usable`)."""
        handled = i < array_length(self.slots) and int(self.slots[i]["fn"]) != 0
        return i not in KERNEL_LINES and (self.bound(i) or not handled)

    def holder(self, i):
        """The live-or-not task the line's `task` names, or None (task_lookup())."""
        return self.tasks.by_id(int(self.lines[i]["task"])) if self.tasks else None


def line_text(state, i):
    """Line `i` as cmd_irqs() prints it."""
    line = state.lines[i]
    if not state.bound(i):
        return "%4u %-23s %-12s %-10s %-9s %9d %10d" % (
            i, "-" if state.usable(i) else "kernel", "-", "-", "-", int(line["delivered"]),
            state.taken(i))
    t = state.holder(i)
    owner = char_array(t["name"]) if t is not None else ""
    return "%4u task %-5u %-12s 0x%-10x 0x%08x %-9s %9d %10d" % (
        i, int(line["task"]), owner, int(line["note"]), int(line["bits"]),
        "masked" if bool(line["waiting"]) else "armed", int(line["delivered"]), state.taken(i))


def slot_problem(state, i):
    """What is wrong with the capability bound line `i` is bound through, or None."""
    line = state.lines[i]
    try:
        s = line["slot"].dereference()
        kind = int(s["type"])
        place = state.tasks.slot_place(int(line["slot"])) if state.tasks else None
    except gdb.MemoryError:
        return "its slot %#x cannot be read" % int(line["slot"])
    if state.types.get(kind) != "IRQ":
        return "its slot %#x is not an interrupt capability" % int(line["slot"])
    if place is None:
        return "its slot %#x is in no task's handle table" % int(line["slot"])
    if int(place[0]["id"]) != int(line["task"]):
        return "its slot is task %d's" % int(place[0]["id"])
    return None


def line_notes(state, i):
    """The inconsistencies line `i` shows, as words for [brackets]."""
    line = state.lines[i]
    if not state.bound(i):
        return ["waiting, but not bound"] if bool(line["waiting"]) else []
    notes = []
    t = state.holder(i)
    if t is None or state.tasks.state(t) != "LIVE":
        notes.append("holder task %d is not live%s" % (
            int(line["task"]), " (%s)" % state.tasks.state(t) if t is not None else ""))
    if i in KERNEL_LINES:
        notes.append("a line the kernel keeps")
    handler = state.slots[i] if i < array_length(state.slots) else None
    if handler is None or int(handler["fn"]) != state.deliver \
            or int(handler["ctx"]) != int(line.address):
        notes.append("slice 1's handler is not irq_deliver(&lines[%d])" % i)
    problem = slot_problem(state, i)
    return notes + ([problem] if problem else [])


@keel_command
class KeelIrqs(KeelCommand):
    """List the interrupt lines: owner, notification, bits, state and counts.

    As the monitor's `irqs` prints them: one line per interrupt line of
    lines[] (kernel/dev/interrupt.c). A line bound to a driver shows the
    task holding the capability it is bound through (its id and program),
    the notification it signals (its id) and the bits, and "masked" while
    an interrupt delivered waits for the driver's IRQ_ACK, else "armed".
    A line not bound shows "-" if a driver may bind it, "kernel" if the
    kernel keeps it (arch_irq_kernel(), or a handler of its own in slice
    1's slots[]). Then the interrupts delivered to drivers and those the
    CPU took (slots[].count), and how many lines are bound. A line bound
    whose holder task is not LIVE, whose handler is not irq_deliver(), or
    whose capability is not an interrupt capability of that task, and a
    line `waiting` that is not bound, are flagged in [brackets].
    "(not yet set up)" before dev_init()."""

    name = "irqs"

    def invoke(self, arg, from_tty):
        problem = slice6_problem()
        if problem:
            raise gdb.GdbError("keel %s: %s" % (self.name, problem))
        super().invoke(arg, from_tty)

    def run(self):
        if not dev_set_up():
            print("Interrupt lines: %s" % NOT_SET_UP)
            return
        state = IrqState()
        count = array_length(state.lines)
        print(HEADER)
        for i in range(count):
            notes = line_notes(state, i)
            print(line_text(state, i) + (" [%s]" % ", ".join(notes) if notes else ""))
        bound = sum(1 for i in range(count) if state.bound(i))
        print("%u of %u lines bound to drivers" % (bound, count))


# ---------------------------------------------------------------------------
# What `keel handles` learns from this slice: the hardware objects (one
# object each; a capability's badge is the range of it that it names).


def describe_hardware(what):
    """A keel handles describer for the one object of a hardware type."""
    def describe(table, owner, obj):
        return "%#x %s" % (obj, what)
    return describe


keel_user.object_describers["IRQ"] = describe_hardware("interrupt lines")
keel_user.object_describers["IOPORT"] = describe_hardware("I/O ports")
keel_user.object_describers["DEVICE"] = describe_hardware("device memory")
