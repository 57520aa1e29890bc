# keel_ipc.py - the `keel` command of slice 4 (IPC): endpoints, notifications, channels.
#
# keel.py imports this module at its end, like keel_user.py. `keel ipc`
# only reads memory, and prints what the monitor's `ipc` prints
# (kernel/ipc/monitor.c), line for line, so the two can be compared.
#
# Slice 4 keeps its objects in three pools (kernel/ipc/object.c):
# ipc_endpoints[], ipc_notifications[] and ipc_channels[]. An object is
# live when its obj.id is not 0; the id carries its slot in the low 8
# bits, like a task's. Each object has wait queues (struct waitq): a
# circular list of the BLOCKED threads' wait_link nodes, oldest first.
# Each thread's IPC state is ipc_threads[tid & 0xff], a static of
# object.c, and is the thread's only while its `tid` is the thread's:
# the kernel resets an entry lazily when its slot's thread changes. The
# state's inheritance node (pi) links a server to the caller whose reply
# right it holds (pi.caller) and back (pi.server); following a link means
# going from a node to the ipc_thread around it, as list_entry() does.
#
# This module also names the IPC wait queues in `keel threads` (through
# keel.waitq_namers) and the IPC objects in `keel handles` (through
# keel_user.object_describers).

import gdb

import keel
import keel_user
from keel import (KeelCommand, NOT_SET_UP, ThreadTable, array_length, char_array,
                  keel_command, list_nodes, offset_of, static_variable, symbol)

OBJECT_C = "kernel/ipc/object.c"
NO_SLICE = "slice 4 (IPC) is not in this kernel: it was built with SLICES below 4"
SLOT_MASK = 0xff  # an object's id and a thread's tid carry their slot here

# (kind, pool, its struct, its queues as (field, what a thread on it is)),
# in the order the monitor prints them.
POOLS = (("endpoint", "ipc_endpoints", "struct endpoint",
          (("senders", "sender"), ("receivers", "receiver"))),
         ("notification", "ipc_notifications", "struct notification", (("waiters", "waiter"),)),
         ("channel", "ipc_channels", "struct channel",
          (("senders", "sender"), ("receivers", "receiver"))))


def slice4_problem():
    """Why `keel ipc` cannot work with the loaded kernel, or None."""
    if any(s.symtab is not None and s.symtab.filename.endswith(OBJECT_C)
           for s in gdb.lookup_static_symbols("ipc_threads")):
        return None
    if gdb.lookup_global_symbol("kernel_main") is None:
        return "no kernel symbols: is the kernel loaded? (file build/dev/keel.elf)"
    return NO_SLICE


def ipc_set_up():
    """True once ipc_init() has run (it installs the task hooks); False before paging too."""
    try:
        return int(symbol("task_hooks")["thread_leaving"]) != 0
    except gdb.MemoryError:
        return False


class IpcState:
    """The pools, the threads and ipc_threads[], read once, with the lookups between them."""

    def __init__(self):
        self.threads = ThreadTable()
        self.ipc = static_variable("ipc_threads", OBJECT_C)
        self.ipc.fetch_lazy()
        self.ipc_base = int(self.ipc.address)
        self.ipc_size = self.ipc.type.strip_typedefs().target().sizeof
        self.pools = {}
        for kind, pool, _, _ in POOLS:
            self.pools[kind] = symbol(pool)
            self.pools[kind].fetch_lazy()

    def ipc_of(self, t):
        """The IPC state of thread `t`, or None if its entry is an earlier thread's."""
        tid = int(t["tid"])
        entry = self.ipc[tid & SLOT_MASK]
        return entry if int(entry["tid"]) == tid else None

    def ipc_at(self, address, member):
        """The ipc_threads[] entry whose `member` is at `address`, or None."""
        offset = address - self.ipc_base - offset_of("struct ipc_thread", member)
        slot, rest = divmod(offset, self.ipc_size)
        if rest or not 0 <= slot < array_length(self.ipc):
            return None
        return self.ipc[slot]

    def thread_of(self, entry):
        """The thread an ipc_threads[] entry belongs to, or None."""
        return self.threads.at(int(entry["thread"])) if entry is not None else None

    def live(self, kind):
        """The live objects of pool `kind`, in slot order."""
        pool = self.pools[kind]
        return [pool[i] for i in range(array_length(pool)) if int(pool[i]["obj"]["id"])]

    def waiters(self, wq):
        """The threads on wait queue `wq`, oldest first, and a problem of the list or None."""
        nodes, problem = list_nodes(wq["waiters"], self.threads.length)
        return [self.threads.containing(n, "wait_link") for n in nodes], problem

    def object_at(self, address):
        """(kind, object, queue field) for a wait queue at `address` in a pool, or None."""
        for kind, _, struct, queues in POOLS:
            pool = self.pools[kind]
            slot, rest = divmod(address - int(pool.address), gdb.lookup_type(struct).sizeof)
            if not 0 <= slot < array_length(pool):
                continue
            for field, _ in queues:
                if rest == offset_of(struct, field):
                    return kind, pool[slot], field
        return None


