"""keelnumbers - number listings, figures and tables chapter by chapter.

Sphinx's numfig numbers captioned listings, figures and tables through
the whole book (Listing 94 in chapter 2), or by the sections of a
numbered toctree, which would number the chapters again in the order of
the table of contents (chapter 0 would be 3). Keel's chapters carry their
slice number in their file names and titles (``02-memory.rst``, "Chapter
2: Memory"), so this extension numbers by that: the 14th listing of
chapter 2 is Listing 2.14, and each chapter starts again from 1.
Documents whose name does not start with a number (the preface, getting
started, the appendices) number theirs 1, 2, ... on their own.

HTML and cross references (``:numref:``) use Sphinx's numbers, which
this extension rewrites after Sphinx has assigned them. The PDF's numbers
are LaTeX's counters: each document starts with a raw LaTeX command
(\\keeldocument, defined in the preamble by book/conf.py) that resets
them and sets the chapter's prefix.
"""

import re

from docutils import nodes

CHAPTER_RE = re.compile(r'^(\d+)-')


def chapter_of(docname):
    """The chapter number of a document (``02-memory`` is 2), or None."""
    m = CHAPTER_RE.match(docname.rsplit('/', 1)[-1])
    return int(m.group(1)) if m else None


def renumber(app, env):
    """env-get-updated, after Sphinx's own numbering: restart it per document."""
    changed = []
    for docname, figtypes in env.toc_fignumbers.items():
        chapter = chapter_of(docname)
        prefix = () if chapter is None else (chapter,)
        new = {}
        for figtype, numbers in figtypes.items():
            in_order = sorted(numbers, key=numbers.get)
            new[figtype] = {fid: prefix + (i,) for i, fid in enumerate(in_order, 1)}
        if new != figtypes:
            env.toc_fignumbers[docname] = new
            changed.append(docname)
    return changed


def latex_marker(app, doctree):
    """doctree-read: start each document's first section with \\keeldocument{ID}{PREFIX}."""
    docname = app.env.docname
    if docname == app.config.root_doc:
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    chapter = chapter_of(docname)
    prefix = '' if chapter is None else f'{chapter}.'
    ident = re.sub(r'[^A-Za-z0-9]', '', docname) or 'doc'
    raw = nodes.raw('', f'\\keeldocument{{{ident}}}{{{prefix}}}\n', format='latex')
    title = next((i for i, child in enumerate(section.children)
                  if isinstance(child, nodes.title)), -1)
    section.insert(title + 1, raw)


# The LaTeX side: counters reset by each document, its prefix in front.
LATEX_PREAMBLE = r'''
\makeatletter
\def\keel@prefix{}\def\keel@doc{front}
\newcommand{\keeldocument}[2]{%
  \gdef\keel@doc{#1}\gdef\keel@prefix{#2}%
  \setcounter{literalblock}{0}\setcounter{figure}{0}\setcounter{table}{0}}
\AtBeginDocument{%
  \def\theliteralblock{\keel@prefix\arabic{literalblock}}%
  \def\thefigure{\keel@prefix\arabic{figure}}%
  \def\thetable{\keel@prefix\arabic{table}}%
  \def\theHliteralblock{\keel@doc.\arabic{literalblock}}%
  \def\theHfigure{\keel@doc.\arabic{figure}}%
  \def\theHtable{\keel@doc.\arabic{table}}}
\makeatother
'''


def setup(app):
    app.connect('env-get-updated', renumber, priority=900)
    app.connect('doctree-read', latex_marker)
    return {'version': '1', 'parallel_read_safe': True, 'parallel_write_safe': True}
