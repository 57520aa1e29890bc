"""test_book - the book builds, quotes the exact code, and fails on drift.

`make book` must build the HTML book with no warning at all (Sphinx runs
with -n -W --keep-going), self-contained, with every listing captioned
with its file, its real lines and the commit, and linked to that file.
The guard against drift is proved on copies of the tree: a renamed
function, a removed anchor, an anchor that never closes, a quoted file
that does not exist and an undocumented public function must each fail
the build with a message that names the chapter, its line and the
missing thing; so must a character that LaTeX (make book-pdf) cannot
typeset, checked without TeX. Samples of console output marked
`.. keel-sample: make run` must be what `make run` shows (see "Samples
of output" below).

Builds write into ctx.tmp (BOOK_BUILD=...), never into the tree, so these
tests run in parallel with any other. The failing builds use
`make book-check` (Sphinx's dummy builder: every check, no HTML).
"""

import atexit
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pexpect

SLICE = 'boot'

TIMEOUT = 300       # seconds for one build; a clean build takes a few
CHAPTER = 'chapters/00-booting.rst'

# Tags whose src/href/data would make the browser fetch something.
RESOURCE_RE = re.compile(
    r'<(?:script|link|img|iframe|object|embed|source|audio|video)\b[^>]*?'
    r'\b(?:src|href|data)\s*=\s*["\']?(?:https?:)?//', re.I)
CSS_URL_RE = re.compile(r'(?:url\(\s*["\']?(?:https?:)?//|@import\s+["\']?(?:url\()?\s*'
                        r'["\']?(?:https?:)?//)', re.I)


# ---------------------------------------------------------------------------
# Helpers


def run(cmd, cwd, env=None, timeout=TIMEOUT):
    """Run a command; return (status, stdout and stderr together)."""
    full_env = dict(os.environ, **(env or {}))
    try:
        p = subprocess.run(cmd, cwd=str(cwd), env=full_env, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return -1, f'timed out after {timeout} s\n{e.stdout or ""}{e.stderr or ""}'
    return p.returncode, p.stdout + p.stderr


def tail(text, lines=30):
    """The last lines of some output, indented, for a failure message."""
    last = text.rstrip('\n').splitlines()[-lines:]
    return '\n'.join('    | ' + line for line in last) or '    | (no output)'


def copy_tree(ctx):
    """A copy of the source tree (tracked and untracked files, no build/)."""
    tree = ctx.tmp / 'copy'
    files = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard'], cwd=ctx.root,
                           capture_output=True, text=True, check=True).stdout.split('\n')
    for name in filter(None, files):
        src = ctx.root / name
        if src.is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, tree / name)
    return tree


def edit(path, old, new, count=1):
    """Replace `old` by `new` in a file of a copied tree; `old` must be there."""
    text = path.read_text()
    assert text.count(old) >= count, f'test setup: {old!r} not found in {path}'
    path.write_text(text.replace(old, new, count))


def line_of(path, needle):
    """The 1-based number of the first line of `path` that contains `needle`."""
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f'test setup: {needle!r} not in {path}')


def book_check(tree):
    """`make book-check` in a copied tree; returns (status, output)."""
    return run(['make', '-s', '--no-print-directory', 'book-check'], tree)


def expect_failure(status, out, *needles):
    """The build must fail and its output must contain every needle."""
    assert status != 0, f'expected the book build to fail, but it passed:\n{tail(out)}'
    missing = [n for n in needles if n not in out]
    assert not missing, (f'expected the failure to mention {missing}, saw:\n{tail(out)}')


def text_of(fragment):
    """The text of an HTML fragment: tags removed, entities decoded."""
    return html.unescape(re.sub(r'<[^>]+>', '', fragment))


def listings(page):
    """Every quotation in an HTML page: (caption text, link, code text)."""
    found = []
    for m in re.finditer(r'<div class="literal-block-wrapper keel-quote[^"]*"[^>]*>(.*?)'
                         r'<pre>(.*?)</pre>', page, re.S):
        caption_html, code = m.group(1), m.group(2)
        link = re.search(r'<a class="[^"]*keel-source-link[^"]*" href="([^"]*)"', caption_html)
        found.append((' '.join(text_of(caption_html).split()), link.group(1) if link else None,
                      text_of(code)))
    return found


LAB_LINE = re.compile(r'^\s*/\*\s*LAB\s+\d+\s*:.*\*/\s*$')
LAB_STUB = re.compile(r'^\s*/\*\s*LAB\s+\d+\s+STUB\b')
LAB_END = re.compile(r'LAB\s+\d+\s+END\s*\*/')


