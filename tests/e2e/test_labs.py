"""test_labs - the labs: cutting student trees, grading, the autograder.

For every lab in labs/: the student tree (scripts/mklab) builds, holds no
marker and no line of the lab's reference code, and scores zero on its
lab's tests; the reference tree scores full marks. Broken submissions,
made at test time from those two trees, are each graded in bounded time
with the right reason per test: a compile error, an infinite loop, a
triple fault, a panic, an output flood of megabytes, edited or deleted
tests and harness, missing files. Archives that escape their directory
and other bad input are refused one by one while the rest are graded.
The Gradescope package runs against a fake /autograder. Every lab's
tree holds the earlier labs solved and no file of a later slice. Lab 0
carried into lab 1, and labs 0 and 1 into lab 2, prove the carry-forward
workflow (a release repository with a branch per lab, `git merge`
keeping a student's own earlier solutions, the earlier slices' tests
passing beside the new lab's stubs).

Nothing here writes to the source tree: trees are cut into temporary
directories and every command runs with a time limit.
"""
import atexit
import csv
import importlib.machinery
import importlib.util
import io
import json
import os
import re
import shutil
import signal
import subprocess
import tarfile
import tempfile
import threading
import time
import zipfile

import pytest
from pathlib import Path

SLICE = 'boot'

ROOT = Path(__file__).resolve().parent.parent.parent
_SHARED = Path(tempfile.mkdtemp(prefix='keel-labs-e2e-'))
atexit.register(shutil.rmtree, _SHARED, True)
_LOCK = threading.Lock()
_CUTS = {}
_NO_MAKE = ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES', 'PROFILE', 'SLICES', 'BUILD',
            'LAB', 'DEST', 'CMDLINE', 'T', 'V')

SYM_LOOKUP = 'const char *sym_lookup(uintptr_t addr, uintptr_t *offset)\n{\n'
BACKTRACE = 'size_t arch_backtrace(uintptr_t fp, uintptr_t *pcs, size_t max)\n{\n'
PARSE_MMAP = 'static void parse_mmap(const struct multiboot_info *mbi)\n{\n'
LAB0_FILES = {'mmap': 'arch/x86/boot/multiboot.c', 'symbols': 'kernel/boot/symbols.c',
              'backtrace': 'arch/x86/boot/backtrace.c'}


# ---------------------------------------------------------------------------
# Helpers

