# keel_mem.py - the `keel` commands of slice 2 (memory): frames, page tables, slabs.
#
# keel.py imports this module at its end, after registering itself as the
# module `keel`, so the commands here are KeelCommand subclasses like the
# others and use keel.py's helpers. They only read memory.
#
# Slice 2 keeps its state in three places:
#   - pmm_kernel (kernel/mem/frame.c), the buddy allocator of pmm.h: two
#     zones, each with a free list per order threaded through the frame
#     table (frames[pfn - base].next), and the frames each owner holds.
#     Until frame_init() has run, pmm_kernel.frames is NULL.
#   - The page tables. CR3 holds the physical address of the active
#     space's PDPT. Every table lives in the direct map, where physical
#     address p is at 0xC0000000 + p, so GDB reads the tables there, as
#     the kernel itself does. Until vm_init() has run, CR4.PAE is clear.
#   - The slab caches, linked from cache_list (kernel/mem/slab.c). A slab is
#     a block of frames with its header (struct slab) at the start and its
#     objects packed at the end; bitmaps in the header say which objects
#     are allocated, so the live objects of a cache can be listed.
# Hardware facts (PAE entry bits) and a few #defines the debug info does
# not carry are repeated below, each naming where the kernel defines it.

import struct

import gdb

from keel import (KeelCommand, NOT_SET_UP, array_length, c_string, keel_command, offset_of,
                  plural, read_only_from_elf, static_variable, symbol, symbol_at)


def split_args(text):
    """Split `text` at white space outside quotes and brackets: one C expression a part."""
    parts, current, depth, quote = [], "", 0, None
    for ch in text.strip():
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch.isspace() and depth == 0:
            parts += [current] if current else []
            current = ""
            continue
        current += ch
    return parts + ([current] if current else [])


class KeelArgsCommand(KeelCommand):
    """A KeelCommand that takes arguments: run() finds them in self.args.

    A subclass sets `usage` ("ADDR [ROOT]") and how many arguments it
    takes; a wrong count fails with the usage, in one line.
    """

    usage = ""
    min_args = max_args = 0

    def invoke(self, arg, from_tty):
        self.args = split_args(arg)
        if not self.min_args <= len(self.args) <= self.max_args:
            raise gdb.GdbError("keel %s: usage: keel %s %s" % (self.name, self.name, self.usage))
        super().invoke("", from_tty)


def read_u64(address):
    """The little-endian 64-bit word at virtual `address`."""
    return struct.unpack("<Q", bytes(gdb.selected_inferior().read_memory(address, 8)))[0]


def read_u32s(address, count):
    """`count` little-endian 32-bit words at virtual `address`, as a list."""
    data = bytes(gdb.selected_inferior().read_memory(address, 4 * count))
    return list(struct.unpack("<%dI" % count, data))


# ---------------------------------------------------------------------------
# keel frames: zones, owners and a check of the free lists.

FRAME_KIB = 4  # FRAME_SIZE (pmm.h) in KiB


def read_pmm():
    """Return pmm_kernel, or None until frame_init() has given it a frame table."""
    pmm = symbol("pmm_kernel")
    try:
        if int(pmm["frames"]) == 0:
            return None
        pmm.fetch_lazy()
    except gdb.MemoryError:  # before paging
        return None
    return pmm


def owner_names(count):
    """The names pmm_owner_name() gives owners 0 .. count - 1, from its own table."""
    with read_only_from_elf():
        names = gdb.parse_and_eval("pmm_owner_name::names")
        known = [c_string(names[i]) for i in range(array_length(names))]
    first_task = int(symbol("OWNER_FIRST_TASK"))
    return [known[o] if o < len(known) else "task" if o >= first_task else "owner?"
            for o in range(count)]