def without_lab_markers(lines):
    """The lines a listing must show: lab marker lines and stub comments dropped."""
    kept, in_stub = [], False
    for line in lines:
        if in_stub:
            in_stub = not LAB_END.search(line)
        elif LAB_STUB.match(line):
            in_stub = not LAB_END.search(line)
        elif not LAB_LINE.match(line):
            kept.append(line)
    return kept


def significant(lines):
    """Lines compared between a listing and its file: blanks dropped, spacing normalised."""
    return [' '.join(ln.split()) for ln in lines if ln.strip()]


_shared = {'lock': threading.Lock(), 'site': None, 'error': None}


def shared_book(ctx):
    """The HTML book built once from the tree, for the tests that only read it.

    Once per process (each pytest-xdist worker is one): the first caller
    builds into a directory of its own (removed at exit), the others wait
    for it.
    """
    with _shared['lock']:
        if _shared['site'] is None and _shared['error'] is None:
            out = tempfile.mkdtemp(prefix='keel-book-')
            atexit.register(shutil.rmtree, out, True)
            try:
                build_html(ctx, out)
                _shared['site'] = os.path.join(out, 'html')
            except AssertionError as e:
                _shared['error'] = str(e)
        if _shared['error']:
            raise AssertionError(_shared['error'])
        return Path(_shared['site'])


def build_html(ctx, out, env=None, tree=None):
    """`make book` into `out`; returns the output, after checking it passed cleanly."""
    status, text = run(['make', '-s', '--no-print-directory', 'book', f'BOOK_BUILD={out}'],
                       tree or ctx.root, env=env)
    assert status == 0, f'make book failed (status {status}):\n{tail(text, 60)}'
    noise = [ln for ln in text.splitlines()
             if 'WARNING' in ln or 'ERROR' in ln or 'warning:' in ln]
    assert not noise, 'expected a build without warnings, saw:\n' + '\n'.join(noise[:20])
    return text


# ---------------------------------------------------------------------------
# The book as built from the tree


def test_builds_clean_and_quotes_exact_code(ctx):
    site = shared_book(ctx)
    chapter = (site / '00-booting.html').read_text()
    found = listings(chapter)
    assert len(found) >= 20, f'expected chapter 0 to quote the code often, found {len(found)}'

    head = run(['git', 'rev-parse', 'HEAD'], ctx.root)[1].strip()[:12]
    dirty = bool(run(['git', 'status', '--porcelain'], ctx.root)[1].strip())
    commit = head + ('+dirty' if dirty else '')
    caption_re = re.compile(r'(?P<path>[\w./-]+), lines? (?P<first>\d+)(?:\u2013(?P<last>\d+))?, '
                            r'at commit (?P<commit>[^\s\u00b6]+)')
    for caption, link, code in found:
        m = caption_re.search(caption)
        assert m, f'expected a caption naming file, lines and commit, saw: {caption!r}'
        path, first = m.group('path'), int(m.group('first'))
        last = int(m.group('last') or first)
        assert m.group('commit') == commit, \
            f'expected commit {commit} in caption {caption!r}'
        assert link == f'_source/{path}.html#L-{first}', \
            f'expected caption {caption!r} to link to _source/{path}.html#L-{first}, saw {link}'
        page = site / '_source' / f'{path}.html'
        assert page.is_file() and f'id="L-{first}"' in page.read_text(), \
            f'expected {page} with a line anchor L-{first}'
        lines = (ctx.root / path).read_text().splitlines()[first - 1:last]
        want = significant(without_lab_markers(lines))
        got = significant(code.splitlines())
        assert got == want, (f'expected the listing "{caption}" to be lines {first}-{last} of '
                             f'{path} without lab markers;\nlisting: {got[:6]}...\n'
                             f'file:    {want[:6]}...')


def test_numbers_restart_in_each_chapter(ctx):
    # Listing 2.14 is the 14th listing of chapter 2; figures likewise.
    site = shared_book(ctx)
    for page, chapter in (('00-booting', 0), ('01-traps-time-scheduler', 1), ('02-memory', 2)):
        text = (site / f'{page}.html').read_text()
        for kind in ('Listing', 'Figure'):
            numbers = re.findall(rf'<span class="caption-number">{kind} ([\d.]+) </span>', text)
            want = [f'{chapter}.{i}' for i in range(1, len(numbers) + 1)]
            assert numbers and numbers == want, \
                f'expected {page} to number its {kind.lower()}s {want[:3]}..., saw {numbers[:5]}'
        refs = re.findall(r'<span class="std std-numref">(\w+) ([\d.]+)</span>', text)
        wrong = [f'{k} {n}' for k, n in refs if not re.fullmatch(r'\d+\.\d+', n)]
        assert refs and not wrong, f'expected {page}\'s references to say C.N, saw {wrong}'


