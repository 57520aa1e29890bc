"""keelsource - find the code the book quotes: symbols, anchors, commits.

This module knows nothing about Sphinx, so the quoting rules can be read
(and tested) on their own. book/ext/keelquote.py turns its answers into
listings.

* A **symbol** (function, struct, union, enum, typedef, macro, variable)
  is found in the code index: XML that Doxygen writes for every C file
  of the tree (book/code-index.doxyfile). Its <location> element gives
  the file and the lines of the definition.
* An **anchor** is a pair of lines ``/* [name] */`` in any source file;
  the fragment is the lines strictly between them.
* **Lab markers** are cut from every listing: the line
  ``/* LAB N: title */`` and the whole comment ``/* LAB N STUB ...
  LAB N END */``. The listing keeps the reference code, and its line
  range still names the real lines of the file.
* The **commit** is ``git rev-parse HEAD``, with ``+dirty`` when the work
  tree differs from it.

Every failure raises QuoteError with a message that names what is
missing; the caller adds the chapter and line.
"""

import os
import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

ANCHOR_RE = re.compile(r'^\s*/\*\s*\[([A-Za-z0-9_.-]+)\]\s*\*/\s*$')
LAB_TITLE_RE = re.compile(r'^\s*/\*\s*LAB\s+\d+\s*:.*\*/\s*$')
LAB_STUB_RE = re.compile(r'^\s*/\*\s*LAB\s+\d+\s+STUB\b')
LAB_END_RE = re.compile(r'\bLAB\s+\d+\s+END\s*\*/')


class QuoteError(Exception):
    """A quotation that cannot be resolved; the message says why."""


@dataclass
class Excerpt:
    """Lines quoted from one file.

    `first` and `last` are the file's own 1-based line numbers of the
    quoted range; `text` is what the listing shows (lab markers cut, so
    it may have fewer lines than the range); `hidden` counts the lines
    cut.
    """
    path: str
    first: int
    last: int
    text: str
    hidden: int = 0
    language: str = 'c'


@dataclass
class Definition:
    """Where the code index says a symbol is defined."""
    name: str
    kind: str
    path: str
    line: int
    end: int = -1           # -1: Doxygen did not say; found by scanning
    extra: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------
# Files


class SourceTree:
    """The checked-out tree the book is built from, with a file cache."""

    def __init__(self, root):
        self.root = os.path.abspath(root)
        self._lines = {}

    def path(self, rel):
        """Absolute path of a file named relative to the root."""
        return os.path.join(self.root, rel)

    def lines(self, rel):
        """The lines of file `rel` (without newlines); QuoteError if absent."""
        if rel not in self._lines:
            full = self.path(rel)
            if os.path.isabs(rel) or '..' in rel.split('/'):
                raise QuoteError(f"file '{rel}' must be named relative to the tree's root")
            if not os.path.isfile(full):
                raise QuoteError(f"file '{rel}' does not exist")
            with open(full, encoding='utf-8', errors='replace') as f:
                self._lines[rel] = f.read().splitlines()
        return self._lines[rel]


def language_of(path):
    """The Pygments lexer for a file, by its extension."""
    ext = os.path.splitext(path)[1]
    return {'.c': 'c', '.h': 'c', '.S': 'keel-gas', '.s': 'keel-gas', '.py': 'python',
            '.ld': 'none', '.mk': 'make', '.sh': 'sh'}.get(ext, 'none')


# ---------------------------------------------------------------------------
# Anchors


def anchors_in(lines):
    """Map each anchor name in `lines` to the 1-based line numbers of its markers."""
    found = {}
    for number, line in enumerate(lines, 1):
        m = ANCHOR_RE.match(line)
        if m:
            found.setdefault(m.group(1), []).append(number)
    return found


def anchor_range(tree, rel, name):
    """The (first, last) lines strictly inside anchor `name` of file `rel`."""
    marks = anchors_in(tree.lines(rel)).get(name, [])
    if not marks:
        raise QuoteError(f"anchor '[{name}]' not found in {rel}")
    if len(marks) == 1:
        raise QuoteError(f"anchor '[{name}]' opens at {rel}:{marks[0]} but never closes")
    if len(marks) > 2:
        where = ', '.join(str(n) for n in marks)
        raise QuoteError(f"anchor '[{name}]' appears {len(marks)} times in {rel} "
                         f"(lines {where}); an anchor is one pair of markers")
    first, last = marks[0] + 1, marks[1] - 1
    if first > last:
        raise QuoteError(f"anchor '[{name}]' in {rel} (line {marks[0]}) is empty")
    return first, last