def thread_ref(t):
    """A thread as the monitor names it: "00000102 t_ipc_show" padded, or its address."""
    return "%08x %-15s" % (int(t["tid"]), char_array(t["name"]))


def owner_text(obj):
    """"of task 256 t_ipc_show", from the object's owner pointer."""
    owner = obj["owner"]
    if int(owner) == 0:
        return "of no task"
    task = owner.dereference()
    return "of task %d %s" % (int(task["id"]), char_array(task["name"]))


def details(state, kind, o):
    """The part of an object's line after its owner, as print_details() in monitor.c."""
    if kind == "endpoint":
        text = ", %d delivered" % int(o["messages"])
    elif kind == "notification":
        text = ", bits 0x%x, " % int(o["bits"])
        bound = state.threads.at(int(o["bound"]))
        text += "bound to %s" % thread_ref(bound).rstrip() if bound is not None else "not bound"
    else:
        text = ", %d of %d queued, max_len %d" % (int(o["q"]["count"]), int(o["q"]["depth"]),
                                                  int(o["max_len"]))
    rate = o["obj"]["rate"]
    if int(rate["rate"]):
        text += ", rate %d/s burst %d" % (int(rate["rate"]), int(rate["burst"]))
    return text


def waiter_line(state, kind, wq, what, t):
    """One thread on an object's queue, with any inconsistency it shows."""
    entry = state.ipc_of(t)
    call = kind == "endpoint" and what == "sender" and entry is not None and bool(entry["calling"])
    line = "    %-8s %s prio %3d%s" % (what, thread_ref(t), int(t["prio"]),
                                    "  call" if call else "")
    notes = []
    if state.threads.state(t) != "BLOCKED":
        notes.append(state.threads.state(t))
    if int(t["waiting_on"]) != int(wq.address):
        notes.append("its waiting_on is %#x" % int(t["waiting_on"]))
    return line + (" [%s]" % ", ".join(notes) if notes else "")


def object_lines(state, kind, queues, o):
    """The lines `keel ipc` prints for live object `o` of `kind`."""
    lines = ["%s 0x%x %s%s" % (kind, int(o["obj"]["id"]), owner_text(o["obj"]),
                               details(state, kind, o))]
    for field, what in queues:
        threads, problem = state.waiters(o[field])
        for t in threads:
            lines.append(waiter_line(state, kind, o[field], what, t) if t is not None
                         else "    %-8s (a node not in threads[])" % what)
        if problem:
            lines.append("    %s list broken: %s" % (field, problem))
    if len(lines) == 1:
        lines.append("    (no waiters)")
    return lines


def reply_rights(state):
    """(server, its IPC state, caller or None) for each thread holding a reply right."""
    rights = []
    for t in state.threads:
        if state.threads.state(t) in ("FREE", "DEAD") or int(t["task"]) == 0:
            continue
        entry = state.ipc_of(t)
        if entry is None or (int(entry["pi"]["caller"]) == 0 and not bool(entry["caller_gone"])):
            continue
        caller = state.ipc_at(int(entry["pi"]["caller"]), "pi")
        rights.append((t, entry, state.thread_of(caller) if caller is not None else None))
    return rights