def run(cmd, cwd, timeout=300, env=None):
    """Run @cmd in its own process group; (status, output). Kills all on timeout."""
    env = {k: v for k, v in (env or os.environ).items() if k not in _NO_MAKE}
    proc = subprocess.Popen([str(c) for c in cmd], cwd=str(cwd), env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        raise AssertionError(f'{" ".join(map(str, cmd))}: no end after {timeout} s:\n'
                             + tail(out.decode(errors='replace')))
    return proc.returncode, out.decode(errors='replace')


def tail(text, n=30):
    return '\n'.join('    | ' + line for line in text.rstrip().splitlines()[-n:])


def load_tool(name):
    path = ROOT / 'scripts' / name
    loader = importlib.machinery.SourceFileLoader(f'keel_{name}_e2e', str(path))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


MKLAB = load_tool('mklab')
GRADE = load_tool('grade')


def labs():
    """{number: manifest} for every lab of the source tree."""
    found = MKLAB.find_labs(ROOT)
    assert found, 'no lab in labs/ (labs/NN-name/manifest.toml)'
    return {n: GRADE.load_manifest(d / 'manifest.toml') for n, d in found.items()}


def cut(lab, mode='student'):
    """Lab @lab's tree in @mode, cut once per process and shared: copy before editing."""
    with _LOCK:
        key = (lab, mode)
        if key not in _CUTS:
            dest = _SHARED / f'lab{lab}-{mode}'
            MKLAB.cut(ROOT, lab, dest, mode, quiet=True)
            _CUTS[key] = dest
        return _CUTS[key]


def copy_tree(src, dest):
    shutil.copytree(src, dest, symlinks=True,
                    ignore=shutil.ignore_patterns('build', '__pycache__'))
    return dest


def insert_after(path, anchor, text):
    s = path.read_text()
    assert anchor in s, f'{path}: the fixture cannot find {anchor!r}; update it'
    path.write_text(s.replace(anchor, anchor + text, 1))


def grade(args, cwd, timeout=400):
    return run(['/usr/bin/python3', ROOT / 'scripts' / 'grade', *args], cwd, timeout)


def results(out, name):
    return json.loads((out / name / 'results.json').read_text())


def by_id(res):
    return {t['name'].rsplit(': ', 1)[1]: t for t in res['tests']}


def expect(res, name, score, kinds=None, evidence=()):
    """Submission @name scored @score; tests of @kinds failed that way."""
    assert res['score'] == score, (f'{name}: expected {score} points, got {res["score"]}:\n'
                                   + res['output'])
    tests = by_id(res)
    for tid, kind in (kinds or {}).items():
        t = tests[tid]
        got = t['extra_data']['kind']
        assert got == kind, f'{name}: {tid}: expected {kind}, got {got}: {t["output"]}'
        for text in evidence:
            assert text in t['output'], f'{name}: {tid}: expected {text!r} in:\n{t["output"]}'


def part_tests(manifest, part):
    return [t.id for t in manifest.tests if t.part == part]


def reference_lines(source_text, lab):
    """(@lab's reference lines long enough to mean something, the lines outside it).

    A line the stub has too (`return false;`) tells nothing: it counts as outside.
    """
    ref, outside, inside, stub = [], [], False, False
    for line in source_text.split('\n'):
        begin = re.match(r'\s*/\* LAB (\d+): ', line)
        if begin and int(begin.group(1)) == lab:
            inside, stub = True, False
        elif inside and re.match(rf'\s*/\* LAB {lab} STUB', line):
            stub = True
        elif inside and re.match(rf'\s*LAB {lab} END \*/', line):
            inside = False
        elif inside and stub:
            outside.append(line.strip())
        elif inside and len(line.strip()) >= 12:
            ref.append(line.strip())
        elif not inside:
            outside.append(line.strip())
    return ref, outside


# ---------------------------------------------------------------------------
# The markers

MARKED = """\
int f(int x)
{
\t/* LAB 1: make f */
\treturn x + 1;
\t/* LAB 1 STUB
\t(void)x;
\treturn 0;
\tLAB 1 END */
}
"""


def test_markers_cut_keep_and_refuse(ctx):
    handouts = {0: 'labs/00-a/handout.rst', 1: 'labs/01-b/handout.rst'}
    student = MKLAB.cut_text(MARKED, 'f.c', 1, 'student', handouts)
    assert student == ('int f(int x)\n{\n\t/* TODO (lab 1): make f; see labs/01-b/handout.rst */'
                       '\n\t(void)x;\n\treturn 0;\n}\n'), student
    for lab, mode in ((2, 'student'), (1, 'reference')):
        kept = MKLAB.cut_text(MARKED, 'f.c', lab, mode, handouts)
        assert kept == 'int f(int x)\n{\n\treturn x + 1;\n}\n', f'lab {lab} {mode}: {kept}'
    assert 'TODO (lab 1)' in MKLAB.cut_text(MARKED, 'f.c', 2, 'carry', handouts)
    long = MARKED.replace('make f', 'a title long enough to need a second line of comment here')
    lines = MKLAB.cut_text(long, 'f.c', 1, 'student', handouts).split('\n')
    assert lines[2].endswith(';') and lines[3] == '\t * see labs/01-b/handout.rst */', lines
    bad = {
        'a LAB 1 marker in a file of lab 0': MARKED,
        'region never ends': MARKED.replace('\tLAB 1 END */\n', ''),
        'expected "/* LAB 1 STUB"': MARKED.replace('\t/* LAB 1 STUB\n', ''),
        'LAB 2 inside the LAB 1 region': MARKED.replace('LAB 1 END', 'LAB 2 END'),
        'outside a "/* LAB n: title */" region': 'int x;\n/* LAB 3 STUB\n',
        'expected "LAB 1 END */"': MARKED.replace('(void)x;', '(void)x; /* no */'),
        'no lab 1': MARKED,
    }
    for why, text in bad.items():
        lab, hs = (0, handouts) if 'lab 0' in why else (1, handouts)
        if why == 'no lab 1':
            hs = {0: handouts[0]}
        try:
            MKLAB.cut_text(text, 'f.c', lab, 'student', hs)
        except MKLAB.CutError as e:
            assert why in str(e) and 'f.c:' in str(e), f'expected {why!r}, got: {e}'
        else:
            raise AssertionError(f'no error for {why!r}')


# ---------------------------------------------------------------------------
# Every lab: cut tree, reference tree

def test_cut_trees_hold_no_solution(ctx):
    for lab, manifest in labs().items():
        tree = cut(lab)
        leaks = MKLAB.scan_for_markers(tree)
        assert not leaks, f'lab {lab}: marker syntax in the student tree: {leaks}'
        for rel in {f for p in manifest.parts for f in p.files}:
            src, student = (ROOT / rel).read_text(), (tree / rel).read_text()
            ref, outside = reference_lines(src, lab)
            assert ref, f'lab {lab}: {rel} has no LAB {lab} region'
            mine = [line.strip() for line in student.split('\n')]
            leaked = [line for line in ref if line in mine and line not in outside]
            assert not leaked, f'lab {lab}: {rel} keeps reference lines: {leaked}'
            assert f'TODO (lab {lab})' in student, f'lab {lab}: {rel} has no TODO'
        c_files = sorted({f for p in manifest.parts for f in p.files if f.endswith(('.c', '.h'))})
        status, out = run(['clang-format', '--dry-run', '--Werror',
                           *[tree / f for f in c_files]], tree, 60)
        assert status == 0, f'lab {lab}: the cut files are not formatted:\n{tail(out)}'
        names = re.search(r'^SLICE_NAMES := (.*)$', (tree / 'Makefile').read_text(), re.M)
        assert names and len(names.group(1).split()) == lab + 1, \
            f'lab {lab}: the tree\'s Makefile lists slices {names and names.group(1)}'
        assert (tree / '.grader' / 'LAB').read_text().strip() == str(lab)
        for gone in ('book/conf.py', 'chapters', 'scripts/mklab', 'tests/e2e/test_labs.py',
                     'docs/labs.md', 'docs/instructor.md'):
            assert not (tree / gone).exists(), f'lab {lab}: {gone} is in the student tree'


def test_lab_trees_hold_earlier_labs_solved_and_no_later_slice(ctx):
    slices, units = MKLAB.make_slices(ROOT)
    cfg = MKLAB.load_tree_config(ROOT)
    files = MKLAB.list_files(ROOT)
    manifests = labs()
    for lab in manifests:
        tree = cut(lab)
        # Earlier labs come solved: their reference code, no stub.
        for earlier in (n for n in manifests if n < lab):
            for rel in sorted({f for p in manifests[earlier].parts for f in p.files}):
                student = (tree / rel).read_text()
                ref, _ = reference_lines((ROOT / rel).read_text(), earlier)
                mine = {line.strip() for line in student.split('\n')}
                missing = [line for line in ref if line not in mine]
                assert not missing, f'lab {lab}: {rel} lacks lab {earlier}\'s reference ' \
                                    f'code: {missing[:3]}'
                assert f'TODO (lab {earlier})' not in student, f'lab {lab}: {rel} has a stub'
        # Slices 0..lab are there, whole; no file of a later slice is.
        gone = [f for _, fs in slices[:lab + 1] for f in fs if not (tree / f).is_file()]
        assert not gone, f'lab {lab}: its tree lacks {gone[:5]}'
        later = MKLAB.later_slice_files(ROOT, files, slices, units, lab, cfg)
        assert later or lab == len(slices) - 1, f'lab {lab}: no file of a later slice found'
        present = sorted(f for f in later if (tree / f).exists())
        assert not present, f'lab {lab}: its tree holds later slices\' files: {present[:5]}'


# One case per lab, so parallel workers share the labs out.
LAB_NUMBERS = sorted(MKLAB.find_labs(ROOT))


@pytest.mark.parametrize('lab', LAB_NUMBERS)
def test_cut_trees_build_in_every_profile(ctx, lab):
    # The DEV build is the one grading makes (test_cut_tree_scores_zero_and_reference_full).
    # STANDARD and HARDENED compile the same files with different
    # profiles; the newest lab, whose slice is the one changing, is built
    # in both, the older ones in HARDENED (every check compiled in).
    tree = copy_tree(cut(lab), ctx.tmp / f'lab{lab}')
    newest = lab == LAB_NUMBERS[-1]
    for profile in ('standard', 'hardened') if newest else ('hardened',):
        status, out = run(['make', '-s', '-j2', f'PROFILE={profile}'], tree, 300)
        assert status == 0, f'lab {lab}: make PROFILE={profile} failed:\n{tail(out)}'


@pytest.mark.parametrize('lab', LAB_NUMBERS)
def test_cut_tree_scores_zero_and_reference_full(ctx, lab):
    manifest = labs()[lab]
    out = ctx.tmp / f'out{lab}'
    status, text = grade(['--lab', lab, '--jobs', 2, '--out', out,
                          cut(lab), cut(lab, 'reference')], ctx.tmp)
    assert status == 1, f'lab {lab}: expected status 1 (not all full marks), got ' \
                        f'{status}:\n{tail(text)}'
    student, reference = results(out, f'lab{lab}-student'), \
        results(out, f'lab{lab}-reference')
    passed = [t['name'] for t in student['tests'] if t['status'] == 'passed']
    assert student['score'] == 0 and not passed, \
        f'lab {lab}: the student tree scores {student["score"]}: {passed}'
    failed = [t['name'] + ': ' + t['output'] for t in reference['tests']
              if t['status'] != 'passed']
    assert reference['score'] == manifest.max_score, \
        f'lab {lab}: the reference scores {reference["score"]}:\n' + '\n'.join(failed)


def test_student_make_grade(ctx):
    tree = copy_tree(cut(0), ctx.tmp / 'student')
    status, out = run(['make', 'grade'], tree, 300)
    assert status != 0, f'make grade passed on the stubs:\n{tail(out)}'
    assert re.search(r'^  total\s+0/100$', out, re.M), tail(out)
    assert 'boot.lookup.every_symbol' in out and 'FAIL  assertion' in out, tail(out)
    # The student solves it: the same files as the reference. Full marks, status 0.
    for rel in LAB0_FILES.values():
        shutil.copy(cut(0, 'reference') / rel, tree / rel)
    (tree / 'tests' / 'kernel' / 'boot' / 'mmap.c').write_text('/* deleted the tests */\n')
    status, out = run(['make', 'grade'], tree, 300)
    assert status == 0, f'make grade on a solved tree:\n{tail(out)}'
    assert re.search(r'^  total\s+100/100$', out, re.M), tail(out)
    assert 'tests/kernel/boot/mmap.c (edited)' in out, tail(out)


# ---------------------------------------------------------------------------
# Broken submissions (lab 0)

def _fixtures(base):
    ref, student = cut(0, 'reference'), cut(0)
    subs = {}

    def from_ref(name):
        subs[name] = copy_tree(ref, base / name)
        return subs[name]

    insert_after(from_ref('compile_error') / 'kernel/boot/symbols.c', SYM_LOOKUP,
                 '\tthis is not C;\n')
    insert_after(from_ref('infinite_loop') / 'arch/x86/boot/backtrace.c', BACKTRACE,
                 '\tfor (;;)\n\t\t__asm__ volatile("pause");\n')
    insert_after(from_ref('triple_fault') / 'kernel/boot/symbols.c', SYM_LOOKUP,
                 '\t(void)*(volatile const uint32_t *)0x10; /* unmapped, and no IDT */\n')
    insert_after(from_ref('panic') / 'arch/x86/boot/multiboot.c', PARSE_MMAP,
                 '\tpanic("parse_mmap: no sense in the map at 0x%x", mbi->mmap_addr);\n')
    # 2^40 tokens: the compiler would go on for ever.
    with open(from_ref('build_never_ends') / 'kernel/boot/symbols.c', 'a') as f:
        f.write('#define X0 x\n' + ''.join(f'#define X{i} X{i - 1} X{i - 1}\n'
                                            for i in range(1, 41)) + 'static int X40;\n')
    insert_after(from_ref('flood') / 'kernel/boot/symbols.c', SYM_LOOKUP,
                 '\tfor (int i = 0; i < 48; i++)\n\t\tkprintf("sym_lookup(0x%lx): a debugging '
                 'line left in, printed on every call (%d)\\n", (unsigned long)addr, i);\n')
    # Stubs, with tests that pass whatever, a harness that passes everything.
    edited = subs['tests_edited'] = copy_tree(student, base / 'tests_edited')
    for f in (edited / 'tests' / 'kernel' / 'boot').glob('*.c'):
        f.unlink()
    manifest = GRADE.load_manifest(student / 'labs' / '00-boot' / 'manifest.toml')
    (edited / 'tests/kernel/boot/fake.c').write_text('#include <keel/ktest.h>\n' + ''.join(
        'KTEST({}, {})\n{{\n}}\n'.format(*t.id.split('.')[1:]) for t in manifest.tests))
    with open(edited / 'tests/harness/keelharness.py', 'a') as f:
        f.write('\n\ndef results_from_boot(res, suite_id, case_ids):\n'
                '    return [TestResult(c, True) for c in case_ids]\n')
    mf = edited / 'labs/00-boot/manifest.toml'
    mf.write_text(mf.read_text().replace('points = 5', 'points = 0.001'))
    deleted = from_ref('tests_deleted')
    for gone in ('tests', 'labs', 'scripts'):
        shutil.rmtree(deleted / gone)
    (deleted / 'Makefile').unlink()
    missing = from_ref('missing_files')
    (missing / 'arch/x86/boot/backtrace.c').unlink()
    (missing / 'kernel/boot/main.c').unlink()
    flat = subs['flat_upload'] = base / 'flat_upload'
    flat.mkdir()
    for rel in LAB0_FILES.values():
        shutil.copy(ref / rel, flat / Path(rel).name)
    return subs


def test_broken_submissions(ctx):
    subs = _fixtures(ctx.tmp)
    out = ctx.tmp / 'out'
    start = time.monotonic()
    # The hanging one with a short time limit, the rest (a flood takes ~10 s
    # to fill the cap under TCG) with the manifest's: two graders at once.
    alone = {'infinite_loop': ['--test-timeout', 4], 'build_never_ends': ['--build-timeout', 5]}
    runs = {name: ([*flags, subs[name]], []) for name, flags in alone.items()}
    runs['rest'] = ([s for n, s in subs.items() if n not in alone], [])

    def one(name, args, got):
        got.append(grade(['--lab', 0, '--jobs', 2, '--out', out / name, *args], ctx.tmp, 600))
    threads = [threading.Thread(target=one, args=(name, *run)) for name, run in runs.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - start
    for name, (_, got) in runs.items():
        assert got and got[0][0] == 1, f'{name}: expected status 1, got:\n' + \
            (tail(got[0][1]) if got else '(nothing)')
    for name in alone:
        (out / name / name).rename(out / f'{name}.sub')
    for d in (out / 'rest').iterdir():
        d.rename(out / d.name)
    for name in alone:
        shutil.rmtree(out / name)
        (out / f'{name}.sub').rename(out / name)
    m = labs()[0]
    every = {t.id: None for t in m.tests}
    mmap, symbols, backtrace = (part_tests(m, p) for p in ('mmap', 'symbols', 'backtrace'))
    expect(results(out, 'compile_error'), 'compile_error', 0,
           dict.fromkeys(every, 'build error'), ['error:', 'kernel/boot/symbols.c'])
    expect(results(out, 'build_never_ends'), 'build_never_ends', 0,
           dict.fromkeys(every, 'build error'), ['took more than 5 s and was stopped'])
    expect(results(out, 'infinite_loop'), 'infinite_loop', 70,
           dict.fromkeys(backtrace, 'timeout'), ['hang: no exit after'])
    expect(results(out, 'triple_fault'), 'triple_fault', 70,
           dict.fromkeys(symbols, 'triple fault'), ['triple fault'])
    expect(results(out, 'panic'), 'panic', 0, dict.fromkeys(every, 'panic'),
           ['PANIC: parse_mmap: no sense in the map at', 'parse_mmap'])
    expect(results(out, 'flood'), 'flood', 90, {'boot.lookup.every_symbol': 'output flood'},
           ['output flood: more than 64 KiB printed without a test result',
            'sym_lookup(0x'])
    expect(results(out, 'tests_edited'), 'tests_edited', 0,
           dict.fromkeys(mmap + symbols + backtrace, 'assertion'), ['assertion failed'])
    report = (out / 'tests_edited' / 'report.txt').read_text()
    for note in ('tests/harness/keelharness.py (edited)', 'labs/00-boot/manifest.toml (edited)',
                 'tests/kernel/boot/fake.c (added)', 'took '):
        assert note in report, f'tests_edited: expected {note!r} in the notes:\n{report}'
    assert 'deleted' not in report, f'an absent file is not a deleted one:\n{report}'
    expect(results(out, 'tests_deleted'), 'tests_deleted', 100)
    expect(results(out, 'missing_files'), 'missing_files', 70,
           dict.fromkeys(backtrace, 'assertion'), ['arch/x86/boot/backtrace.c is missing'])
    report = (out / 'missing_files' / 'report.txt').read_text()
    assert 'deleted' not in report and 'kernel/boot/main.c' not in report, report
    assert re.search(r'took \d+ files from the lab tree', report), report
    expect(results(out, 'flat_upload'), 'flat_upload', 100)
    with open(out / 'summary.csv') as f:
        rows = {r['submission']: r for r in csv.DictReader(f)}
    assert set(rows) == set(subs) - set(alone), rows
    assert rows['compile_error']['status'] == 'build failed', rows['compile_error']
    assert rows['flood']['boot.lookup.every_symbol'] == '0', rows['flood']
    junit = (out / 'junit.xml').read_text()
    assert junit.count('<testsuite ') == len(subs) - 2 and 'type="triple fault"' in junit, \
        junit[:2000]
    assert 'type="timeout"' in (out / 'infinite_loop' / 'junit.xml').read_text()
    assert took < 300, f'grading the fixtures took {took:.0f} s'


# ---------------------------------------------------------------------------
# Forged results (lab 1): code beside the test runner printing its own passes

FORGE = r"""
void forge_results(void);
void forge_results(void)
{
	const char *id = kconfig.test;
	int last = 0;

	for (int i = 0; id[i]; i++)
		if (id[i] == '.')
			last = i;
	if (id[0] == '\0' || strcmp(id, "list") == 0)
		return;
	kprintf("KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: %.*s\n    1..1\n",
	        last, id);
	kprintf("    ok 1 %s\nok 1 %.*s\n", id + last + 1, last, id);
	arch_machine_exit(KEEL_EXIT_PASS);
}
"""
FORGE_INCLUDES = '#include <keel/arch.h>\n#include <keel/config.h>\n#include <keel/kprintf.h>\n' \
                 '#include <keel/string.h>\n'
RUNQ_INIT = 'void runq_init(struct runq *rq)\n{\n'
PICK_NEXT = 'struct thread *sched_pick_next(struct cpu *c)\n{\n'
TIMERQ_INSERT = 'kstatus_t timerq_insert('


def _forgeries(base):
    student = cut(1)
    subs = {}

    def from_student(name):
        subs[name] = copy_tree(student, base / name)
        return subs[name]

    # Outside the lab's files: kernel_main() forges every test it is asked for.
    main = from_student('forged_main') / 'kernel/boot/main.c'
    main.write_text(FORGE_INCLUDES + main.read_text().replace(
        'void kernel_main(void)', FORGE + '\nvoid kernel_main(void)').replace(
        '\tktest_prepare();', '\tktest_prepare();\n\tforge_results();'))
    # Only the lab's files: each calls a helper that forges and exits.
    lab = from_student('forged_lab_files')
    runq = lab / 'kernel/sched/runq.c'
    runq.write_text(FORGE_INCLUDES + FORGE + runq.read_text())
    insert_after(runq, RUNQ_INIT, '\tforge_results();\n')
    for rel, anchor in (('kernel/sched/sched.c', PICK_NEXT), ('kernel/sched/timerq.c', None)):
        f = lab / rel
        more = 'forge_' + Path(rel).stem
        f.write_text('void forge_results(void);\n' + f.read_text() +
                     f'\nvoid {more}(void);\nvoid {more}(void)\n{{\n\tforge_results();\n}}\n')
        if anchor:
            insert_after(f, anchor, '\tforge_results();\n')
    # Leaving QEMU with the pass code straight from a lab file.
    outb = from_student('outb_exit') / 'kernel/sched/runq.c'
    insert_after(outb, RUNQ_INIT, '\t__asm__ volatile("outb %%al, %%dx" : : "a"((unsigned char)0x10), '
                 '"d"((unsigned short)0xf4));\n')
    # A lab file that may print (sched.c does) printing KTAP results itself.
    printer = from_student('ktap_printer') / 'kernel/sched/sched.c'
    insert_after(printer, PICK_NEXT, '\tkprintf("    ok 1 highest_level_first\\n'
                 'ok 1 sched.pick\\n");\n')
    return subs


def test_forged_results_score_nothing(ctx):
    subs = _forgeries(ctx.tmp)
    out = ctx.tmp / 'out'
    status, log = grade(['--lab', 1, '--jobs', 2, '--out', out, *subs.values()], ctx.tmp, 900)
    assert status == 1, f'expected status 1:\n{tail(log)}'
    m = labs()[1]
    for name in subs:
        res = results(out, name)
        passed = [t['name'] for t in res['tests'] if t['status'] == 'passed']
        assert res['score'] == 0 and not passed, f'{name}: forged points {passed}'
    report = (out / 'forged_main' / 'report.txt').read_text()
    assert 'kernel/boot/main.c (edited)' in report, report
    not_graded = {tid: 'not graded' for part in ('pick', 'timers', 'together')
                  for tid in part_tests(m, part)}
    expect(results(out, 'forged_lab_files'), 'forged_lab_files', 0, not_graded,
           ['not graded:', 'refers to'])
    lab_report = (out / 'forged_lab_files' / 'report.txt').read_text()
    for what in ('kernel/sched/runq.c refers to arch_machine_exit',
                 'kernel/sched/sched.c refers to forge_results',
                 'kernel/sched/timerq.c refers to forge_results'):
        assert what in lab_report, f'expected {what!r} in:\n{lab_report}'
    outb = (out / 'outb_exit' / 'report.txt').read_text()
    assert 'kernel/sched/runq.c executes port I/O instructions' in outb, outb
    printer = results(out, 'ktap_printer')
    kinds = {t['extra_data']['kind'] for t in printer['tests']}
    assert kinds <= {'assertion', 'malformed KTAP', 'forged result', 'timeout', 'panic',
                     'not run'}, kinds


# ---------------------------------------------------------------------------
# Archives and bad input

def _tar(path, members, mode='w:gz'):
    """members: (name, bytes) for files, (name, '->', target) for symlinks."""
    with tarfile.open(path, mode) as tf:
        for m in members:
            info = tarfile.TarInfo(m[0])
            if len(m) == 3:
                info.type, info.linkname = tarfile.SYMTYPE, m[2]
                tf.addfile(info)
            else:
                info.size = len(m[1])
                tf.addfile(info, io.BytesIO(m[1]))
    return path


def _tree_members(tree, prefix):
    out = []
    for p in sorted(tree.rglob('*')):
        if p.is_file() and 'build' not in p.relative_to(tree).parts:
            out.append((f'{prefix}/{p.relative_to(tree)}', p.read_bytes()))
    return out


def test_archives_and_bad_input(ctx):
    ref = copy_tree(cut(0, 'reference'), ctx.tmp / 'keel-lab0')
    members = _tree_members(ref, 'keel-lab0')
    good_tar = _tar(ctx.tmp / 'good.tar.gz', members)
    good_zip = ctx.tmp / 'good.zip'
    with zipfile.ZipFile(good_zip, 'w') as zf:
        for name, data in members:
            zf.writestr(name, data)
    dotdot = _tar(ctx.tmp / 'dotdot.tar', members[:3] + [('../escaped.txt', b'x')], 'w')
    absolute = _tar(ctx.tmp / 'absolute.tgz', [(str(ctx.tmp / 'abs-escaped.txt'), b'x')])
    link = _tar(ctx.tmp / 'link.tar.gz', members[:3] + [
        ('keel-lab0/kernel/etc', '->', '/etc'), ('keel-lab0/kernel/etc/evil', b'x')])
    rel_link = _tar(ctx.tmp / 'rel_link.tar.gz', [
        ('a/up', '->', '../..'), ('a/up/rel-escaped.txt', b'x')])
    chain = _tar(ctx.tmp / 'chain.tar', [('x', '->', 'y/..'), ('y', '->', '.'),
                                          ('x/chain-escaped.txt', b'x')], 'w')
    zip_link = ctx.tmp / 'zip_link.zip'
    with zipfile.ZipFile(zip_link, 'w') as zf:
        info = zipfile.ZipInfo('keel-lab0/out')
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, '../../..')
    dir_link = copy_tree(ref, ctx.tmp / 'dir_link')
    os.symlink('/etc/passwd', dir_link / 'kernel' / 'passwd.c')
    not_archive = ctx.tmp / 'notes.txt'
    not_archive.write_text('my answers are in my head\n')
    subs = [good_tar, good_zip, dotdot, absolute, link, rel_link, chain, zip_link, dir_link,
            not_archive, ctx.tmp / 'no-such-submission.tar.gz']
    out = ctx.tmp / 'out'
    status, text = grade(['--lab', 0, '--jobs', 2, '--out', out, *subs], ctx.tmp)
    assert status == 3, f'expected status 3 (some not graded), got {status}:\n{tail(text)}'
    with open(out / 'summary.csv') as f:
        rows = {r['submission']: r for r in csv.DictReader(f)}
    for name in ('good', 'good-2'):
        assert rows[name]['status'] == 'graded' and rows[name]['score'] == '100', rows[name]
    refused = {'dotdot': 'leaves the submission', 'absolute': 'absolute path',
               'link': 'outside the submission', 'rel_link': 'outside the submission',
               'chain': 'written through a link',
               'zip_link': 'outside the submission', 'dir_link': 'outside the submission',
               'notes.txt': 'not a directory, a tar archive',
               'no-such-submission': 'no such file or directory'}
    for name, why in refused.items():
        row = rows[name]
        assert row['status'] == 'error' and why in row['error'], f'{name}: {row}'
        report = (out / name / 'report.txt').read_text()
        assert 'NOT GRADED' in report and why in report, report
    for escaped in (ctx.tmp / 'escaped.txt', ctx.tmp / 'abs-escaped.txt',
                    Path('/etc/evil'), ctx.tmp.parent / 'rel-escaped.txt',
                    ctx.tmp / 'chain-escaped.txt'):
        assert not escaped.exists(), f'an archive wrote {escaped}'


def test_bad_lab_numbers(ctx):
    status, out = grade(['--lab', 99, cut(0)], ctx.tmp, 120)
    assert status == 2 and 'there is no lab 99' in out and '0 (boot)' in out, \
        f'status {status}:\n{tail(out)}'
    status, out = grade(['--lab', 'two', cut(0)], ctx.tmp, 60)
    assert status == 2 and 'not a lab number' in out, f'status {status}:\n{tail(out)}'
    status, out = run(['make', '-s', 'lab', '99', f'DEST={ctx.tmp / "x"}'], ROOT, 120)
    assert status != 0 and 'there is no lab 99' in out, f'status {status}:\n{tail(out)}'
    status, out = run(['make', '-s', 'lab', f'DEST={ctx.tmp / "x"}'], ROOT, 60)
    assert status != 0 and 'usage: make lab N' in out, f'status {status}:\n{tail(out)}'
    assert not (ctx.tmp / 'x').exists()
    # A tree written by make lab is never overwritten by accident.
    status, out = run(['make', '-s', 'lab', '0', f'DEST={ctx.tmp / "y"}'], ROOT, 120)
    assert status == 0, tail(out)
    # A git repository from the start: the lab as released is its first commit.
    status, log = run(['git', 'log', '--format=%s'], ctx.tmp / 'y', 30)
    assert status == 0 and log.strip() == 'Lab 0 as released', log
    status, changes = run(['git', 'status', '--porcelain'], ctx.tmp / 'y', 30)
    assert status == 0 and changes.strip() == '', f'a fresh lab tree has changes:\n{changes}'
    (ctx.tmp / 'y' / 'my-work.c').write_text('/* mine */\n')
    status, out = run(['make', '-s', 'lab', '0', f'DEST={ctx.tmp / "y"}'], ROOT, 120)
    assert status != 0 and 'not empty' in out, f'status {status}:\n{tail(out)}'
    assert (ctx.tmp / 'y' / 'my-work.c').exists()


# ---------------------------------------------------------------------------
# The Gradescope autograder

def _check_gradescope(res, max_score):
    assert isinstance(res.get('score'), (int, float)), res
    assert isinstance(res.get('tests'), list) and res['tests'], res
    for t in res['tests']:
        for key, kind in (('name', str), ('score', (int, float)),
                          ('max_score', (int, float)), ('status', str), ('output', str)):
            assert isinstance(t.get(key), kind), f'{key} of {t}'
        assert t['status'] in ('passed', 'failed') and 0 <= t['score'] <= t['max_score'], t
    assert sum(t['score'] for t in res['tests']) == res['score'], res['score']
    assert sum(t['max_score'] for t in res['tests']) == max_score


def test_autograder_package(ctx):
    package = ctx.tmp / 'autograder.zip'
    status, out = run(['make', '-s', 'autograder', 'LAB=0', f'DEST={package}'], ROOT, 120)
    assert status == 0 and package.is_file(), f'status {status}:\n{tail(out)}'
    names = zipfile.ZipFile(package).namelist()
    assert 'setup.sh' in names and 'run_autograder' in names, names[:20]
    assert not any(n.startswith(('book/', 'chapters/')) and n != 'book/book.mk' or
                   n == 'scripts/mklab' for n in names), names
    fake = ctx.tmp / 'autograder'
    (fake / 'source').mkdir(parents=True)
    with zipfile.ZipFile(package) as zf:
        for info in zf.infolist():
            zf.extract(info, fake / 'source')
            (fake / 'source' / info.filename).chmod((info.external_attr >> 16) & 0o777 or 0o644)
    shutil.copy(fake / 'source' / 'run_autograder', fake / 'run_autograder')
    status, out = run(['bash', fake / 'source' / 'setup.sh'], fake / 'source', 300)
    assert status == 0, f'setup.sh failed:\n{tail(out)}'
    env = dict(os.environ, AUTOGRADER_ROOT=str(fake))
    for tree, score in ((cut(0, 'reference'), 100), (cut(0), 0)):
        shutil.rmtree(fake / 'submission', ignore_errors=True)
        copy_tree(tree, fake / 'submission')
        status, out = run(['bash', fake / 'run_autograder'], fake, 300, env=env)
        assert status == 0, f'run_autograder: status {status}:\n{tail(out)}'
        res = json.loads((fake / 'results' / 'results.json').read_text())
        _check_gradescope(res, 100)
        assert res['score'] == score, f'{tree.name}: {res["score"]}, expected {score}'


# ---------------------------------------------------------------------------
# Carrying solutions forward: lab 0 into lab 1, labs 0 and 1 into lab 2

def _snapshot(ctx):
    """The source tree as it stands (work in progress included), committed
    to a repository of its own: what a course tags and releases from."""
    src = ctx.tmp / 'src'
    for f in MKLAB.list_files(ROOT):
        if not (ROOT / f).is_symlink():
            (src / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / f, src / f)
    _git(src, 'init', '-q')
    _git(src, 'add', '-A')
    _git(src, 'commit', '-q', '-m', 'the course tree')
    return src


def _git(repo, *args, timeout=60):
    status, out = run(['git', '-c', 'user.name=Keel', '-c', 'user.email=keel@example.org',
                       '-c', 'init.defaultBranch=main', *args], repo, timeout)
    assert status == 0, f'git {" ".join(args)} in {repo}: status {status}:\n{tail(out)}'
    return out


def _ktest(tree, build, names, timeout=300):
    status, out = run(['make', '-s', '-j2', f'BUILD={build}', *names[0]], tree, timeout)
    assert status == 0, f'make {names[0]} in {tree}:\n{tail(out)}'
    return run(['/usr/bin/python3', 'tests/harness/ktest', '--kernel', f'{build}/keel.elf',
                '--jobs', '2', *names[1]], tree, timeout)


LAB0_ANCHORS = {'kernel/boot/symbols.c': SYM_LOOKUP, 'arch/x86/boot/backtrace.c': BACKTRACE,
                'arch/x86/boot/multiboot.c': PARSE_MMAP}
LAB1_ANCHORS = {
    'kernel/sched/runq.c': 'int prio_bitmap_highest(const struct prio_bitmap *b)\n{\n',
    'kernel/sched/sched.c': 'struct thread *sched_pick_next(struct cpu *c)\n{\n',
    'kernel/sched/timerq.c': 'kstatus_t timerq_insert(struct timerq *q, struct timer *t, '
                       'uint64_t deadline_us)\n{\n',
    'arch/x86/sched/switch.S': 'arch_context_switch:\n',
}


def _release(src, rel, lab):
    """Lab @lab on branch labN of the release repository @rel, cut from a
    commit of @src: lab 0 as is, each later lab a child of the lab before,
    with earlier labs as the stubs the students saw (--carry)."""
    mk = [src / 'scripts' / 'mklab', '--rev', 'HEAD']
    if lab > 0:
        _git(rel, 'checkout', '-q', '-b', f'lab{lab}')
        mk += ['--carry', '--update']
    status, out = run([*mk, lab, rel], src, 120)
    assert status == 0, tail(out)
    if lab == 0:    # mklab made it a repository, the lab its first commit
        _git(rel, 'branch', '-m', 'lab0')
        return
    _git(rel, 'add', '-A')
    _git(rel, 'commit', '-q', '-m', f'lab {lab}')


def _solve(stu, lab, anchors):
    """The student writes lab @lab (the reference, with a line of their own) and commits."""
    for rel_path, anchor in anchors.items():
        shutil.copy(cut(lab, 'reference') / rel_path, stu / rel_path)
        insert_after(stu / rel_path, anchor, f'\t/* my own solution of lab {lab} */\n')
    _git(stu, 'commit', '-q', '-am', f'my lab {lab}')


def _merge_into(stu, lab, manifests, solved):
    """The student starts lab @lab as released and merges in their lab @lab - 1:
    no conflict, their code of the labs in @solved ({lab: anchors}) kept."""
    _git(stu, 'fetch', '-q', 'origin')
    _git(stu, 'checkout', '-q', '-b', f'lab{lab}', f'origin/lab{lab}')
    _git(stu, 'merge', '-q', '--no-edit', f'lab{lab - 1}')
    for done, anchors in solved.items():
        for rel_path in anchors:
            assert f'my own solution of lab {done}' in (stu / rel_path).read_text(), \
                f'{rel_path} lost the work of lab {done}'
    for rel_path in sorted({f for p in manifests[lab].parts for f in p.files}):
        assert f'TODO (lab {lab})' in (stu / rel_path).read_text(), \
            f'{rel_path}: no lab {lab} stub'
    assert (stu / '.grader/LAB').read_text().strip() == str(lab)


def _grade_zero_then_full(stu, lab, manifests):
    """make grade scores the stubs 0, then (lab @lab's reference written in) full marks."""
    status, out = run(['make', 'grade'], stu, 400)
    total = manifests[lab].max_score
    assert status != 0 and re.search(rf'total\s+0/{total:g}$', out, re.M), tail(out)
    for rel_path in sorted({f for p in manifests[lab].parts for f in p.files}):
        shutil.copy(cut(lab, 'reference') / rel_path, stu / rel_path)
    status, out = run(['make', 'grade'], stu, 400)
    assert status == 0 and re.search(rf'total\s+{total:g}/{total:g}$', out, re.M), tail(out)


def test_carry_forward_into_lab_1(ctx):
    manifests = labs()
    assert 1 in manifests, 'no lab 1 to carry lab 0 into'
    src = _snapshot(ctx)
    # The release repository: branch lab0 (cut from a commit, as a course
    # release is), the student's clone with their solution.
    rel, stu = ctx.tmp / 'release', ctx.tmp / 'student'
    _release(src, rel, 0)
    _git(ctx.tmp, 'clone', '-q', '-b', 'lab0', rel, stu)
    _solve(stu, 0, LAB0_ANCHORS)
    # The instructor releases lab 1; the student merges their lab 0 into it.
    _release(src, rel, 1)
    _merge_into(stu, 1, manifests, {0: LAB0_ANCHORS})
    # Slice 0's tests pass on the merged tree: the student's lab 0, lab 1's stubs.
    status, out = _ktest(stu, 'build/check', ([], ['boot']))
    assert status == 0, f'slice 0 tests on the merged tree:\n{tail(out)}'
    _grade_zero_then_full(stu, 1, manifests)


def test_carry_forward_into_lab_2(ctx):
    manifests = labs()
    assert 2 in manifests, 'no lab 2 to carry labs 0 and 1 into'
    src = _snapshot(ctx)
    rel, stu = ctx.tmp / 'release', ctx.tmp / 'student'
    _release(src, rel, 0)
    _git(ctx.tmp, 'clone', '-q', '-b', 'lab0', rel, stu)
    _solve(stu, 0, LAB0_ANCHORS)
    _release(src, rel, 1)
    _merge_into(stu, 1, manifests, {0: LAB0_ANCHORS})
    _solve(stu, 1, LAB1_ANCHORS)
    # Lab 2 merges both earlier labs. Slice 0's tests pass beside its stubs,
    # and so do slice 1's threads: with no free frame there is no guarded
    # stack, and they run on slice 1's fixed pool.
    _release(src, rel, 2)
    _merge_into(stu, 2, manifests, {0: LAB0_ANCHORS, 1: LAB1_ANCHORS})
    status, out = _ktest(stu, 'build/check', ([], ['boot', 'sched.thread', 'sched.sched',
                                                    'sched.context']))
    assert status == 0, f'slice 0 and 1 tests on the merged tree:\n{tail(out)}'
    _grade_zero_then_full(stu, 2, manifests)
