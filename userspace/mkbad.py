#!/usr/bin/python3
"""mkbad.py - write malformed program images for the kernel's ELF checks.

    userspace/mkbad.py PROGRAM OUTDIR [NAME...]

Reads PROGRAM, a good user program (the build uses hello), and writes one
copy of it per defect into OUTDIR, each named after its defect and
wrong in that one way only, so a test that spawns it knows exactly which
check must refuse it (KEEL_ERR_BAD_IMAGE, kernel/include/keel/elf.h):

  bad_magic      the first four bytes are not "\\x7fELF"
  bad_class      ELFCLASS64 instead of ELFCLASS32
  bad_machine    built for x86-64 (EM_X86_64) instead of i386
  bad_overlap    the second PT_LOAD segment starts where the first does
  bad_wx         the code segment is writable and executable
  bad_kernel     the last segment reaches from user space into the kernel's
                 (0xBFFFF000 + 0x2000 crosses 0xC0000000)
  bad_toolarge   the last segment takes more bytes from the file than it has
  bad_entry      the entry point lies outside every segment
  bad_truncated  the file ends inside its program header table

With NAMEs, only those are written. The test image's boot archive holds
them all (userspace/user.mk).
"""
import struct
import sys
from pathlib import Path

EHDR = struct.Struct('<16sHHIIIIIHHHHHH')
PHDR = struct.Struct('<IIIIIIII')
PT_LOAD, PF_X, PF_W, PF_R = 1, 1, 2, 4
EM_386, EM_X86_64 = 3, 62


class Image:
    """An ELF32 file as bytes, with its header and program headers unpacked."""

    def __init__(self, data):
        self.data = bytearray(data)
        self.eh = list(EHDR.unpack_from(self.data, 0))
        if self.eh[0][:5] != b'\x7fELF\x01' or self.eh[2] != EM_386:
            raise SystemExit('mkbad.py: the input is not an ELF32 i386 file')
        self.phoff, self.phentsize, self.phnum = self.eh[5], self.eh[9], self.eh[10]
        self.loads = [i for i in range(self.phnum) if self.ph(i)[0] == PT_LOAD]
        if len(self.loads) < 2:
            raise SystemExit('mkbad.py: the input needs two PT_LOAD segments or more')

    def ph(self, i):
        return list(PHDR.unpack_from(self.data, self.phoff + i * self.phentsize))

    def set_ph(self, i, fields):
        PHDR.pack_into(self.data, self.phoff + i * self.phentsize, *fields)

    def set_eh(self):
        EHDR.pack_into(self.data, 0, *self.eh)


# Program header fields: type, offset, vaddr, paddr, filesz, memsz, flags, align.
def bad_magic(img):
    img.data[0:4] = b'\x7fELG'


def bad_class(img):
    img.data[4] = 2


def bad_machine(img):
    img.eh[2] = EM_X86_64
    img.set_eh()


def bad_overlap(img):
    first, second = img.ph(img.loads[0]), img.ph(img.loads[1])
    second[2] = second[3] = first[2]
    img.set_ph(img.loads[1], second)


def bad_wx(img):
    code = next(i for i in img.loads if img.ph(i)[6] & PF_X)
    ph = img.ph(code)
    ph[6] = PF_R | PF_W | PF_X
    img.set_ph(code, ph)


def bad_kernel(img):
    last = img.ph(img.loads[-1])
    last[2] = last[3] = 0xBFFFF000
    last[5] = max(last[5], 0x2000)
    last[4] = min(last[4], last[5])
    img.set_ph(img.loads[-1], last)


def bad_toolarge(img):
    last = img.ph(img.loads[-1])
    last[4] = len(img.data) - last[1] + 0x100
    last[5] = max(last[5], last[4])
    img.set_ph(img.loads[-1], last)


def bad_entry(img):
    img.eh[4] = 0x10000000
    for i in img.loads:
        ph = img.ph(i)
        assert not ph[2] <= img.eh[4] < ph[2] + ph[5], 'the new entry lies in a segment'
    img.set_eh()


def bad_truncated(img):
    del img.data[img.phoff + img.phentsize + 8:]


DEFECTS = {f.__name__: f for f in (bad_magic, bad_class, bad_machine, bad_overlap, bad_wx,
                                   bad_kernel, bad_toolarge, bad_entry, bad_truncated)}


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__.split('\n\n')[1])
    good = Path(argv[1]).read_bytes()
    out = Path(argv[2])
    names = argv[3:] or list(DEFECTS)
    unknown = [n for n in names if n not in DEFECTS]
    if unknown:
        raise SystemExit(f'mkbad.py: unknown defect {", ".join(unknown)}; known: '
                         f'{", ".join(DEFECTS)}')
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        img = Image(good)
        DEFECTS[name](img)
        (out / name).write_bytes(bytes(img.data))


if __name__ == '__main__':
    main(sys.argv)