class FreeLists:
    """Walks pmm_kernel's free lists and collects what disagrees with the counters.

    A list is walked through frames[pfn - base].next. A pfn seen before,
    or outside the zone, ends the walk, so a corrupt list cannot loop.
    Each block must also head a free block of the list's order and link
    back to the one before it.
    """

    def __init__(self, pmm):
        self.frames = pmm["frames"]
        self.base, self.count = int(pmm["base"]), int(pmm["count"])
        self.none = (1 << 8 * self.frames.dereference()["next"].type.sizeof) - 1  # PFN_NONE
        self.free_head = int(symbol("FRAME_HEAD")) | int(symbol("FRAME_FREE"))
        self.problems = []
        self.free = self.blocks = 0
        for i in range(array_length(pmm["zones"])):
            self.zone(pmm["zones"][i])
        if int(pmm["owner_frames"][0]) != self.free:
            self.problems.append("owner 'free' holds %d frames, but the lists hold %d"
                                 % (int(pmm["owner_frames"][0]), self.free))

    def zone(self, z):
        """Walk every list of zone `z`; its free count must be what they hold."""
        found = 0
        for order in range(array_length(z["free_head"])):
            blocks = self.walk(z, order)
            if blocks != int(z["free_blocks"][order]):
                self.problems.append("zone %s, order %d: free_blocks says %d, the list holds %d"
                                     % (z["name"].string(), order, int(z["free_blocks"][order]),
                                        blocks))
            found += blocks << order
            self.blocks += blocks
        if found != int(z["free"]):
            self.problems.append("zone %s: free says %d frames, but its lists hold %d"
                                 % (z["name"].string(), int(z["free"]), found))
        self.free += found

    def walk(self, z, order):
        """The number of blocks on list `order` of zone `z` (up to where it breaks)."""
        where = "zone %s, order %d" % (z["name"].string(), order)
        start, end = int(z["start"]), int(z["end"])
        seen, prev, pfn = set(), self.none, int(z["free_head"][order])
        while pfn != self.none:
            if pfn in seen:
                return self.broken(seen, "%s: block 0x%x comes again after %s: a cycle"
                                   % (where, pfn, plural(len(seen), "block")))
            if not start <= pfn < end or not 0 <= pfn - self.base < self.count:
                return self.broken(seen, "%s: pfn 0x%x is outside the zone" % (where, pfn))
            f = self.frames[pfn - self.base]
            if int(f["flags"]) != self.free_head or int(f["order"]) != order:
                self.problems.append("%s: block 0x%x is not a free block of order %d "
                                     "(flags 0x%x, order %d)"
                                     % (where, pfn, order, int(f["flags"]), int(f["order"])))
            if int(f["prev"]) != prev:
                self.problems.append("%s: block 0x%x links back to 0x%x, not 0x%x"
                                     % (where, pfn, int(f["prev"]), prev))
            seen.add(pfn)
            prev, pfn = pfn, int(f["next"])
        return len(seen)

    def broken(self, seen, problem):
        """Record why a walk stopped; count the blocks it found before."""
        self.problems.append(problem)
        return len(seen)


@keel_command
class KeelFrames(KeelCommand):
    """Show the frame allocator: zones, free blocks by order, frames per owner.

    Reads pmm_kernel (kernel/mem/frame.c), as the monitor's `mem` prints it:
    each zone's pfn range, frames managed and free, and how many free
    blocks each order's list holds; then the frames (and KiB) each owner
    holds, with its limit. Last, a check: walking every free list through
    frames[pfn - base].next must find the blocks and frames the counters
    say ("free lists: consistent", or each disagreement). Stopped inside
    pmm_alloc() or pmm_free(), the lists may be caught half updated."""

    name = "frames"

    def run(self):
        pmm = read_pmm()
        if pmm is None:
            print("Frames: the frame allocator is not set up yet (frame_init() has not run)")
            return
        base, count = int(pmm["base"]), int(pmm["count"])
        zones = pmm["zones"]
        orders = array_length(zones[0]["free_head"])
        print("Zones of pmm_kernel (pfns 0x%x-0x%x):" % (base, base + count - 1))
        print("  %-7s %-17s %8s %8s  free blocks by order 0..%d"
              % ("ZONE", "PFNS", "MANAGED", "FREE", orders - 1))
        for i in range(array_length(zones)):
            z = zones[i]
            start, end = int(z["start"]), int(z["end"])
            pfns = "0x%05x-0x%05x" % (start, end - 1) if end > start else "(none)"
            print("  %-7s %-17s %8d %8d  %s" % (
                z["name"].string(), pfns, int(z["managed"]), int(z["free"]),
                " ".join(str(int(z["free_blocks"][k])) for k in range(orders))))

        held, limits = pmm["owner_frames"], pmm["owner_limit"]
        names = owner_names(array_length(held))
        print("Frames per owner:")
        print("  %3s %-12s %8s %9s %8s" % ("ID", "OWNER", "FRAMES", "KIB", "LIMIT"))
        for o, name in enumerate(names):
            frames, limit = int(held[o]), int(limits[o])
            if frames or limit:
                print("  %3d %-12s %8d %9d %8s"
                      % (o, name, frames, frames * FRAME_KIB, limit or "-"))
        total = sum(int(held[o]) for o in range(len(names)))
        note = "" if total == count else "; but %d frames are described" % count
        print("  %3s %-12s %8d %9d%s" % ("", "(all)", total, total * FRAME_KIB, note))

        lists = FreeLists(pmm)
        if not lists.problems:
            print("free lists: consistent: %s free in %s"
                  % (plural(lists.free, "frame"), plural(lists.blocks, "block")))
            return
        print("free lists: INCONSISTENT: " + lists.problems[0])
        for p in lists.problems[1:]:
            print("  " + p)


