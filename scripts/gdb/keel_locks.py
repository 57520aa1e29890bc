# keel_locks.py - `keel locks`: the kernel's spinlocks and who holds them.
#
# keel.py imports this module at its end, like keel_mem.py. Every lock is
# a spinlock_t (kernel/include/keel/spinlock.h): a ticket pair (next,
# serving), a name and a rank. A lock is free when next == serving; each
# ticket beyond serving is a CPU waiting. The CPU's stack of held locks is
# cpu0.held[0 .. locks_held) (kernel/sched/sched.c), first taken first.
# Locks of later slices are found by name if their slice is built in.

import gdb

from keel import KeelCommand, NOT_SET_UP, c_string, keel_command, static_variable

# (variable, the file a static one lives in, or None for a global)
LOCKS = [("sched_lock", None), ("irq_lock", "kernel/sched/irq.c"),
         ("vm_lock", "kernel/mem/vm.c"), ("slab_lock", None),
         ("frame_lock", "kernel/mem/frame.c")]


def find_lock(name, filename):
    """The spinlock_t called `name`, or None if this kernel has none."""
    try:
        if filename is None:
            return gdb.parse_and_eval(name)
        return static_variable(name, filename)
    except (gdb.error, gdb.GdbError, LookupError):
        return None


def describe(lock):
    """'free' or 'held, N waiting', from the ticket pair."""
    ahead = (int(lock["next"]) - int(lock["serving"])) & 0xffffffff
    if ahead == 0:
        return "free"
    return "held" + (", %d waiting" % (ahead - 1) if ahead > 1 else "")


@keel_command
class KeelLocks(KeelCommand):
    """Show the kernel's spinlocks and the locks the CPU holds.

    For each lock the kernel has: its name, its rank in the lock order, its
    tickets (next, serving) and whether it is free, held or contended. Then
    the CPU's stack of held locks, first taken first, as spin_lock() keeps
    it in cpu0.held (the DEV profile checks the order against it). Works
    without a running kernel (the values are then those of the ELF file)."""

    name = "locks"
    needs_kernel = False

    def run(self):
        print("%-8s %4s %10s %10s  %s" % ("lock", "rank", "next", "serving", "state"))
        for var, filename in LOCKS:
            lock = find_lock(var, filename)
            if lock is None:
                continue
            print("%-8s %4d %10d %10d  %s" % (c_string(lock["name"]), int(lock["rank"]),
                                             int(lock["next"]), int(lock["serving"]),
                                             describe(lock)))
        try:
            cpu = static_variable("cpu0", "kernel/sched/sched.c")
            held = [cpu["held"][i] for i in range(int(cpu["locks_held"]))]
        except (gdb.error, gdb.GdbError, LookupError):
            print("Held by cpu0: %s" % NOT_SET_UP)
            return
        names = ["%s (rank %d)" % (c_string(h["name"]), int(h["rank"])) for h in held]
        print("Held by cpu0, first taken first: %s" % (", ".join(names) or "none"))