def test_html_is_self_contained(ctx):
    site = shared_book(ctx)
    offenders = []
    for path in site.rglob('*'):
        if path.suffix not in ('.html', '.css', '.js') or not path.is_file():
            continue
        text = path.read_text(errors='replace')
        for regex in (RESOURCE_RE, CSS_URL_RE):
            m = regex.search(text)
            if m:
                offenders.append(f'{path.relative_to(site)}: {text[m.start():m.end() + 60]!r}')
    assert not offenders, 'expected no resource fetched from the network:\n' + \
        '\n'.join(offenders[:10])
    chapter = (site / '00-booting.html').read_text()
    svgs = re.findall(r'(?:data|src)="(_images/graphviz-[0-9a-f]+\.svg)"', chapter)
    assert len(set(svgs)) >= 2, f'expected at least two Graphviz SVG diagrams, saw {svgs}'
    for svg in svgs:
        assert '<svg' in (site / svg).read_text(), f'expected {svg} to be an SVG drawing'
    index = (site / 'searchindex.js').read_text()
    assert 'multiboot' in index, 'expected the search index to know the word "multiboot"'
    assert 'href="api.html#c.kprintf"' in chapter, \
        'expected chapter 0 to link kprintf to the API reference'


def test_api_reference_covers_every_header(ctx):
    api = (shared_book(ctx) / 'api.html').read_text()
    headers = sorted(p.name for p in (ctx.root / 'kernel/include/keel').glob('*.h'))
    missing = [h for h in headers if f'&lt;keel/{h}&gt;' not in api]
    assert not missing, f'expected a section of the API reference for {missing}'
    for fn in ('kernel_main', 'console_register', 'config_parse', 'sym_lookup'):
        assert f'id="c.{fn}"' in api, f'expected the API reference to document {fn}()'
    assert 'KEEL_ERR_NO_MEMORY' in api, 'expected console_register()\'s errors in its contract'


def test_doxygen_html_alone(ctx):
    out = ctx.tmp / 'book'
    status, text = run(['make', '-s', '--no-print-directory', 'docs', f'BOOK_BUILD={out}'],
                       ctx.root)
    assert status == 0, f'make docs failed:\n{tail(text)}'
    index = out / 'doxygen' / 'html' / 'index.html'
    assert index.is_file(), f'expected the Doxygen HTML at {index}'


# ---------------------------------------------------------------------------
# Drift: each change below must fail the build, naming what broke


def test_drift_of_every_kind(ctx):
    """Four kinds of drift in one tree, one book check (each costs a build):
    a renamed function, a removed anchor, an anchor that never closes, a
    missing file and a misspelt symbol; the check reports each at its line."""
    tree = copy_tree(ctx)
    for path in list(tree.glob('kernel/**/*.[ch]')) + list(tree.glob('arch/**/*.[chS]')):
        text = path.read_text()
        if re.search(r'\bkernel_main\b', text):
            path.write_text(re.sub(r'\bkernel_main\b', 'kernel_begin', text))
    edit(tree / 'arch/x86/boot/boot.S', '/* [boot_pgdir] */\n', '', count=2)
    gdt = tree / 'arch/x86/boot/gdt.c'
    opening = line_of(gdt, '/* [gdt_init] */')
    text = gdt.read_text()
    closing = text.rindex('/* [gdt_init] */\n')
    gdt.write_text(text[:closing] + text[closing + len('/* [gdt_init] */\n'):])
    chapter = tree / CHAPTER
    lines = chapter.read_text().splitlines()
    lines += ['', '.. keel-anchor:: arch/x86/nonexistent.S start', '',
              '.. keel-symbol:: kernel_mian', '']
    chapter.write_text('\n'.join(lines) + '\n')
    status, out = book_check(tree)
    expect_failure(
        status, out,
        f"00-booting.rst:{line_of(chapter, '.. keel-symbol:: kernel_main')}:",
        "symbol 'kernel_main' not found",
        f"00-booting.rst:{line_of(chapter, '.. keel-anchor:: arch/x86/boot/boot.S boot_pgdir')}:",
        "anchor '[boot_pgdir]' not found in arch/x86/boot/boot.S",
        f"00-booting.rst:{line_of(chapter, '.. keel-anchor:: arch/x86/boot/gdt.c gdt_init')}:",
        f"anchor '[gdt_init]' opens at arch/x86/boot/gdt.c:{opening} but never closes",
        f"00-booting.rst:{line_of(chapter, 'nonexistent.S')}:",
        "file 'arch/x86/nonexistent.S' does not exist",
        f"00-booting.rst:{line_of(chapter, 'kernel_mian')}:", "symbol 'kernel_mian' not found")