def quote_anchor(tree, rel, name):
    """The Excerpt between the two ``/* [name] */`` markers of file `rel`."""
    first, last = anchor_range(tree, rel, name)
    return excerpt(tree, rel, first, last)


# ---------------------------------------------------------------------------
# Lab markers and excerpts


def strip_lab_markers(lines, first):
    """Cut lab markers from `lines`, whose first line is line `first` of its file.

    Returns (kept lines, number of lines cut). A STUB comment that does
    not end inside `lines` is an error: the listing would show half of it.
    """
    kept, cut, in_stub, stub_line = [], 0, False, 0
    for number, line in enumerate(lines, first):
        if in_stub:
            cut += 1
            in_stub = not LAB_END_RE.search(line)
        elif LAB_STUB_RE.match(line):
            cut += 1
            stub_line = number
            in_stub = not LAB_END_RE.search(line)
        elif LAB_TITLE_RE.match(line):
            cut += 1
        else:
            kept.append(line)
    if in_stub:
        raise QuoteError(f"lab marker 'LAB N STUB' at line {stub_line} has no "
                         f"'LAB N END */' inside the quoted lines")
    return kept, cut


def dedent(lines):
    """Remove the leading whitespace common to all non-blank lines."""
    indents = [ln[:len(ln) - len(ln.lstrip())] for ln in lines if ln.strip()]
    width = len(os.path.commonprefix(indents)) if indents else 0
    return [ln[width:] if ln.strip() else '' for ln in lines]


def excerpt(tree, rel, first, last):
    """Lines `first`..`last` of file `rel`, lab markers cut."""
    lines = tree.lines(rel)
    if not 1 <= first <= last <= len(lines):
        raise QuoteError(f"lines {first}-{last} are outside {rel} ({len(lines)} lines)")
    kept, cut = strip_lab_markers(lines[first - 1:last], first)
    while kept and not kept[-1].strip():
        kept.pop()
    text = '\n'.join(dedent(kept)).expandtabs(8)
    return Excerpt(rel, first, last, text, cut, language_of(rel))


# ---------------------------------------------------------------------------
# Symbols, through Doxygen's XML


class CodeIndex:
    """Every symbol definition found in Doxygen's XML of the code."""

    KINDS = ('function', 'define', 'enum', 'typedef', 'variable', 'struct', 'union')

    def __init__(self, xml_dir, tree):
        self.xml_dir = xml_dir
        self.tree = tree
        self.by_name = {}
        if not os.path.isfile(os.path.join(xml_dir, 'index.xml')):
            raise QuoteError(f"no code index in {xml_dir}: run `make book` (it runs "
                             f"Doxygen with book/code-index.doxyfile first)")
        for name in sorted(os.listdir(xml_dir)):
            if name.endswith('.xml') and name not in ('index.xml', 'Doxyfile.xml'):
                self._read(os.path.join(xml_dir, name))

    def _add(self, d):
        known = self.by_name.setdefault(d.name, [])
        if all((k.path, k.line) != (d.path, d.line) for k in known):
            known.append(d)

    def _read(self, xml_file):
        root = ET.parse(xml_file).getroot()
        for compound in root.iter('compounddef'):
            kind = compound.get('kind')
            if kind in ('struct', 'union'):
                d = self._definition(compound.findtext('compoundname'), kind,
                                     compound.find('location'))
                if d:
                    self._add(d)
            for member in compound.iter('memberdef'):
                if member.get('kind') in self.KINDS:
                    d = self._definition(member.findtext('name'), member.get('kind'),
                                         member.find('location'))
                    if d:
                        self._add(d)

    def _definition(self, name, kind, loc):
        """A Definition from a <location>, preferring the body over a declaration."""
        if loc is None or not name:
            return None
        path, line = loc.get('bodyfile'), int(loc.get('bodystart') or 0)
        end = int(loc.get('bodyend') or -1)
        if not path or line <= 0:
            path, line, end = loc.get('file'), int(loc.get('line') or 0), -1
        if not path or line <= 0:
            return None
        return Definition(name, kind, self._relative(path), line, end)

    def _relative(self, path):
        """Doxygen may write absolute paths; the book names files from the root."""
        if os.path.isabs(path):
            return os.path.relpath(path, self.tree.root)
        return path

    def find(self, name, path=None):
        """The one Definition of `name` (in file `path`, if given)."""
        found = [d for d in self.by_name.get(name, []) if path is None or d.path == path]
        # Doxygen takes a macro's uses at file scope (KTEST(suite, case)
        # {...}) for functions of that name: the macro is what is meant.
        if any(d.kind == 'define' for d in found):
            found = [d for d in found if d.kind != 'function']
        # A declaration in a header and its definition are one symbol: keep
        # the definition, which carries the body.
        bodies = [d for d in found if d.end > 0]
        if len(found) > 1 and len(bodies) == 1:
            found = bodies
        if not found:
            where = f' in {path}' if path else ''
            others = self.by_name.get(name, [])
            hint = ''
            if path and others:
                hint = ' (it is defined in ' + ', '.join(sorted({d.path for d in others})) + ')'
            elif not others:
                close = self.similar(name)
                hint = f' (did you mean {", ".join(close)}?)' if close else ''
            raise QuoteError(f"symbol '{name}' not found{where} in the code{hint}")
        if len(found) == 1 and found[0].kind == 'function' and found[0].end <= 0:
            d = found[0]
            raise QuoteError(f"function '{name}' is declared at {d.path}:{d.line} but "
                             f"its definition was not found in the code")
        if len(found) > 1:
            places = ', '.join(f'{d.path}:{d.line}' for d in found[:4])
            if len(found) > 4:
                places += f' and {len(found) - 4} more'
            raise QuoteError(f"symbol '{name}' is defined more than once ({places}); "
                             f"say which with :file:")
        return found[0]

    def similar(self, name, limit=3):
        """Known names close to `name`, for a typo's error message."""
        import difflib
        return difflib.get_close_matches(name, self.by_name.keys(), n=limit, cutoff=0.8)