# ---------------------------------------------------------------------------
# keel vm: the PAE walk for an address.

DIRECT_MAP = 0xC0000000  # VM_KERNEL_BASE (vm.h): physical p is mapped at DIRECT_MAP + p
DIRECT_MAX = 0x20000000  # VM_DIRECT_MAX (vm.h): the direct map ends there
CR4_PAE = 1 << 5
PAE_P, PAE_RW, PAE_US, PAE_PCD = 0x1, 0x2, 0x4, 0x10  # arch/x86/mem/paging.h
PAE_PS, PAE_G, PAE_NX = 0x80, 0x100, 1 << 63
PAE_ADDR = 0x0000000FFFFFF000
LARGE_PAGE, PAGE = 0x200000, 0x1000


def control_register(name):
    """The value of control register `name` ("cr3"), or None if GDB's stub has none."""
    try:
        value = gdb.parse_and_eval("$" + name)
        return None if value.type.code == gdb.TYPE_CODE_VOID else int(value)
    except gdb.error:
        return None


def active_root():
    """(physical address of the active PDPT, where it came from), or None before PAE paging.

    QEMU's stub shows $cr3 and $cr4; with a stub that does not, the active
    space is taken to be the kernel's, and paging to be on once it has a root.
    """
    cr3, cr4 = control_register("cr3"), control_register("cr4")
    if cr3 is not None and cr4 is not None:
        return (cr3 & ~0x1f, "CR3") if cr4 & CR4_PAE else None
    root = int(symbol("vm_kernel")["root"])
    return (root, "vm_kernel.root") if root else None


def read_entry(pa):
    """The page-table entry at physical `pa`, read through the direct map.

    The map ends at direct_end (arch/x86/mem/paging.c): the top of RAM, at most
    DIRECT_MAX. Every page table lies below it.
    """
    end = int(static_variable("direct_end", "arch/x86/mem/paging.c")) or DIRECT_MAX
    if pa + 8 > min(end, DIRECT_MAX):
        raise gdb.GdbError("the entry at physical 0x%x is beyond the direct map (0x%x)"
                           % (pa, end))
    return read_u64(DIRECT_MAP + pa)


def describe(e, leaf):
    """An entry decoded as pae_entry_describe() (arch/x86/mem/paging.c) prints it."""
    if not e & PAE_P:
        return "not present"
    return "present%s%s%s%s%s%s -> %s 0x%x" % (
        ", writable" if e & PAE_RW else ", read-only", ", user" if e & PAE_US else ", kernel",
        ", uncached" if e & PAE_PCD else "", ", NX" if leaf and e & PAE_NX else "",
        ", global" if leaf and e & PAE_G else "", ", 2 MiB page" if e & PAE_PS else "",
        "frame" if leaf else "table", e & PAE_ADDR)


def walk(root, va):
    """Print each level of the walk for `va` from the PDPT at `root`; return the leaf or None."""
    at = root + 8 * (va >> 30)
    e = read_entry(at)
    print("  PDPT[%3d] at 0x%08x = 0x%016x  %s 0x%x" % (
        va >> 30, at, e, "present -> directory" if e & PAE_P else "not present", e & PAE_ADDR))
    for level, index in (("PD", va >> 21 & 511), ("PT", va >> 12 & 511)):
        if not e & PAE_P:
            return None
        at = (e & PAE_ADDR) + 8 * index
        e = read_entry(at)
        leaf = level == "PT" or bool(e & PAE_PS)
        print("  %-4s[%3d] at 0x%08x = 0x%016x  %s" % (level, index, at, e, describe(e, leaf)))
        if leaf:
            return e if e & PAE_P else None
    return None


