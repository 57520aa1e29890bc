"""Reach: what a lab file's compiled code calls and executes.

A lab's code runs in ring 0, so it could print results or leave QEMU
itself. Before any test boots, the grader reads the object of every lab
file the submission supplies: the symbols it refers to (nm -u) and the
privileged instructions it contains (objdump -d). Each must be one the
lab's reference solution or its stub already uses in that file (recorded
by scripts/mklab in .grader/REACH when it cut the lab), one the compiler
itself may call, or one the manifest's [submission] section allows.
Anything else makes the tests of that file's parts "not graded", with the
symbol or instruction and the file named.
"""
import json
import re
import subprocess

NM = 'i686-linux-gnu-nm'
OBJDUMP = 'i686-linux-gnu-objdump'
# Always allowed: what the compiler calls on its own (struct copies,
# 64-bit division, the stack protector), and what students debug with
# (printing, assertions, panics). A forged result printed with kprintf is
# still refused: the test runner does not vouch for it (ktest_auth.c).
COMPILER_SYMBOLS = re.compile(r'^(mem(cpy|set|move|cmp)|__\w+[sd]i3|__stack_chk_\w+|'
                              r'kv?printf|panic|assert_failed)$')
# Privileged or machine-controlling instructions, by class: what a test's
# own code might use to end the boot or write the port the harness reads.
INSTRUCTIONS = {
    'port I/O': re.compile(r'^(in|out|ins[bwl]?|outs[bwl]?)$'),
    'descriptor tables': re.compile(r'^(lidt|lgdt|lldt|ltr|lmsw)l?$'),
    'hlt': re.compile(r'^hlt$'),
    'software interrupt': re.compile(r'^(int|int3|into|sysenter|syscall)$'),
    'control register write': re.compile(r'^mov[lq]?$'),   # with a %cr/%dr destination
    'interrupt flag': re.compile(r'^(cli|sti|popf[lw]?|iret[lwd]?)$'),
    'model-specific register': re.compile(r'^(wrmsr|rdmsr)$'),
}
DISASM = re.compile(r'^\s*[0-9a-f]+:\s+(\S+)\s*(.*)$')



def object_of(build, rel):
    """Where the build directory @build puts the object of source @rel: a
    user program's (userspace/, user.mk) under user/obj, the kernel's under obj."""
    sub = ('user', 'obj') if rel.startswith('userspace/') else ('obj',)
    return build.joinpath(*sub, f'{rel}.o')

def symbols(obj):
    """The symbols object @obj refers to but does not define."""
    out = subprocess.run([NM, '-u', str(obj)], capture_output=True, text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def instructions(obj):
    """The classes of INSTRUCTIONS that object @obj's code contains."""
    out = subprocess.run([OBJDUMP, '-d', '--no-show-raw-insn', str(obj)], capture_output=True,
                         text=True, check=True).stdout
    found = set()
    for line in out.splitlines():
        m = DISASM.match(line)
        if not m:
            continue
        op, args = m.group(1), m.group(2)
        for kind, pattern in INSTRUCTIONS.items():
            if not pattern.match(op):
                continue
            if kind == 'control register write' and not re.search(r',%[cd]r\d', args):
                continue
            found.add(kind)
    return found


def reach(obj):
    """{'symbols': [...], 'instructions': [...]} of object @obj."""
    return {'symbols': sorted(symbols(obj)), 'instructions': sorted(instructions(obj))}


def load(path):
    """.grader/REACH as {lab file: reach}, or {} if the tree has none."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def violations(obj, rel, allowed, manifest):
    """What object @obj of lab file @rel reaches beyond @allowed; [] if nothing."""
    ok_syms = set(allowed.get('symbols', [])) | set(manifest.allow_symbols)
    ok_insns = set(allowed.get('instructions', [])) | set(manifest.allow_instructions)
    bad = [f'{rel} refers to {s}, which neither the lab\'s reference nor its stub uses'
           for s in sorted(symbols(obj) - ok_syms) if not COMPILER_SYMBOLS.match(s)]
    bad += [f'{rel} executes {i} instructions, which neither the lab\'s reference nor its '
            f'stub does'
            for i in sorted(instructions(obj) - ok_insns)]
    return bad