def test_undocumented_public_function(ctx):
    tree = copy_tree(ctx)
    header = tree / 'kernel/include/keel/console.h'
    edit(header, '\n#endif', '\nvoid console_undocumented_probe(int x);\n\n#endif')
    line = line_of(header, 'console_undocumented_probe')
    status, out = run(['make', '-s', '--no-print-directory', 'docs'], tree)
    expect_failure(status, out, f'console.h:{line}:', 'console_undocumented_probe',
                   'is not documented')
    # The failed run must not leave XML that a later make takes for up to date.
    assert not (tree / 'build/book/doxygen/xml/index.xml').exists(), \
        'expected a failed Doxygen run to remove its output'


def test_character_latex_cannot_typeset(ctx):
    # pdflatex stops on a character its preamble does not declare; the
    # check catches it without TeX, in a chapter and in a lab handout.
    tree = copy_tree(ctx)
    chapter, handout = tree / 'chapters/02-memory.rst', tree / 'labs/01-sched/handout.rst'
    edit(chapter, 'Chapter 2: Memory\n=================\n',
         'Chapter 2: Memory\n=================\n\nA snowman: \u2603.\n')
    edit(handout, '---------------------------------\n',
         '---------------------------------\n\nAn undeclared check mark \u2714.\n')
    status, out = book_check(tree)
    expect_failure(status, out,
                   f'02-memory.rst:{line_of(chapter, "A snowman")}: WARNING: character U+2603 '
                   'SNOWMAN', f'handout.rst:{line_of(handout, "check mark")}: WARNING: '
                   'character U+2714', 'cannot be typeset by LaTeX')



# ---------------------------------------------------------------------------
# Samples of output: what the book says the kernel prints, it prints
#
# A literal block of console output is checked when a comment marks it:
#
#     .. keel-sample: make run CMDLINE=loglevel=2
#
#     .. code-block:: text
#
#        memory: 130559 KiB usable in 6 regions, kernel at 100000-10f760
#
# (the block may also follow a paragraph that ends with "::"). The test
# runs `make run` with that CMDLINE (none if left out), types at the
# prompt each command the sample shows after "keel> ", and requires every
# line of the sample to appear in that order in what the terminal showed.
# Any number (decimal, or hex with a digit) stands for any number, since
# addresses, sizes and times differ between builds and machines; runs of
# spaces stand for any spacing; a line "..." and the output the sample
# leaves out are skipped. Mark only output that the kernel prints the same
# way on every boot.

SAMPLE_MARK = re.compile(r'^\.\. keel-sample:\s*(.*?)\s*$')
SAMPLE_RUN = re.compile(r'^make run(?:\s+CMDLINE=(.*))?$')
PROMPT = 'keel> '
NUMBER = re.compile(r'(?<![0-9A-Za-z_])(0x)?(?=[0-9a-fA-F]*[0-9])[0-9a-fA-F]+(?![0-9A-Za-z_])')


def literal_after(lines, i):
    """The literal block after the marker on line index i: [(line number, text)] or None."""
    j = i + 1
    while j < len(lines) and not lines[j].strip():
        j += 1
    if j < len(lines) and lines[j].startswith('.. code-block::'):
        j += 1
        while j < len(lines) and lines[j].strip().startswith(':'):
            j += 1
    else:
        while j < len(lines) and lines[j].strip() and not lines[j].rstrip().endswith('::'):
            j += 1
        if j == len(lines) or not lines[j].strip():
            return None
        j += 1
    while j < len(lines) and not lines[j].strip():
        j += 1
    if j == len(lines) or not lines[j][:1].isspace():
        return None
    indent = len(lines[j]) - len(lines[j].lstrip())
    block = []
    while j < len(lines) and (not lines[j].strip() or lines[j][:indent].isspace()):
        block.append((j + 1, lines[j][indent:].rstrip()))
        j += 1
    return block


