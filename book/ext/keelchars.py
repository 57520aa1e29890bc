"""keelchars - every character of the book is one LaTeX can typeset.

`make book-pdf` runs pdflatex, which stops on a character that neither
its UTF-8 input encoding nor the preamble of book/conf.py declares (a
minus sign U+2212 once did). TeX Live is too large for `make test`, so
this check runs with every build of the book instead, `make book-check`
included: each non-ASCII character of

  - the chapters (every .rst file of chapters/) and the files they
    ``.. include::`` (the lab handouts),
  - the lines of code the book quotes (keel-symbol, keel-anchor), and
  - the public headers, whose doc comments are the API reference,

must be one LaTeX handles by default (LATEX_DEFAULT below) or one that
a ``\\DeclareUnicodeCharacter{XXXX}`` in latex_elements['preamble']
declares. Anything else is a warning naming the file, the line and the
character, and `make book` fails on warnings. Declare the character in
book/conf.py, or write it another way.
"""

import os
import re

from sphinx.util import logging

logger = logging.getLogger(__name__)

# What pdflatex typesets without help, with the fonts encodings Sphinx
# loads (T1, TS1, OT1, OMS) and inputenc's utf8: the code points of
# t1enc.dfu, ts1enc.dfu, ot1enc.dfu, omsenc.dfu and utf8.def in TeX Live
# 2022 (Debian 12). Other code points of utf8enc.dfu need encodings the
# book does not load (Cyrillic, Greek).
LATEX_DEFAULT = (
    '00A0-0125 0128-0137 0139-013E 0141-0148 014A-0165 0168-017E 0192 01C4-01D4 '
    '01E2-01E3 01E6-01EB 01F0 01F4-01F5 0218-021B 0232-0233 0237 02C6-02C7 02D8-02D9 '
    '02DB-02DD 0E3F 1E02-1E03 1E0D 1E1E-1E21 1E25 1E30-1E31 1E37 1E43 1E45 1E47 1E5B '
    '1E63 1E6D 1E8E-1E91 1E9E 1EF2-1EF3 200C 2010-2016 2018-201A 201C-201E 2020-2022 '
    '2026 2030-2031 2039-203B 203D 2044 204E 2052 20A1 20A4 20A6 20A9 20AB-20AC 20B1 '
    '2103 2116-2117 211E 2120 2122 2126-2127 212E 2190-2193 2329-232A 2422-2423 25E6 '
    '25EF 266A 27E8-27E9 3008-3009 FB00-FB06 FEFF')

DECLARED_RE = re.compile(r'\\DeclareUnicodeCharacter\{"?([0-9A-Fa-f]{4,6})\}')
INCLUDE_RE = re.compile(r'^\s*\.\.\s+(?:include|literalinclude)::\s*(\S+)', re.M)


def code_points(ranges):
    """The set of code points of a string like '00A0-00FF 2026'."""
    found = set()
    for item in ranges.split():
        first, _, last = item.partition('-')
        found.update(range(int(first, 16), int(last or first, 16) + 1))
    return found


def typesettable(preamble):
    """The non-ASCII code points LaTeX can typeset with this preamble."""
    return code_points(LATEX_DEFAULT) | {int(h, 16) for h in DECLARED_RE.findall(preamble)}


def bad_characters(text, allowed, first_line=1):
    """(line, character) for each character of text that is neither ASCII nor allowed."""
    for number, line in enumerate(text.splitlines(), first_line):
        for ch in line:
            if ord(ch) > 127 and ord(ch) not in allowed:
                yield number, ch


def describe(ch):
    import unicodedata
    return f'U+{ord(ch):04X} {unicodedata.name(ch, "(unnamed)")} ({ch})'


def book_sources(srcdir):
    """The .rst files of the book and the files they include, absolute paths."""
    seen, todo = [], sorted(os.path.join(d, f) for d, _, files in os.walk(srcdir)
                            for f in files if f.endswith('.rst'))
    while todo:
        path = os.path.normpath(todo.pop(0))
        if path in seen or not os.path.isfile(path):
            continue
        seen.append(path)
        with open(path, encoding='utf-8') as f:
            text = f.read()
        todo += [os.path.join(os.path.dirname(path), m) for m in INCLUDE_RE.findall(text)]
    return seen


def check(app, env):
    """env-check-consistency: warn about each character pdflatex would stop on."""
    allowed = typesettable(app.config.latex_elements.get('preamble', ''))
    root = app.config.keel_root
    where = {}  # path -> None for the whole file, or a set of quoted lines
    for path in book_sources(app.srcdir):
        where[path] = None
    headers = os.path.join(root, 'kernel', 'include', 'keel')
    if os.path.isdir(headers):
        for name in sorted(os.listdir(headers)):
            if name.endswith('.h'):
                where[os.path.join(headers, name)] = None
    for ranges in getattr(env, 'keel_quotes', {}).values():
        for path, first, last in ranges:
            full = os.path.join(root, path)
            if where.get(full, ()) is not None:
                where.setdefault(full, set()).update(range(first, last + 1))
    for path, lines in where.items():
        try:
            with open(path, encoding='utf-8') as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as e:
            logger.warning(f'cannot check the characters of {path}: {e}', location=path)
            continue
        for number, ch in bad_characters(text, allowed):
            if lines is None or number in lines:
                logger.warning(f'character {describe(ch)} cannot be typeset by LaTeX '
                               '(make book-pdf): declare it with \\DeclareUnicodeCharacter in '
                               "latex_elements['preamble'] of book/conf.py, or write it in ASCII",
                               location=f'{path}:{number}')


def setup(app):
    app.connect('env-check-consistency', check)
    return {'version': '1', 'parallel_read_safe': True, 'parallel_write_safe': True}