def evaluate_address(expression):
    """The address an expression names: a pointer or number, or where an array or function is."""
    value = gdb.parse_and_eval(expression)
    if value.type.strip_typedefs().code in (gdb.TYPE_CODE_ARRAY, gdb.TYPE_CODE_FUNC):
        value = value.address
    return int(value) & 0xFFFFFFFF


@keel_command
class KeelVm(KeelArgsCommand):
    """Show the page-table walk for an address: keel vm ADDR [ROOT].

    ADDR is an expression GDB evaluates (0xc0100000, &kernel_pdpt,
    t->stack); write it without spaces, or in parentheses. The walk is in
    the active space (the PDPT in $cr3), or in the PDPT at physical address
    ROOT (a space's root: s->root). Each level shows the entry's index,
    physical address, value and meaning, as the monitor's `vm` prints them:
    PDPT, page directory (a 2 MiB page ends the walk there), page table.
    The last line gives the physical address and rights, or "not mapped"."""

    name = "vm"
    usage = "ADDR [ROOT]"
    min_args, max_args = 1, 2

    def run(self):
        va = evaluate_address(self.args[0])
        active = active_root()
        if active is None:
            print("Page tables: PAE paging is not on yet (CR4.PAE is clear: vm_init() has "
                  "not run)")
            return
        if len(self.args) == 2:
            root = int(gdb.parse_and_eval(self.args[1]))
            print("walk of 0x%08x: PDPT at 0x%08x (given)" % (va, root))
        else:
            root, source = active
            print("walk of 0x%08x: %s -> PDPT at 0x%08x" % (va, source, root))
        leaf = walk(root, va)
        if leaf is None:
            print("0x%08x is not mapped" % va)
            return
        mask = LARGE_PAGE - 1 if leaf & PAE_PS else PAGE - 1
        print("0x%08x -> physical 0x%x%s%s%s%s" % (
            va, (leaf & PAE_ADDR & ~mask) | (va & mask),
            " write" if leaf & PAE_RW else " read-only",
            " no-exec" if leaf & PAE_NX else " exec", " user" if leaf & PAE_US else "",
            " global" if leaf & PAE_G else ""))


# ---------------------------------------------------------------------------
# keel slabs: the slab caches, and the live objects of one.

SLAB_MAGIC = 0x51AB0B1E  # kernel/mem/slab.c: a slab's magic is SLAB_MAGIC ^ its address
SLAB_REDZONE = 8         # slab.h: red zone bytes on each side of an object (SLAB_DEBUG)
SITE_OFFSET = 8          # kernel/mem/slab.c: the left red zone starts with the allocation site
FRAME_BYTES = 4096
LIST_NAMES = ("partial", "full", "empty")
COUNTERS = ("slabs", "live", "allocs", "frees", "failures", "corruptions")
MAX_OBJECTS = 200        # live objects `keel slabs NAME` lists at most


def read_caches():
    """Every cache on cache_list, in order; None before the first one is set up.

    The walk stops at a cache seen before, so a corrupt list cannot loop.
    """
    try:
        cache = static_variable("cache_list", "kernel/mem/slab.c")
        if int(cache) == 0:
            return None
    except gdb.MemoryError:  # before paging
        return None
    caches, seen = [], set()
    while int(cache) != 0 and int(cache) not in seen:
        seen.add(int(cache))
        caches.append(cache.dereference())
        cache = cache["next"]
    return caches


def slab_debug(caches):
    """True if the kernel frames objects with red zones (SLAB_DEBUG).

    Without them a cache's stride is its object rounded up to its alignment
    (at most 64); with them, two red zones more. The kmalloc caches are
    aligned to 8, so one of them tells: any stride shorter than its object
    plus both red zones means no red zones.
    """
    return all(int(c["stride"]) >= max(int(c["size"]), 4) + 2 * SLAB_REDZONE for c in caches)


def cache_row(name, values):
    """One line of the `keel slabs` table."""
    return "  %-16s %6s %6s %6s %7s %9s %9s %8s %7s" % ((name,) + tuple(values))


def cache_slabs(c, limit):
    """The slabs of cache `c` as (address, list name), and any problem with the lists."""
    slabs, problems, seen = [], [], set()
    for list_name in LIST_NAMES:
        s = c[list_name]["head"]
        while int(s) != 0:
            if int(s) in seen or len(seen) >= limit:
                problems.append("the %s list does not end: slab 0x%x comes again, or more "
                                "than %d slabs" % (list_name, int(s), limit))
                break
            seen.add(int(s))
            slabs.append((s.dereference(), list_name))
            s = s["next"]
    return slabs, problems