def book_samples(root):
    """Every marked sample: (file, marker's line, CMDLINE, [(line, text)]); or an error."""
    samples, errors = [], []
    for path in sorted(root.glob('chapters/*.rst')) + sorted(root.glob('labs/*/handout.rst')):
        lines = path.read_text().splitlines()
        for i, line in enumerate(lines):
            m = SAMPLE_MARK.match(line)
            if not m:
                continue
            where = f'{path.relative_to(root)}:{i + 1}'
            run_m = SAMPLE_RUN.match(m.group(1))
            block = literal_after(lines, i)
            if not run_m:
                errors.append(f'{where}: expected ".. keel-sample: make run [CMDLINE=...]", '
                              f'saw {line!r}')
            elif not block:
                errors.append(f'{where}: expected a literal block (".. code-block:: text" or '
                              f'"::") after the keel-sample mark')
            else:
                samples.append((where, run_m.group(1) or '', block))
    return samples, errors


def sample_pattern(line):
    """A regex for one line of a sample: any number for a number, any spacing for spaces."""
    parts, pos = [], 0
    for m in list(NUMBER.finditer(line)) + [None]:
        text = line[pos:m.start() if m else len(line)]
        parts += [r'\s+' if piece.isspace() else re.escape(piece)
                  for piece in re.split(r'(\s+)', text) if piece]
        if m:
            parts.append(re.escape(m.group(1) or '') + '[0-9a-fA-F]+')
            pos = m.end()
    return re.compile(''.join(parts))


def sample_mismatch(block, output):
    """The first (line, text) of a sample not found, in order, in output; None if all are."""
    seen = [ln.strip() for ln in output.splitlines()]
    k = 0
    for number, text in block:
        if not text.strip() or text.strip() == '...':
            continue
        pattern = sample_pattern(text.strip())
        while k < len(seen) and not pattern.fullmatch(seen[k]):
            k += 1
        if k == len(seen):
            return number, text
        k += 1
    return None


def console_transcript(ctx, cmdline, commands):
    """What `make run CMDLINE=...` shows up to the prompt, then after each command."""
    child = pexpect.spawn('make', ['-s', 'run', f'CMDLINE={cmdline}'], cwd=str(ctx.root),
                          encoding='utf-8', codec_errors='replace', timeout=60,
                          dimensions=(50, 200))

    def until_prompt():
        try:
            child.expect_exact(PROMPT)
        except (pexpect.TIMEOUT, pexpect.EOF):
            raise AssertionError(f'`make run CMDLINE={cmdline}` showed no {PROMPT!r}:\n'
                                 + tail((child.before or '').replace('\r', '')))
        return child.before.replace('\r', '')

    try:
        text = until_prompt()
        for command in commands:
            child.send(command + '\r')
            text += PROMPT + until_prompt()
        return text + PROMPT
    finally:
        child.close(force=True)


def test_samples_match_the_console(ctx):
    samples, errors = book_samples(ctx.root)
    assert not errors, '\n'.join(errors)
    assert len(samples) >= 5, f'expected the book to mark its console samples, found {samples}'
    failures = []
    for where, cmdline, block in samples:
        commands = [text[len(PROMPT):].strip() for _, text in block
                    if text.startswith(PROMPT) and text[len(PROMPT):].strip()]
        output = console_transcript(ctx, cmdline, commands)
        miss = sample_mismatch(block, output)
        if miss:
            path = where.rsplit(':', 1)[0]
            failures.append(f'{path}:{miss[0]}: sample line {miss[1].strip()!r} is not in what '
                            f'`make run CMDLINE={cmdline}` shows (in order):\n{tail(output, 25)}')
    assert not failures, '\n'.join(failures)


def test_sample_lines_are_patterns(ctx):
    # What a checked sample tolerates (numbers) and what it does not (words).
    real = 'memory: 32156 frames free (128624 KiB); paging: PAE, NX on; stacks: guarded pages'
    good = [(1, real.replace('32156', '32159').replace('128624', '128636'))]
    bad = [(1, real.replace('guarded pages', 'fixed pool'))]
    assert sample_mismatch(good, 'Keel 0.1.0\n' + real + '\n') is None
    assert sample_mismatch(bad, real) == bad[0]
    assert sample_mismatch([(1, 'a'), (2, '...'), (3, 'b')], 'b\na\n') == (3, 'b'), \
        'expected the lines of a sample to be found in order'
    assert sample_pattern('Keel 0.1.0 (dev profile, i386)').fullmatch(
        'Keel 0.2.10 (dev profile, i386)'), 'expected numbers to match any number'
    assert sample_pattern('PDPT at 0x001c1020').fullmatch('PDPT at 0x001c6020')
    assert not sample_pattern('(dev profile, i386)').fullmatch('(dev profile, i686)')
    lines = ['.. keel-sample: make run CMDLINE=loglevel=2', '', 'It prints::', '',
             '   one', '     two', '', 'after']
    assert literal_after(lines, 0) == [(5, 'one'), (6, '  two'), (7, '')]


