"""test_gdb_mem - the slice 2 `keel` commands on a running Keel.

`keel frames` reads the frame allocator (pmm_kernel), `keel vm` walks
the page tables through the direct map, `keel slabs` lists the slab
caches and the live objects of one. These tests boot the kernel under
`make qemu-gdb` running one in-kernel test of slice 2, stop where memory
is in a known state and check the tables against what GDB itself
evaluates (a symbol's address, a test's local variables):
  - mem.frames.alloc_and_free, at its start: memory is set up, nothing
    of the test's is allocated yet;
  - mem.vm.map_query_unmap, in the vm_query() just after its vm_map():
    a user page is mapped in a space that is not the active one;
  - mem.heap.misuse_is_refused, at its first kfree(): one kmalloc(40)
    object is live in kmalloc-64.
They also make the check of `keel frames` find damage planted with
`set var`, and see that before memory is set up each command says so.

The helpers (ports, gdbinit, batch GDB, checks) are test_gdb's and
test_gdb_sched's. Every wait has a time limit and QEMU is killed before
a test returns.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_gdb as gdbtest  # noqa: E402  (the modules, so their tests are not collected again)
import test_gdb_sched as schedtest  # noqa: E402

SLICE = "mem"

COMMANDS = ("keel frames", "keel vm 0xc0100000", "keel slabs")
FRAMES_CASE = "ktest_fn_frames_alloc_and_free"
# How `keel frames` starts a problem line: the first, or one of the others.
PROBLEM = r"(?:free lists: INCONSISTENT: |  )"
CHECK = gdbtest.check
output = schedtest.output


def debug(ctx, cmdline, *commands):
    """Boot Keel with `cmdline` under `make qemu-gdb`, run batch GDB `commands`.

    Returns GDB's output split into [(command, what it printed)] and
    QEMU's console (for failure messages). QEMU is gone when this returns.
    QEMU runs in real time: nothing here depends on when a tick comes.
    """
    return schedtest.debug(ctx, cmdline, *commands, qemu=None, timeout=40)


def stopped_at(parts, function, console):
    """Fail unless `continue` stopped at the breakpoint in `function`."""
    text = output(parts, "continue")
    CHECK(text, "the breakpoint to stop in %s" % function,
          re.search(r"^Breakpoint 1, %s \(" % function, text, re.M), console)


def value(parts, command):
    """The number a `p/x` command printed."""
    text = output(parts, command)
    m = re.search(r"^\$\d+ = (0x[0-9a-f]+)$", text, re.M)
    CHECK(text, "%r to print a hexadecimal number" % command, m)
    return int(m.group(1), 16)


def zone_rows(text):
    """`keel frames` zone rows: {name: (first pfn, last pfn, managed, free, [blocks])}."""
    rows = {}
    row = r"^  (\S+) +0x([0-9a-f]+)-0x([0-9a-f]+) +(\d+) +(\d+)  ((?:\d+ )*\d+)$"
    for m in re.finditer(row, text, re.M):
        rows[m.group(1)] = (int(m.group(2), 16), int(m.group(3), 16), int(m.group(4)),
                            int(m.group(5)), [int(n) for n in m.group(6).split()])
    return rows


def cache_row(text, name):
    """The numbers of cache `name` in `keel slabs`: size, stride, slabs, live, allocs, ..."""
    m = re.search(r"^  %s((?: +\d+){8})$" % re.escape(name), text, re.M)
    return [int(n) for n in m.group(1).split()] if m else None


# ---------------------------------------------------------------------------
# Tests


def test_frames_after_setup(ctx):
    """At the start of an in-kernel test: both zones, their lists, the owners, consistent."""
    parts, console = debug(ctx, "test=mem.frames", "break " + FRAMES_CASE, "continue",
                           "keel frames")
    stopped_at(parts, FRAMES_CASE, console)
    frames = output(parts, "keel frames")
    zones = zone_rows(frames)
    CHECK(frames, "the zones DMA and normal", sorted(zones) == ["DMA", "normal"])
    dma, normal = zones["DMA"], zones["normal"]
    CHECK(frames, "DMA to hold pfns 0x0-0xfff (below 16 MiB) and normal to start at 0x1000",
          dma[:2] == (0, 0xfff) and normal[0] == 0x1000 and normal[1] > 0x1000)
    for name, (first, last, managed, free, blocks) in zones.items():
        CHECK(frames, "zone %s: free blocks for orders 0..10" % name, len(blocks) == 11)
        CHECK(frames, "zone %s: free <= managed <= the frames in its range" % name,
              0 < free <= managed <= last - first + 1)
        CHECK(frames, "zone %s: its blocks by order to add up to its free frames" % name,
              sum(n << k for k, n in enumerate(blocks)) == free)
    stacks = re.search(r"^ +5 stacks +(\d+) +(\d+) +-$", frames, re.M)
    CHECK(frames, "owner 5 'stacks' holding frames (the idle thread's stack), in KiB too",
          stacks and int(stacks.group(1)) > 0 and int(stacks.group(2)) == 4 * int(stacks.group(1)))
    CHECK(frames, "the owners 'free' and 'reserved'",
          re.search(r"^ +0 free +\d+", frames, re.M) and
          re.search(r"^ +1 reserved +\d+", frames, re.M))
    consistent = re.search(r"^free lists: consistent: (\d+) frames free in \d+ blocks$",
                           frames, re.M)
    CHECK(frames, "'free lists: consistent' with the zones' free frames",
          consistent and int(consistent.group(1)) == dma[3] + normal[3])


def test_frames_damage(ctx):
    """Planted damage: a wrong free count, then a free list that loops on itself."""
    head = "pmm_kernel.zones[1].free_head[10]"
    parts, console = debug(
        ctx, "test=mem.frames", "break " + FRAMES_CASE, "continue",
        "set var pmm_kernel.zones[0].free = 5", "keel frames",
        "set var pmm_kernel.frames[%s - pmm_kernel.base].next = %s" % (head, head),
        "p/x " + head, "keel frames")
    stopped_at(parts, FRAMES_CASE, console)
    first = output(parts, "keel frames", 0)
    CHECK(first, "`keel frames` to find the DMA zone's wrong free count",
          re.search(r"^free lists: INCONSISTENT: zone DMA: free says 5 frames, but its lists "
                    r"hold \d+$", first, re.M))
    pfn = value(parts, "p/x " + head)
    second = output(parts, "keel frames", 1)
    CHECK(second, "`keel frames` to find the cycle on the normal zone's order-10 list",
          re.search(r"^%szone normal, order 10: block 0x%x comes again after 1 block: a cycle$"
                    % (PROBLEM, pfn), second, re.M))
    CHECK(second, "`keel frames` to count the blocks the broken list still holds",
          re.search(r"^%szone normal, order 10: free_blocks says \d+, the list holds 1$"
                    % PROBLEM, second, re.M))
    CHECK(second, "no 'free lists: consistent'", "free lists: consistent" not in second)


def test_before_memory(ctx):
    """At the first instruction and in kernel_main(): each command says memory is not set up."""
    parts, console = debug(ctx, "test=mem.frames", *COMMANDS, "break kernel_main", "continue",
                           *COMMANDS)
    stopped_at(parts, "kernel_main", console)
    expected = ("Frames: the frame allocator is not set up yet (frame_init() has not run)",
                "Page tables: PAE paging is not on yet (CR4.PAE is clear: vm_init() has not run)",
                "Slab caches: (not yet set up)")
    for where, nth in (("before paging", 0), ("in kernel_main()", 1)):
        for command, line in zip(COMMANDS, expected):
            text = output(parts, command, nth)
            CHECK(text, "%r %s to print %r" % (command, where, line), text == line)


def test_vm_kernel_addresses(ctx):
    """The walk for kernel code, address 0, the idle thread's stack and its guard page."""
    stack = "'kernel/sched/thread.c'::threads[1].stack"
    text_va = "keel vm (char*)&_text_start+0x123"
    parts, console = debug(
        ctx, "test=mem.frames", "break " + FRAMES_CASE, "continue", "p/x $cr3",
        "p/x &_text_start", text_va, "keel vm 0", "p 'kernel/sched/thread.c'::threads[1].name",
        "p/x " + stack, "keel vm " + stack, "keel vm (char*)%s-1" % stack)
    stopped_at(parts, FRAMES_CASE, console)
    cr3 = value(parts, "p/x $cr3") & ~0x1f
    text_start = value(parts, "p/x &_text_start")

    code = output(parts, text_va)
    CHECK(code, "the walk to start from CR3's PDPT",
          re.search(r"^walk of 0x%08x: CR3 -> PDPT at 0x%08x$" % (text_start + 0x123, cr3),
                    code, re.M))
    CHECK(code, "PDPT entry 3 (the kernel's gigabyte) present",
          re.search(r"^  PDPT\[  3\] at 0x%08x = 0x[0-9a-f]{16}  present -> directory 0x[0-9a-f]+$"
                    % (cr3 + 24), code, re.M))
    CHECK(code, "a page directory entry pointing at a table",
          re.search(r"^  PD  \[  0\] at 0x[0-9a-f]{8} = 0x[0-9a-f]{16}  present, writable, "
                    r"kernel -> table 0x[0-9a-f]+$", code, re.M))
    CHECK(code, "the code page read-only, executable (no NX) and global",
          re.search(r"^  PT  \[\s*\d+\] at 0x[0-9a-f]{8} = 0x[0-9a-f]{16}  present, read-only, "
                    r"kernel, global -> frame 0x%x$" % (text_start - 0xC0000000), code, re.M))
    CHECK(code, "the physical address _text_start - 0xC0000000 + 0x123",
          re.search(r"^0x%08x -> physical 0x%x read-only exec global$"
                    % (text_start + 0x123, text_start - 0xC0000000 + 0x123), code, re.M))

    null = output(parts, "keel vm 0")
    CHECK(null, "address 0 not mapped, its directory entry not present",
          re.search(r"^  PD  \[  0\] at 0x[0-9a-f]{8} = 0x0{16}  not present$", null, re.M)
          and null.endswith("\n0x00000000 is not mapped"))

    name = output(parts, "p 'kernel/sched/thread.c'::threads[1].name")
    CHECK(name, "thread slot 1 to be the idle thread", '"idle' in name)
    base = value(parts, "p/x " + stack)
    mapped = output(parts, "keel vm " + stack)
    CHECK(mapped, "the idle thread's stack in the stack area, mapped writable, no-exec",
          0xE0000000 <= base < 0xE1000000 and re.search(
              r"^0x%08x -> physical 0x[0-9a-f]+ write no-exec global$" % base, mapped, re.M))
    guard = output(parts, "keel vm (char*)%s-1" % stack)
    CHECK(guard, "the guard page below the stack not mapped",
          re.search(r"^  PT  \[\s*\d+\] at 0x[0-9a-f]{8} = 0x0{16}  not present$", guard, re.M)
          and guard.endswith("\n0x%08x is not mapped" % (base - 1)))


