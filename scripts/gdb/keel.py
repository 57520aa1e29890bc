# keel.py - GDB commands that show Keel's own data structures.
#
# `make gdb` loads build/<profile>/keel.elf and then sources this file, so
# GDB knows every kernel type and variable from the DWARF debug info. The
# commands below use that knowledge to print what a student would
# otherwise dig out with many `print` commands: the boot information, the
# configuration, the in-kernel tests and the monitor commands. They only
# read memory; they never call kernel code or change kernel state.
#
# Everything lives under one prefix command, `keel`; `keel` alone (or
# `help keel`) lists the subcommands. A subcommand is a KeelCommand
# subclass whose docstring is its help (the first line is the summary
# `help keel` shows) and whose run() method does the work. The
# @keel_command decorator registers it with GDB. Slices 0 and 1 have a
# section each below; from slice 2 on, a slice's commands are a module
# beside this file (keel_mem.py), imported at the end, using the helpers.
#
# Two facts about the kernel shape the helpers:
#   - The kernel is linked at 0xC0000000. Until boot.S turns paging on,
#     those addresses mean nothing to the CPU and GDB cannot read them.
#     Constant tables (config_keys[], the tests, the monitor commands) are
#     in read-only sections, so we read those from the ELF file instead
#     and they are available from the very first instruction.
#   - Variables are zero until the code that fills them has run: the arch
#     layer fills `bootinfo` before kernel_main(), which fills `kconfig`.
#     A command shows "(not yet set up)" for those rather than zeros.

import contextlib
import inspect
import os
import re
import sys

import gdb


# ---------------------------------------------------------------------------
# Helpers: finding symbols and reading kernel memory.


def symbol(name):
    """Return the value of the kernel symbol `name` (a gdb.Value).

    Raises gdb.GdbError with one line if the symbol is unknown, which
    usually means the kernel ELF is not loaded (`file build/dev/keel.elf`).
    """
    return evaluate(name, name)


def address_of(name):
    """Return the address of `name` as an int.

    Works for linker symbols such as __ktest_start too, which have an
    address but no type GDB knows.
    """
    return int(evaluate("&" + name, name))


def evaluate(expression, name):
    """Evaluate a C expression that mentions symbol `name`."""
    try:
        return gdb.parse_and_eval(expression)
    except gdb.error:
        raise gdb.GdbError(
            "no symbol '%s': is the kernel loaded? (file build/dev/keel.elf)" % name
        ) from None