# ---------------------------------------------------------------------------
# Generated from the code: the appendix, the captions, the links


def test_appendix_and_captions_follow_the_code(ctx):
    tree = copy_tree(ctx)
    git = ['git', '-c', 'user.name=test', '-c', 'user.email=test@example.org']
    for cmd in (['git', 'init', '-q'], ['git', 'add', '-A'], git + ['commit', '-q', '-m', 'x']):
        status, out = run(cmd, tree)
        assert status == 0, f'test setup: {cmd} failed:\n{out}'
    head = run(['git', 'rev-parse', 'HEAD'], tree)[1].strip()[:12]
    # A new monitor command and a new boot option, each where the code keeps them.
    cmds = tree / 'kernel/boot/monitor.c'
    cmds.write_text(cmds.read_text() + '\nstatic int cmd_probe(int argc, char **argv)\n{\n'
                    '\t(void)argc, (void)argv;\n\treturn 0;\n}\nMONITOR_COMMAND("probe", '
                    '"[N]", "a command added by test_book", cmd_probe);\n')
    edit(tree / 'kernel/boot/config.c', '\n};\n/* [config_keys] */',
         '\n    {"probe", CONFIG_BOOL, KEY(vga), 0, 0, 0, 0, "an option added by test_book"},'
         '\n};\n/* [config_keys] */')
    out = ctx.tmp / 'book'
    build_html(ctx, out, env={'KEEL_SOURCE_URL':
                              'https://src.invalid/keel/{commit}/{path}#L{first}-{last}'},
               tree=tree)
    tools = text_of((out / 'html' / 'tools.html').read_text())
    for needle in ('probe [N]', 'a command added by test_book', 'an option added by test_book'):
        assert needle in tools, f'expected the tools appendix to show {needle!r}'
    chapter = (out / 'html' / '00-booting.html').read_text()
    assert f'at commit {head}+dirty' in ' '.join(text_of(chapter).split()), \
        f'expected captions to name the copy\'s commit {head} and say +dirty'
    full = run(['git', 'rev-parse', 'HEAD'], tree)[1].strip()
    m = re.search(r'href="https://src\.invalid/keel/([0-9a-f]+)/kernel/boot/main\.c#L(\d+)-(\d+)"',
                  chapter)
    assert m and m.group(1) == full, \
        f'expected listings to link to KEEL_SOURCE_URL at commit {full}, saw {m and m.group(0)}'
    assert not (out / 'html' / '_source').exists(), \
        'expected no local source pages when KEEL_SOURCE_URL is set'


def test_lab_markers_are_cut_and_lines_stay_honest(ctx):
    sys.path.insert(0, str(ctx.root / 'book' / 'ext'))
    try:
        import keelsource
    finally:
        sys.path.pop(0)
    src = ctx.tmp / 'src'
    src.mkdir()
    (src / 'f.c').write_text(
        'int f(int x)\n'             # 1
        '{\n'                        # 2
        '\t/* LAB 7: add one */\n'   # 3
        '\treturn x + 1;\n'          # 4
        '\t/* LAB 7 STUB\n'          # 5
        '\treturn 0;\n'              # 6
        '\tLAB 7 END */\n'           # 7
        '}\n')                       # 8
    tree = keelsource.SourceTree(str(src))
    ex = keelsource.excerpt(tree, 'f.c', 1, 8)
    assert (ex.first, ex.last, ex.hidden) == (1, 8, 4), \
        f'expected lines 1-8 with 4 marker lines hidden, got {ex}'
    assert ex.text == 'int f(int x)\n{\n        return x + 1;\n}', \
        f'expected the reference code alone, got:\n{ex.text}'
    try:
        keelsource.excerpt(tree, 'f.c', 1, 6)
    except keelsource.QuoteError as e:
        assert 'LAB N STUB' in str(e) and 'line 5' in str(e), str(e)
    else:
        raise AssertionError('expected a quotation that cuts a stub in half to be refused')