def reply_line(state, server, entry, caller):
    """One reply right, as print_reply() in monitor.c, with what is wrong about it."""
    pi = entry["pi"]
    who = thread_ref(caller) if caller is not None else "%-24s" % "(caller left)"
    line = "  %s -> %s base %3d prio %3d" % (thread_ref(server), who, int(pi["base"]),
                                            int(pi["prio"]))
    notes = []
    if caller is None and int(pi["caller"]):
        notes.append("pi.caller %#x is no thread's" % int(pi["caller"]))
    elif caller is not None:
        reply_wait = state.ipc_of(caller)
        if reply_wait is None or int(caller["waiting_on"]) != int(reply_wait["reply_wait"].address):
            notes.append("the caller does not wait for its reply")
    return line + (" [%s]" % ", ".join(notes) if notes else "")


@keel_command
class KeelIpc(KeelCommand):
    """List the IPC objects, the threads in their queues, and the reply rights.

    As the monitor's `ipc` prints them: each live endpoint, notification
    and channel of ipc_endpoints[], ipc_notifications[] and ipc_channels[]
    (kernel/ipc/object.c), with its id, its owner task and its rate limit
    if it has one; an endpoint's messages delivered, a notification's
    pending bits and bound thread, a channel's messages queued of its
    depth. Under each, the threads in its queues, oldest first (walking
    each struct waitq's list of thread.wait_link), with their priorities;
    "call" marks a sender that is calling. Then each reply right: the
    server holding it -> the caller waiting for the reply, and the
    server's base and inherited priority (ipc_threads[], an entry counting
    only while its tid is its thread's). A thread that is not BLOCKED on
    the queue it is listed on, or a caller not waiting for its reply, is
    flagged in [brackets]. "(not yet set up)" before ipc_init()."""

    name = "ipc"

    def invoke(self, arg, from_tty):
        problem = slice4_problem()
        if problem:
            raise gdb.GdbError("keel %s: %s" % (self.name, problem))
        super().invoke(arg, from_tty)

    def run(self):
        if not ipc_set_up() or keel.read_cpu() is None:
            print("IPC: %s" % NOT_SET_UP)
            return
        state = IpcState()
        counts = []
        for kind, _, struct, queues in POOLS:
            live = state.live(kind)
            counts.append("%d of %d %ss" % (len(live), array_length(state.pools[kind]), kind))
            for o in live:
                print("\n".join(object_lines(state, kind, queues, o)))
        rights = reply_rights(state)
        print("reply rights (server -> caller waiting for its reply):")
        for server, entry, caller in rights:
            print(reply_line(state, server, entry, caller))
        if not rights:
            print("  (none)")
        print("%s; reply rights: %d" % (", ".join(counts), len(rights)))


# ---------------------------------------------------------------------------
# What the other commands learn from this slice.


def ipc_waitq(address):
    """"endpoint 0x100 receivers", "reply to 00000105's call from 00000104", or None."""
    if slice4_problem() or not ipc_set_up():
        return None
    state = IpcState()
    found = state.object_at(address)
    if found is not None:
        kind, o, field = found
        return "%s 0x%x %s" % (kind, int(o["obj"]["id"]), field)
    entry = state.ipc_at(address, "reply_wait")
    if entry is None:
        return None
    server = state.ipc_at(int(entry["pi"]["server"]), "pi")
    held = " from %08x" % int(server["tid"]) if server is not None else ""
    return "reply to %08x's call%s" % (int(entry["tid"]), held)


def describe_object(kind):
    """A keel handles describer for objects of pool `kind`."""
    def describe(table, owner, obj):
        pool = symbol(dict((k, p) for k, p, _, _ in POOLS)[kind])
        slot = obj & SLOT_MASK
        if slot >= array_length(pool) or int(pool[slot]["obj"]["id"]) != obj:
            return "0x%x (no such %s now)" % (obj, kind)
        return "0x%x %s %s" % (obj, kind, owner_text(pool[slot]["obj"]))
    return describe


keel.waitq_namers.append(ipc_waitq)
for _kind in ("ENDPOINT", "NOTIFICATION", "CHANNEL"):
    keel_user.object_describers[_kind] = describe_object(_kind.lower())
