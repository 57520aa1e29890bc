"""conf.py - the Sphinx configuration of the Keel book.

`make book` runs Sphinx with this directory as its configuration (-c book)
and chapters/ as its source, after two Doxygen runs whose XML it reads:
the API reference (docs/Doxyfile, through Breathe) and the code index
(book/code-index.doxyfile, through book/ext/keelquote.py). book/book.mk
passes their places in KEEL_BOOK_BUILD.

The HTML is self-contained: a bundled theme, no web fonts, no MathJax,
diagrams as SVG files, and search that works from file://.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.path.abspath(os.environ.get('KEEL_BOOK_BUILD', os.path.join(ROOT, 'build', 'book')))
sys.path.insert(0, os.path.join(HERE, 'ext'))

from keelnumbers import LATEX_PREAMBLE as LATEX_NUMBERS  # noqa: E402

project = 'Keel'
author = 'the Keel authors'
copyright = 'the Keel authors'
version = release = '0.1.0'

extensions = [
    'breathe',
    'sphinx.ext.graphviz',
    'keelquote',
    'keeltools',
    'keelnumbers',
    'keelchars',
]

root_doc = 'index'
exclude_patterns = ['_build']
templates_path = []
primary_domain = 'c'
default_role = None
highlight_language = 'none'
pygments_style = 'default'
# Listings, figures and tables are numbered per chapter (Listing 2.14),
# by book/ext/keelnumbers.py from Sphinx's book-wide numbers.
numfig = True
numfig_secnum_depth = 0
numfig_format = {'figure': 'Figure %s', 'code-block': 'Listing %s'}

# Every cross reference must resolve (sphinx-build -n); these are C's own
# types, which no page of the book defines.
nitpicky = True
# struct arch_regs is opaque to generic code: its layout is the port's
# (arch/x86/x86.h), and the API reference documents no port.
nitpick_ignore = [('c:identifier', t) for t in (
    'size_t', 'uint8_t', 'uint16_t', 'uint32_t', 'uint64_t', 'uintptr_t', 'int32_t',
    'int64_t', 'va_list', 'bool', 'arch_regs',
    'slab')]  # struct slab is private to kernel/mem/slab.c: slab.h only points to it

# --- Quoting code (book/ext/keelquote.py) ---------------------------------
keel_root = ROOT
keel_code_index = os.path.join(BUILD, 'code-xml')
keel_source_url = os.environ.get('KEEL_SOURCE_URL', '')

# --- The API reference (Breathe over docs/Doxyfile's XML) -----------------
breathe_projects = {'keel': os.path.join(BUILD, 'doxygen', 'xml')}
breathe_default_project = 'keel'
breathe_domain_by_extension = {'h': 'c', 'c': 'c'}
breathe_show_include = True
breathe_show_define_initializer = False
breathe_show_enumvalue_initializer = True

# --- Diagrams --------------------------------------------------------------
graphviz_output_format = 'svg'
graphviz_dot_args = ['-Gfontname=Helvetica', '-Nfontname=Helvetica', '-Efontname=Helvetica']

# --- HTML ------------------------------------------------------------------
html_theme = 'alabaster'
html_title = 'The Keel book'
html_short_title = 'Keel'
html_static_path = [os.path.join(HERE, 'static')]
html_css_files = ['keel.css']
html_show_sphinx = False
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
html_theme_options = {
    'description': 'a teaching microkernel for i386',
    'page_width': '1200px',
    'sidebar_width': '240px',
    'body_max_width': 'none',
    'show_powered_by': False,
    'show_relbars': True,
    'font_family': 'Georgia, "Times New Roman", serif',
    'head_font_family': 'Georgia, "Times New Roman", serif',
    'code_font_family': '"DejaVu Sans Mono", Consolas, Menlo, monospace',
    'code_font_size': '0.8em',
}
html_sidebars = {'**': ['about.html', 'navigation.html', 'relations.html', 'searchbox.html']}
# MathJax would come from the network. The book has no formulas; a page
# that grew one fails the build (see setup() below) rather than fetch it.
mathjax_path = 'mathjax-is-not-bundled.js'

# --- PDF (make book-pdf) ---------------------------------------------------
latex_engine = 'pdflatex'
latex_documents = [('index', 'keel.tex', 'The Keel book', author, 'manual')]
latex_elements = {
    'papersize': 'a4paper',
    'pointsize': '10pt',
    # Fonts of texlive-fonts-recommended (Sphinx's default TeX Gyre fonts
    # are not in the book-pdf group of scripts/deps).
    'fontpkg': r'\usepackage{mathptmx}\usepackage[scaled=.90]{helvet}\usepackage{courier}',
    # Chapters carry their slice number in their titles ("Chapter 0:
    # Booting"): LaTeX must not number them again. Every non-ASCII
    # character the book uses must be declared here unless LaTeX knows it
    # (book/ext/keelchars.py checks, on every build, without TeX).
    'preamble': r'''
\setcounter{secnumdepth}{-1}
\DeclareUnicodeCharacter{2212}{\ensuremath{-}}
\DeclareUnicodeCharacter{2192}{\ensuremath{\rightarrow}}
\DeclareUnicodeCharacter{2190}{\ensuremath{\leftarrow}}
\DeclareUnicodeCharacter{2264}{\ensuremath{\leq}}
\DeclareUnicodeCharacter{2265}{\ensuremath{\geq}}
\DeclareUnicodeCharacter{00D7}{\ensuremath{\times}}
''' + LATEX_NUMBERS,
    'sphinxsetup': 'verbatimwithframe=true, VerbatimColor={rgb}{0.97,0.97,0.97}',
}
latex_show_urls = 'no'


def no_math(app, pagename, templatename, context, doctree):
    """Fail a page with formulas: rendering them would need MathJax from the web."""
    domain = app.env.get_domain('math')
    if domain.has_equations(pagename):
        from sphinx.util import logging
        logging.getLogger('keel').warning(
            'formulas need MathJax from the network; the book is self-contained: '
            'write them as text or code', location=pagename)


def setup(app):
    """Book-wide checks that belong to no extension."""
    app.connect('html-page-context', no_math)