def statement_end(lines, line):
    """The last line of the declaration that starts at `line` (1-based).

    A macro ends at its last backslash-continued line; anything else at
    the first ';' outside braces and parentheses.
    """
    if lines[line - 1].lstrip().startswith('#'):
        end = line
        while end < len(lines) and lines[end - 1].rstrip().endswith('\\'):
            end += 1
        return end
    depth = 0
    for number in range(line, len(lines) + 1):
        code = re.sub(r'"(\\.|[^"\\])*"|\'(\\.|[^\'\\])*\'|/\*.*?\*/|//.*$', '',
                      lines[number - 1])
        for ch in code:
            if ch in '{(':
                depth += 1
            elif ch in '})':
                depth -= 1
            elif ch == ';' and depth <= 0:
                return number
    return line


def leading_comment(lines, line):
    """The first line of the comment block that ends just above `line`, or `line`.

    Anchor and lab markers are not part of it: a quotation never starts
    inside another quotation's marker.
    """
    above = line - 1
    if above < 1 or not lines[above - 1].rstrip().endswith('*/'):
        return line
    start = above
    while start >= 1 and '/*' not in lines[start - 1]:
        start -= 1
    if start < 1:
        return line
    block = lines[start - 1:above]
    if any(ANCHOR_RE.match(ln) or LAB_TITLE_RE.match(ln) or LAB_END_RE.search(ln)
           for ln in block):
        return line
    if not lines[start - 1].lstrip().startswith('/*'):
        return line             # the comment ends a line of code
    return start


def symbol_range(index, d):
    """The (first, last) lines a Definition spans, its typedef'd struct included."""
    lines = index.tree.lines(d.path)
    first, last = d.line, d.end
    if d.kind == 'typedef':
        # `typedef struct x {...} name_t;`: Doxygen gives the line of the
        # name; the struct's definition gives the start.
        for struct in index.by_name.values():
            for s in struct:
                if s.kind in ('struct', 'union') and s.path == d.path and s.end == d.line:
                    first = s.line
    if last < first:
        last = statement_end(lines, first)
    return first, last


def quote_symbol(index, name, path=None, comment=True):
    """The Excerpt of symbol `name`'s definition, with its comment if `comment`."""
    d = index.find(name, path)
    first, last = symbol_range(index, d)
    if comment:
        first = leading_comment(index.tree.lines(d.path), first)
    return excerpt(index.tree, d.path, first, last)


# ---------------------------------------------------------------------------
# The commit


def git(root, *args):
    """Output of a git command in `root`, or None if git or the repository is missing."""
    try:
        p = subprocess.run(['git', '-C', root, *args], capture_output=True, text=True,
                           timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return p.stdout.strip() if p.returncode == 0 else None


@dataclass
class Commit:
    """The commit the book is built from: `full` hash ('' outside git), `label` to print."""
    full: str
    label: str
    dirty: bool


def current_commit(root):
    """HEAD of the repository at `root`, marked dirty if the work tree differs."""
    full = git(root, 'rev-parse', 'HEAD')
    if not full:
        return Commit('', 'no commit (not a git checkout)', True)
    status = git(root, 'status', '--porcelain', '--untracked-files=normal')
    dirty = bool(status)
    return Commit(full, full[:12] + ('+dirty' if dirty else ''), dirty)