def test_vm_user_space(ctx):
    """A user page mapped in a test's space: walked from its root, absent from the active one."""
    parts, console = debug(
        ctx, "test=mem.vm.map_query_unmap", "break vm_query if va == 0x400123", "continue",
        "keel vm 0x400123 s->root", "p/x s->root", "keel vm 0x400123", "p/x s", "keel slabs",
        "keel slabs vm_space", "up", "p/x f.pa")
    stopped_at(parts, "vm_query", console)
    root, frame = value(parts, "p/x s->root"), value(parts, "p/x f.pa")
    walk = output(parts, "keel vm 0x400123 s->root")
    CHECK(walk, "the walk to start from the given root",
          re.search(r"^walk of 0x00400123: PDPT at 0x%08x \(given\)$" % root, walk, re.M))
    CHECK(walk, "PD entry 2 (4 MiB) pointing at a user table",
          re.search(r"^  PD  \[  2\] at 0x[0-9a-f]{8} = 0x[0-9a-f]{16}  present, writable, "
                    r"user -> table 0x[0-9a-f]+$", walk, re.M))
    CHECK(walk, "PT entry 0 mapping the test's frame, writable, user",
          re.search(r"^  PT  \[  0\] at 0x[0-9a-f]{8} = 0x[0-9a-f]{16}  present, writable, "
                    r"user(, NX)? -> frame 0x%x$" % frame, walk, re.M))
    CHECK(walk, "the physical address: the test's frame + 0x123",
          re.search(r"^0x00400123 -> physical 0x%x write (no-)?exec user$" % (frame + 0x123),
                    walk, re.M))
    active = output(parts, "keel vm 0x400123")
    CHECK(active, "the address not mapped in the active (kernel) space",
          re.search(r"^walk of 0x00400123: CR3 -> PDPT", active, re.M)
          and active.endswith("\n0x00400123 is not mapped"))

    slabs = output(parts, "keel slabs")
    vm_space = cache_row(slabs, "vm_space")
    CHECK(slabs, "a vm_space row with at least one allocation and one live object",
          vm_space and vm_space[4] >= 1 and vm_space[3] >= 1)
    CHECK(slabs, "a kmalloc-64 row of 64-byte objects",
          (cache_row(slabs, "kmalloc-64") or [0])[0] == 64)
    CHECK(slabs, "a total row and the number of caches",
          re.search(r"^  \(all\)(?: +\d+){6}$", slabs, re.M)
          and re.search(r"^\d+ caches, \d+ KiB in slabs$", slabs, re.M))
    space = value(parts, "p/x s")
    live = output(parts, "keel slabs vm_space")
    CHECK(live, "the space being queried among vm_space's live objects, from vm_space_create",
          re.search(r"^  0x%x  allocated at vm_space_create\b" % space, live, re.M))
    CHECK(live, "vm_space's counts to match its slabs", re.search(r"; counts OK$", live, re.M))