def linker_array(start, end, type_name):
    """Return the entries between linker symbols `start` and `end`.

    KTEST() and MONITOR_COMMAND() put their descriptors in a linker
    section; the linker script brackets each section with two symbols.
    The result is a list of gdb.Value, one `type_name` struct each.
    """
    first, last = address_of(start), address_of(end)
    if first == last:
        return []  # an empty section: its struct type may not even exist
    entry = gdb.lookup_type(type_name)
    array = gdb.Value(first).cast(entry.pointer())
    return [array[i] for i in range((last - first) // entry.sizeof)]


def c_string(pointer):
    """Read the NUL-terminated string at `pointer` (a char * gdb.Value)."""
    if int(pointer) == 0:
        return "(null)"
    return pointer.string(errors="replace")


def c_buffer(pointer, size):
    """Read a char buffer of `size` bytes up to its first NUL.

    Unlike c_string(), this never reads past the buffer, even if the
    kernel forgot the NUL.
    """
    text = pointer.string(errors="replace", length=size)
    return text.split("\0")[0]


@contextlib.contextmanager
def read_only_from_elf():
    """Within this block, GDB reads read-only sections from the ELF file.

    The tables are `const`, so the file holds exactly what is in memory,
    and the file can be read even before the kernel turns paging on.
    gdb.Value reads memory lazily: turn every value you need into a Python
    int or str inside the block.
    """
    old = gdb.parameter("trust-readonly-sections")
    gdb.execute("set trust-readonly-sections on", to_string=True)
    try:
        yield
    finally:
        setting = "on" if old else "off"
        gdb.execute("set trust-readonly-sections " + setting, to_string=True)


def kernel_running():
    """True if GDB is attached to a running (or stopped) kernel."""
    return gdb.selected_thread() is not None


# ---------------------------------------------------------------------------
# The `keel` prefix command and the base class of its subcommands.


class KeelPrefix(gdb.Command):
    """Show Keel's kernel data structures.

    Each subcommand reads kernel memory through GDB and prints one of the
    kernel's tables. They never change the kernel's state.
    Type "keel" followed by a subcommand name; "help keel NAME" for its help."""

    def __init__(self):
        self.__doc__ = inspect.cleandoc(type(self).__doc__)
        super().__init__("keel", gdb.COMMAND_DATA, prefix=True)

    def invoke(self, arg, from_tty):
        """`keel` alone: list the subcommands, as `help keel` does."""
        gdb.execute("help keel")


class KeelCommand(gdb.Command):
    """Base class of the `keel` subcommands.

    A subclass sets `name` ("tests" becomes `keel tests`), writes its
    help as the class docstring and implements run(). It may set
    `needs_kernel = False` if everything it shows is in the ELF file.
    run() raises gdb.GdbError for a problem the user should see; this
    class turns any other GDB error into a one-line message too, so no
    command ever ends in a Python traceback.
    """

    name = None
    needs_kernel = True

    def __init__(self):
        # GDB shows the docstring as the help; drop its Python indentation.
        self.__doc__ = inspect.cleandoc(type(self).__doc__)
        super().__init__("keel " + self.name, gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        """Called by GDB: check the arguments and the target, then run()."""
        if arg.strip():
            raise gdb.GdbError("keel %s takes no arguments" % self.name)
        if self.needs_kernel and not kernel_running():
            raise gdb.GdbError("keel %s: no kernel is running; start `make qemu-gdb`, "
                               "then attach with `make gdb`" % self.name)
        try:
            self.run()
        except gdb.MemoryError as e:
            raise gdb.GdbError("keel %s: cannot read kernel memory: %s"
                               % (self.name, e)) from None
        except (gdb.error, gdb.GdbError) as e:
            raise gdb.GdbError("keel %s: %s" % (self.name, e)) from None

    def run(self):
        """Print what the command shows."""
        raise NotImplementedError


def keel_command(cls):
    """Class decorator: register a KeelCommand subclass with GDB."""
    cls()
    return cls


KeelPrefix()


# ---------------------------------------------------------------------------
# Slice 0 (boot): boot information, configuration, tests, monitor.

NOT_SET_UP = "(not yet set up)"

# The words mem_type_name() in kernel/boot/bootinfo.c uses, by enumerator.
MEM_TYPE_NAMES = {"MEM_USABLE": "usable", "MEM_RESERVED": "reserved",
                  "MEM_ACPI": "ACPI reclaimable", "MEM_NVS": "ACPI NVS", "MEM_BAD": "bad"}


def read_bootinfo():
    """Return `bootinfo` as a dict, or None if it is not filled in yet.

    The arch layer fills it before kernel_main(); until then it is zero
    (or, before paging, unreadable). multiboot_parse() sets kernel_end
    last and it is never zero once set, so it tells whether bootinfo is
    ready.
    """
    bi = symbol("bootinfo")
    try:
        if int(bi["kernel_end"]) == 0:
            return None
    except gdb.MemoryError:
        return None
    count = min(int(bi["region_count"]), int(bi["regions"].type.range()[1]) + 1)
    return {
        "cmdline": char_array(bi["cmdline"]),
        "loader": char_array(bi["loader"]),
        "image": char_array(bi["image"]),
        "regions": [bi["regions"][i] for i in range(count)],
        "dropped": int(bi["dropped_regions"]),
        "kernel": (int(bi["kernel_start"]), int(bi["kernel_end"])),
    }


def tsc_khz():
    """The clock's calibrated rate (ticks per millisecond), or 0 before it is known."""
    try:
        return int(gdb.parse_and_eval("tsc_khz"))
    except gdb.error:
        return 0


def char_array(array):
    """Read a char array field, such as bootinfo.cmdline, up to its NUL."""
    return c_buffer(array[0].address, array.type.sizeof)


def read_config_keys():
    """Return config_keys[] (kernel/boot/config.c) as a list of dicts.

    Reading the C table, rather than listing the keys here, means a key
    added in kernel/boot/config.c shows up in `keel info` with no change to this file.
    """
    keys = []
    with read_only_from_elf():
        table = symbol("config_keys")
        for i in range(int(symbol("config_key_count"))):
            key = table[i]
            keys.append({
                "name": c_string(key["name"]),
                "type": str(key["type"]),
                "offset": int(key["offset"]),
                "size": int(key["size"]),
                "names": enum_names(key["names"]),
            })
    return keys


def enum_names(names):
    """Read a NULL-terminated array of names (const char *const *)."""
    result = []
    while int(names) != 0 and int(names[len(result)]) != 0:
        result.append(c_string(names[len(result)]))
    return result


def config_value(key):
    """Format the current value of one key from kconfig, as config_format() does."""
    char_p = gdb.lookup_type("char").pointer()
    field = gdb.Value(address_of("kconfig") + key["offset"]).cast(char_p)
    kind = key["type"]
    if kind == "CONFIG_BOOL":
        return "on" if int(field.dereference()) else "off"
    if kind == "CONFIG_UINT":
        return str(int(field.cast(gdb.lookup_type("unsigned int").pointer()).dereference()))
    if kind == "CONFIG_ENUM":
        index = int(field.cast(gdb.lookup_type("int").pointer()).dereference())
        if 0 <= index < len(key["names"]):
            return key["names"][index]
        return "(bad value %d)" % index
    if kind == "CONFIG_STRING":
        return '"%s"' % c_buffer(field, key["size"])
    return "(unknown key type %s)" % kind


def kconfig_is_zero():
    """True if kconfig is still all zero bytes, as before kernel_main() fills it.

    config_defaults() turns `vga` on and sets loglevel to 1, so a filled
    kconfig is all zero only if the command line said exactly
    `vga=off monitor=off loglevel=0`: then this wrongly says "not set up".
    """
    size = symbol("kconfig").type.sizeof
    data = gdb.selected_inferior().read_memory(address_of("kconfig"), size)
    return not any(bytes(data))


@keel_command
class KeelInfo(KeelCommand):
    """Show the boot command line, the loader and every configuration key.

    Prints what the loader handed over (bootinfo: command line, loader name,
    image path, where the kernel lies in physical memory) and the current
    value in kconfig of each key in config_keys[] (kernel/boot/config.c). Values
    that the kernel has not filled in yet show as "(not yet set up)"."""

    name = "info"

    def run(self):
        bi = read_bootinfo()
        if bi is None:
            print("Boot information: %s" % NOT_SET_UP)
        else:
            start, end = bi["kernel"]
            print("Command line: %s" % (bi["cmdline"] or "(empty)"))
            print("Loader:       %s" % (bi["loader"] or "(unnamed)"))
            print("Image:        %s" % (bi["image"] or "(not given)"))
            print("Kernel:       %#x-%#x (physical)" % (start, end))
        keys = read_config_keys()
        try:
            unset = kconfig_is_zero()
        except gdb.MemoryError:
            unset = True
        if unset:
            print("Configuration: %s" % NOT_SET_UP)
            return
        print("Configuration (kconfig):")
        for key in keys:
            print("  %-9s = %s" % (key["name"], config_value(key)))


@keel_command
class KeelMmap(KeelCommand):
    """Show the physical memory map the loader reported.

    One line per region of bootinfo.regions[]: first and last address, size
    and type, then the total of usable memory. It is the map the kernel
    prints at boot with loglevel=2."""

    name = "mmap"

    def run(self):
        bi = read_bootinfo()
        if bi is None:
            print("Memory map: %s" % NOT_SET_UP)
            return
        print("Physical memory map (bootinfo.regions):")
        usable = 0
        for r in bi["regions"]:
            base, length = int(r["base"]), int(r["length"])
            kind = MEM_TYPE_NAMES.get(str(r["type"]), "unknown (%d)" % int(r["type"]))
            print("  %016x-%016x  %10d KiB  %s" % (base, base + length - 1, length // 1024, kind))
            if str(r["type"]) == "MEM_USABLE":
                usable += length
        if bi["dropped"]:
            print("  (%d more regions not kept)" % bi["dropped"])
        print("  %d KiB usable in %d regions" % (usable // 1024, len(bi["regions"])))


@keel_command
class KeelTests(KeelCommand):
    """List the in-kernel test cases, by id (slice.suite.case).

    Reads the KTEST() descriptors between __ktest_start and __ktest_end, in
    the order `test=all` runs them. Cases marked "explicit" run only when
    named on the command line. Works without a running kernel."""

    name = "tests"
    needs_kernel = False

    def run(self):
        cases = []
        with read_only_from_elf():
            for case in linker_array("__ktest_start", "__ktest_end", "struct ktest_case"):
                test_id = ".".join(c_string(case[f]) for f in ("slice", "suite", "name"))
                cases.append((test_id, int(case["flags"])))
        explicit = int(symbol("KTEST_EXPLICIT"))
        for test_id, flags in cases:
            print("  %s%s" % (test_id, "  (explicit)" if flags & explicit else ""))
        count = sum(1 for _, flags in cases if flags & explicit)
        print("%d test cases, %d explicit" % (len(cases), count))


@keel_command
class KeelMonitor(KeelCommand):
    """List the kernel monitor's commands with their help.

    Reads the MONITOR_COMMAND() descriptors between __monitor_cmds_start and
    __monitor_cmds_end, as the monitor's own `help` does. Only test
    images link the monitor. Works without a running kernel."""

    name = "monitor"
    needs_kernel = False

    def run(self):
        cmds = []
        with read_only_from_elf():
            for cmd in linker_array(
                "__monitor_cmds_start", "__monitor_cmds_end", "struct monitor_cmd"
            ):
                usage = "%s %s" % (c_string(cmd["name"]), c_string(cmd["args"]))
                cmds.append((usage.strip(), c_string(cmd["help"])))
        if not cmds:
            print("No monitor commands: this profile does not build the monitor.")
        for usage, text in cmds:
            print("  %-18s %s" % (usage, text))


# ---------------------------------------------------------------------------
# Slice 1 (threads, scheduler, timers): threads, run queue, pending timers.
#
# The scheduler keeps its state in static variables: threads[] in
# kernel/sched/thread.c, cpu0 in kernel/sched/sched.c, pending and ticks in
# kernel/sched/timer.c. static_variable() finds each by its file, so a static of
# the same name elsewhere never gets in the way. Queues are intrusive lists
# (list.h): a queue links `struct list` nodes that live inside the threads,
# and list_entry() subtracts the node's offset to get back to the thread.
# offset_of() computes such offsets from the DWARF types, never from
# constants, so the commands follow the structs when they change. Until
# sched_init() has run, cpu0.current is NULL and the commands say
# "(not yet set up)".


def static_variable(name, filename):
    """Return the static variable `name` of source file `filename` (a gdb.Value)."""
    for sym in gdb.lookup_static_symbols(name):
        if sym.symtab is not None and sym.symtab.filename.endswith(filename):
            return sym.value()
    raise gdb.GdbError("no static '%s' in %s: is the kernel loaded? (file build/dev/keel.elf)"
                       % (name, filename))


def offset_of(type_name, path):
    """Byte offset of member `path` ("rq.link") in `type_name`, as offsetof() gives."""
    t = gdb.lookup_type(type_name)
    offset = 0
    for member in path.split("."):
        field = t.strip_typedefs()[member]
        offset += field.bitpos // 8
        t = field.type
    return offset


def array_length(array):
    """Number of elements of a C array value (THREAD_MAX for threads[], ...)."""
    low, high = array.type.strip_typedefs().range()
    return high - low + 1


def enum_labels(type_name):
    """{value: name} of a C enum, without its enumerators' common prefix.

    enum thread_state gives {0: "FREE", 1: "READY", ...}: a state added to
    the enum shows up here with no change to this file. A value keeps its
    first name: an alias after it (KEEL_OBJ_LAST = 7, after
    KEEL_OBJ_FRAMES = 7) does not replace it.
    """
    fields = gdb.lookup_type(type_name).fields()
    prefix = os.path.commonprefix([f.name for f in fields])
    prefix = prefix[:prefix.rfind("_") + 1]
    labels = {}
    for f in fields:
        labels.setdefault(f.enumval, f.name[len(prefix):])
    return labels


def symbol_at(address):
    """The symbol at `address` ("sleep_done", "early_wq + 8"), or None.

    For code, the function GDB's block_for_pc() finds (static functions
    too); otherwise what `info symbol` says.
    """
    try:
        block = gdb.block_for_pc(address)
    except RuntimeError:
        block = None
    while block is not None and block.function is None:
        block = block.superblock
    if block is not None and block.start == address:
        return block.function.name
    text = gdb.execute("info symbol %#x" % address, to_string=True)
    match = re.match(r"(.+?) in section \S+", text)
    return match.group(1) if match else None


def plural(n, word):
    """`n` and `word`, plural unless n is 1: "1 thread", "2 threads"."""
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


def list_nodes(head, limit):
    """The addresses of the nodes on the circular list `head` (a struct list).

    Returns (nodes, problem): problem is None, or says why the walk
    stopped early: a NULL link, a node seen before (a cycle that misses
    the head), or more than `limit` nodes.
    """
    stop = int(head.address)
    nodes = []
    node = head["next"]
    while int(node) != stop:
        if int(node) == 0:
            return nodes, "a NULL link after %s" % plural(len(nodes), "node")
        if int(node) in nodes:
            return nodes, "node %#x comes again after %s: a cycle" % (
                int(node), plural(len(nodes), "node"))
        if len(nodes) >= limit:
            return nodes, "more than %d nodes: the list does not come back to its head" % limit
        nodes.append(int(node))
        node = node["next"]
    return nodes, None


class ThreadTable:
    """threads[] (kernel/sched/thread.c), read once, and lookups into it."""

    def __init__(self):
        self.array = static_variable("threads", "kernel/sched/thread.c")
        self.array.fetch_lazy()  # one read of the whole pool
        self.base = int(self.array.address)
        self.size = self.array.type.strip_typedefs().target().sizeof
        self.length = array_length(self.array)
        self.states = enum_labels("enum thread_state")

    def __iter__(self):
        return (self.array[i] for i in range(self.length))

    def containing(self, address, member):
        """The thread whose `member` is at `address` (list_entry()), or None."""
        offset = address - self.base - offset_of("struct thread", member)
        slot, rest = divmod(offset, self.size)
        if rest or not 0 <= slot < self.length:
            return None
        return self.array[slot]

    def at(self, address):
        """The thread at `address` (a struct thread *), or None."""
        return self.containing(address, "rq") if address else None

    def state(self, t):
        """A thread's state name, "SLEEPING"."""
        value = int(t["state"])
        return self.states.get(value, "?%d" % value)

    @staticmethod
    def label(t):
        """A thread as the monitor names it: "00000102 sleeper"."""
        return "%08x %s" % (int(t["tid"]), char_array(t["name"]))


def read_cpu():
    """Return cpu0 (kernel/sched/sched.c), or None if sched_init() has not run yet."""
    cpu = static_variable("cpu0", "kernel/sched/sched.c")
    try:
        if int(cpu["current"]) == 0:
            return None
        cpu.fetch_lazy()
    except gdb.MemoryError:  # before paging: the kernel's addresses mean nothing yet
        return None
    return cpu


# Later slices name the wait queues inside their own objects: each function
# here takes an address and returns what the queue there is, or None
# (keel_user.py adds one for a task's exit_wait).
waitq_namers = []


def describe_waitq(table, address):
    """What the wait queue at `address` is: a thread's exit_wait, a later slice's, or a symbol."""
    owner = table.containing(address, "exit_wait")
    if owner is not None:
        return "%#x (exit of %s)" % (address, table.label(owner))
    for namer in waitq_namers:
        name = namer(address)
        if name:
            return "%#x (%s)" % (address, name)
    name = symbol_at(address)
    return "%#x (%s)" % (address, name) if name else "%#x" % address


def waiting_for(table, t):
    """What thread `t` waits for, for `keel threads`: queue, deadline, exit code."""
    state = table.state(t)
    timer = t["timer"]
    pending = int(timer["index"]) >= 0
    deadline = int(timer["deadline_us"])
    if state == "BLOCKED":
        text = "waitq " + describe_waitq(table, int(t["waiting_on"]))
        return text + (", timeout at %d us" % deadline if pending else ", no timeout")
    if state == "SLEEPING":
        return "until %d us" % deadline if pending else "(its timer is not pending!)"
    if state == "DEAD":
        return "exit code %d, not yet joined" % int(t["exit_code"])
    return ""


@keel_command
class KeelThreads(KeelCommand):
    """List every thread that exists: id, state, priority, CPU time, what it waits for.

    One line per thread of threads[] (kernel/sched/thread.c) that is not FREE, as
    the monitor's `threads` prints them; '*' marks cpu0.current. A BLOCKED
    thread shows its wait queue (and whose exit it is, for thread_join())
    and its timeout; a SLEEPING one the clock time (us) it wakes at. The
    running thread's CPU time does not yet count its current slice."""

    name = "threads"

    def run(self):
        cpu = read_cpu()
        if cpu is None:
            print("Threads: %s" % NOT_SET_UP)
            return
        table = ThreadTable()
        current = int(cpu["current"])
        khz = tsc_khz()
        print("  %-8s %-15s %-8s %4s %12s %8s  %s"
              % ("TID", "NAME", "STATE", "PRIO", "CPU (us)", "SLICES", "WAITING FOR"))
        shown = 0
        for t in table:
            if table.state(t) == "FREE":
                continue
            shown += 1
            line = "%c %08x %-15s %-8s %4d %12d %8d  %s" % (
                "*" if int(t.address) == current else " ", int(t["tid"]),
                char_array(t["name"]), table.state(t), int(t["prio"]),
                int(t["cpu_ticks"]) * 1000 // khz if khz else 0,
                int(t["slices"]), waiting_for(table, t))
            print(line.rstrip())
        print("%d of %d threads; %d context switches"
              % (shown, table.length, int(cpu["switches"])))


def check_bitmap(words, summary, lists, word_bits):
    """The ways the run queue's bitmap disagrees with its lists, as lines.

    Bit p of the words must be set exactly when level p's list is
    non-empty, and bit w of the summary exactly when words[w] != 0.
    """
    problems = []
    for level, nodes in enumerate(lists):
        bit = words[level // word_bits] >> (level % word_bits) & 1
        if bit and not nodes:
            problems.append("level %d: bit set, but its list is empty" % level)
        elif nodes and not bit:
            problems.append("level %d: bit clear, but its list holds %s"
                            % (level, plural(len(nodes), "thread")))
    for w, word in enumerate(words):
        if bool(summary >> w & 1) != bool(word):
            problems.append("summary bit %d is %d, but words[%d] is %#010x"
                            % (w, summary >> w & 1, w, word))
    return problems


@keel_command
class KeelRunq(KeelCommand):
    """Show cpu0's run queue: the READY threads of each priority, and its bitmap.

    Walks the 256 level lists of cpu0.rq (kernel/sched/sched.c) from 255, the
    most important, down, naming the threads in the order they will run.
    Then the bitmap's words and summary word, and a check that bit p is set
    exactly when level p's list is non-empty ("bitmap OK", or each level
    that disagrees) and that `count` matches the lists. The running thread
    and the idle thread are never on the queue; the last lines name them."""

    name = "runq"

    def run(self):
        cpu = read_cpu()
        if cpu is None:
            print("Run queue: %s" % NOT_SET_UP)
            return
        table = ThreadTable()
        rq = cpu["rq"]
        levels = rq["levels"]
        lists = []
        print("Run queue of cpu%d, highest priority first:" % int(cpu["id"]))
        for level in range(array_length(levels)):
            nodes, problem = list_nodes(levels[level], table.length)
            lists.append(nodes)
            if problem:
                print("  level %d: list broken: %s" % (level, problem))
        for level in reversed(range(len(lists))):
            if lists[level]:
                print("  %3d: %s" % (level, ", ".join(self.entry(table, n, level)
                                                      for n in lists[level])))
        queued = sum(len(nodes) for nodes in lists)
        if not queued:
            print("  (empty)")

        ready = rq["ready"]
        words = [int(ready["words"][i]) for i in range(array_length(ready["words"]))]
        summary = int(ready["summary"])
        word_bits = ready["words"][0].type.sizeof * 8
        print("Bitmap: summary %#010x, words[0..%d] %s"
              % (summary, len(words) - 1, " ".join("%08x" % w for w in words)))
        problems = check_bitmap(words, summary, lists, word_bits)
        print("bitmap OK" if not problems else "bitmap WRONG:")
        for p in problems:
            print("  " + p)
        count = int(rq["count"])
        if count == queued:
            print("count %d, as on the lists" % count)
        else:
            print("count %d, but the lists hold %s" % (count, plural(queued, "thread")))

        roles = (("current", int(cpu["current"]), ""),
                 ("idle", int(cpu["idle"]), "; never queued, runs when the queue is empty"))
        for role, address, note in roles:
            t = table.at(address)
            name = "%s (%s%s)" % (table.label(t), table.state(t), note) if t else "%#x" % address
            print("%-8s %s" % (role + ":", name))
        print("need_resched %s; %d context switches"
              % ("yes" if bool(cpu["need_resched"]) else "no", int(cpu["switches"])))

    @staticmethod
    def entry(table, node, level):
        """One queued node, as "00000001 main", with any inconsistency it shows."""
        t = table.containing(node, "rq.link")
        if t is None:
            return "%#x (not in threads[])" % node
        text = table.label(t)
        notes = []
        if int(t["rq"]["prio"]) != level:
            notes.append("rq.prio %d" % int(t["rq"]["prio"]))
        if not bool(t["rq"]["queued"]):
            notes.append("rq.queued false")
        if table.state(t) != "READY":
            notes.append(table.state(t))
        return text + (" [%s]" % ", ".join(notes) if notes else "")


@keel_command
class KeelTimers(KeelCommand):
    """List the pending timers, earliest deadline first, and the tick count.

    Reads the heap of `pending` (kernel/sched/timer.c) and sorts it by deadline
    (clock time in us since boot; equal deadlines by insertion order, as
    they fire). Each line shows how long after the earliest it is due, the
    function it calls and, for a thread's own timer (its sleep, or the
    timeout of its wait), which thread. Then how full the queue is, a check
    of the heap, and `ticks`. "(not yet set up)" until the tick starts."""

    name = "timers"

    def run(self):
        queue = static_variable("pending", "kernel/sched/timer.c")
        try:
            ticks = int(static_variable("ticks", "kernel/sched/timer.c"))
            count = int(queue["count"])
            queue.fetch_lazy()
        except gdb.MemoryError:  # before paging
            ticks = count = None
        if not ticks and not count:
            print("Timers: %s" % NOT_SET_UP)
            return
        table = ThreadTable()
        heap = queue["heap"]
        size = array_length(heap)
        problems = []
        if count > size:
            problems.append("count %d is more than the heap's %d slots" % (count, size))
            count = size
        timers = []
        for i in range(count):
            pointer = heap[i]
            if int(pointer) == 0:
                problems.append("heap[%d] is NULL" % i)
                continue
            timers.append((i, int(pointer), pointer.dereference()))
        problems += self.check_heap(timers)
        timers.sort(key=lambda e: (int(e[2]["deadline_us"]), int(e[2]["seq"])))

        print("Pending timers, earliest first:")
        if timers:
            first = int(timers[0][2]["deadline_us"])
            print("  %14s %12s  %-16s %s" % ("DEADLINE (us)", "AFTER FIRST", "CALLS", "FOR"))
        else:
            print("  (none)")
        for _, address, timer in timers:
            deadline = int(timer["deadline_us"])
            fn = int(timer["fn"])
            calls = symbol_at(fn) or "%#x" % fn
            owner = self.owner(table, address, timer)
            print("  %14d %+12d  %-16s %s" % (deadline, deadline - first, calls, owner))
        verdict = "heap WRONG:" if problems else "heap OK"
        print("%d of %d timers pending; %s" % (count, size, verdict))
        for p in problems:
            print("  " + p)
        print("ticks: %d" % ticks)

    @staticmethod
    def check_heap(timers):
        """The ways the heap breaks its invariants: positions, parent before child."""
        problems = []
        by_position = {i: timer for i, _, timer in timers}
        for i, address, timer in timers:
            if int(timer["index"]) != i:
                problems.append("the timer at %#x is heap[%d] but says index %d"
                                % (address, i, int(timer["index"])))
            parent = by_position.get((i - 1) // 2) if i else None
            if parent is not None and int(parent["deadline_us"]) > int(timer["deadline_us"]):
                problems.append("heap[%d] is due after its child heap[%d]" % ((i - 1) // 2, i))
        return problems

    @staticmethod
    def owner(table, address, timer):
        """Whose timer it is: the thread embedding it, or the thread its ctx points at."""
        t = table.containing(address, "timer")
        if t is None:
            t = table.at(int(timer["ctx"]))
        if t is None:
            return "ctx %#x" % int(timer["ctx"])
        return "%s (%s)" % (table.label(t), table.state(t))


# Slice 2 on: modules beside this file, which import this one as `keel` (see the top).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.modules["keel"] = sys.modules[__name__]
sys.modules.pop("keel_mem", None)  # so that sourcing this file again reloads it too
sys.modules.pop("keel_locks", None)
sys.modules.pop("keel_user", None)
sys.modules.pop("keel_ipc", None)
sys.modules.pop("keel_cap", None)
sys.modules.pop("keel_dev", None)
if os.path.exists(os.path.join(os.path.dirname(os.path.abspath(__file__)), "keel_mem.py")):
    __import__("keel_mem")  # keel frames, keel vm, keel slabs (absent from labs 0 and 1)
if os.path.exists(os.path.join(os.path.dirname(os.path.abspath(__file__)), "keel_locks.py")):
    __import__("keel_locks")  # keel locks (absent from lab 0)
if os.path.exists(os.path.join(os.path.dirname(os.path.abspath(__file__)), "keel_user.py")):
    __import__("keel_user")  # keel tasks, keel handles, keel user (absent from labs 0 to 2)
if os.path.exists(os.path.join(os.path.dirname(os.path.abspath(__file__)), "keel_ipc.py")):
    __import__("keel_ipc")  # keel ipc (absent from labs 0 to 3)
if os.path.exists(os.path.join(os.path.dirname(os.path.abspath(__file__)), "keel_cap.py")):
    __import__("keel_cap")  # keel caps, keel captree (absent from labs 0 to 4)
if os.path.exists(os.path.join(os.path.dirname(os.path.abspath(__file__)), "keel_dev.py")):
    __import__("keel_dev")  # keel irqs (absent from labs 0 to 5)