def live_objects(c, s, debug):
    """The allocated objects of slab `s` of cache `c`: (address, where allocated or None)."""
    per_slab, stride = int(c["per_slab"]), int(c["stride"])
    end = int(s.address) + (FRAME_BYTES << int(c["order"]))
    words = read_u32s(int(s.address) + offset_of("struct slab", "map"), (per_slab + 31) // 32)
    objects = []
    for i in range(per_slab):
        if words[i // 32] >> (i % 32) & 1:
            obj = end - (per_slab - i) * stride
            site = read_u32s(obj - SITE_OFFSET, 1)[0] if debug else None
            objects.append((obj, site))
    return objects


def show_cache(c, debug):
    """The slabs and live objects of cache `c`, with a check of its counts."""
    name = c["name"].string()
    print("Slabs of %s: %s of %s, %d objects each"
          % (name, plural(int(c["slabs"]), "slab"), plural(1 << int(c["order"]), "frame"),
             int(c["per_slab"])))
    slabs, problems = cache_slabs(c, int(c["slabs"]) + 16)
    objects = []
    for s, list_name in slabs:
        magic = "" if int(s["magic"]) == SLAB_MAGIC ^ int(s.address) else ", BAD MAGIC"
        print("  0x%x (%s): %d allocated, %d free, %d quarantined%s"
              % (int(s.address), list_name, int(s["inuse"]), int(s["nfree"]),
                 int(s["nbad"]), magic))
        objects += live_objects(c, s, debug)
    print("Live objects of %s:" % name)
    for obj, site in objects[:MAX_OBJECTS]:
        where = "" if site is None else "  allocated at %s" % (
            (symbol_at(site) or "0x%x" % site) if site else "nowhere")
        print("  0x%x%s" % (obj, where))
    if len(objects) > MAX_OBJECTS:
        print("  ... and %d more" % (len(objects) - MAX_OBJECTS))
    if len(slabs) != int(c["slabs"]):
        problems.append("the lists hold %s, but slabs says %d"
                        % (plural(len(slabs), "slab"), int(c["slabs"])))
    if len(objects) != int(c["live"]):
        problems.append("the bitmaps hold %s, but live says %d"
                        % (plural(len(objects), "live object"), int(c["live"])))
    print("%s; %s" % (plural(len(objects), "live object"),
                      "counts OK" if not problems else "counts WRONG:"))
    for p in problems:
        print("  " + p)


@keel_command
class KeelSlabs(KeelArgsCommand):
    """List the slab caches: object size, stride, slabs, live objects, counters.

    One line per cache on cache_list (kernel/mem/slab.c), as the monitor's
    `mem` prints them, then the totals. With a cache's name (keel slabs
    kmalloc-64), also each of its slabs and every live object, with where
    it was allocated when the kernel keeps red zones (SLAB_DEBUG), and a
    check that the slabs and bitmaps match the cache's counters."""

    name = "slabs"
    usage = "[NAME]"
    max_args = 1

    def run(self):
        caches = read_caches()
        if caches is None:
            print("Slab caches: %s" % NOT_SET_UP)
            return
        print(cache_row("CACHE", ("SIZE", "STRIDE", "SLABS", "LIVE", "ALLOCS", "FREES",
                                  "FAILURES", "CORRUPT")))
        for c in caches:
            print(cache_row(c["name"].string(), [int(c["size"]), int(c["stride"])]
                            + [int(c[f]) for f in COUNTERS]))
        totals = [sum(int(c[f]) for c in caches) for f in COUNTERS]
        print(cache_row("(all)", ["", ""] + totals))
        kib = sum(int(c["slabs"]) * (FRAME_BYTES // 1024 << int(c["order"])) for c in caches)
        print("%s, %d KiB in slabs" % (plural(len(caches), "cache"), kib))
        if not self.args:
            return
        chosen = [c for c in caches if c["name"].string() == self.args[0]]
        if not chosen:
            raise gdb.GdbError("no cache named '%s'; the caches: %s" % (
                self.args[0], ", ".join(c["name"].string() for c in caches)))
        show_cache(chosen[0], slab_debug(caches))