def test_slabs_live_objects(ctx):
    """At the first kfree() of a test: its kmalloc(40) object live in kmalloc-64."""
    parts, console = debug(ctx, "test=mem.heap.misuse_is_refused", "break kfree", "continue",
                           "p/x ptr", "keel slabs kmalloc-64")
    stopped_at(parts, "kfree", console)
    obj = value(parts, "p/x ptr") - 8  # the test frees p + 8 first
    text = output(parts, "keel slabs kmalloc-64")
    row = cache_row(text, "kmalloc-64")
    CHECK(text, "kmalloc-64: size 64, one slab, one live object, at least one allocation",
          row and row[0] == 64 and row[2] == 1 and row[3] == 1 and row[4] >= 1)
    CHECK(text, "the slab listed as partial with 1 allocated",
          re.search(r"^  0x[0-9a-f]+ \(partial\): 1 allocated, \d+ free, 0 quarantined$",
                    text, re.M))
    CHECK(text, "the test's object as the live one, allocated by the test",
          re.search(r"^  0x%x  allocated at ktest_fn_heap_misuse_is_refused\b" % obj, text, re.M))
    CHECK(text, "'1 live object; counts OK'", re.search(r"^1 live object; counts OK$", text, re.M))


def test_without_kernel(ctx):
    """ELF only: `keel` lists the commands; each says no kernel runs, or how to call it."""
    script = str(ctx.root / "scripts" / "gdb" / "keel.py")
    commands = ("keel frames", "keel vm 0", "keel slabs")
    out = gdbtest.run(gdbtest.gdb("file %s" % ctx.kernel, "source %s" % script, "keel",
                                  *commands, "keel vm", "keel slabs a b"), ctx.root, timeout=25)
    gdbtest.check_no_traceback(out)
    part = gdbtest.sections(out)
    for c in commands:
        name = " ".join(c.split()[:2])
        CHECK(part["keel"], "`keel` to list %r with its summary" % name,
              re.search(r"^%s -- \S" % re.escape(name), part["keel"], re.M))
        CHECK(part[c], "%r to say no kernel is running, in one line" % c,
              re.fullmatch(r"%s: no kernel is running.*" % name, part[c]))
    CHECK(part["keel vm"], "`keel vm` alone to give its usage",
          part["keel vm"] == "keel vm: usage: keel vm ADDR [ROOT]")
    CHECK(part["keel slabs a b"], "`keel slabs a b` to give its usage",
          part["keel slabs a b"] == "keel slabs: usage: keel slabs [NAME]")
