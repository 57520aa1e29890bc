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
# @keel_command decorator registers it with GDB. A later slice adds its
# commands (`keel tasks`, `keel vm`, ...) the same way, in a section of
# its own at the end of this file, using the helpers below.
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
            raise gdb.GdbError(
                "keel %s: no kernel is running; start `make qemu-gdb`, "
                "then attach with `make gdb`" % self.name
            )
        try:
            self.run()
        except gdb.MemoryError as e:
            raise gdb.GdbError(
                "keel %s: cannot read kernel memory: %s" % (self.name, e)
            ) from None
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

# The words mem_type_name() in kernel/bootinfo.c uses, by enumerator.
MEM_TYPE_NAMES = {
    "MEM_USABLE": "usable",
    "MEM_RESERVED": "reserved",
    "MEM_ACPI": "ACPI reclaimable",
    "MEM_NVS": "ACPI NVS",
    "MEM_BAD": "bad",
}


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


def char_array(array):
    """Read a char array field, such as bootinfo.cmdline, up to its NUL."""
    return c_buffer(array[0].address, array.type.sizeof)


def read_config_keys():
    """Return config_keys[] (cmdline.c) as a list of dicts.

    Reading the C table, rather than listing the keys here, means a key
    added in cmdline.c shows up in `keel info` with no change to this file.
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
    value in kconfig of each key in config_keys[] (kernel/cmdline.c). Values
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
    __monitor_cmds_end, as the monitor's own `help` does. Only the DEV
    profile builds the monitor. Works without a running kernel."""

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
