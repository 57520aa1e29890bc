"""keelquote - Sphinx directives that quote Keel's code by symbol or anchor.

    .. keel-symbol:: kernel_main
       :file: kernel/boot/main.c          (only if the name is defined twice)
       :no-comment:                  (leave out the comment above it)
       :caption: The generic kernel's entry

    .. keel-anchor:: arch/x86/boot/boot.S boot_pgdir
       :caption: The boot page directory

Each listing is the code as it is in the tree the book is built from,
found through keelsource (Doxygen's code index for symbols, ``/* [name]
*/`` marker pairs for anchors), never by line number. Its caption names
the file and the real lines the listing spans, links to that file at the
commit, and names the commit (``+dirty`` when the work tree has changes).

The link goes to ``keel_source_url`` when it is set (from the
KEEL_SOURCE_URL environment variable, a pattern such as
``https://git.example.org/keel/blob/{commit}/{path}#L{first}-L{last}``);
otherwise, in HTML, to a page of the book that shows the whole file as
it was built (``_source/<path>.html``), so the link works offline.

A quotation that cannot be resolved (a missing file, symbol or anchor,
an anchor that never closes) is an error naming the chapter, the line
and the missing thing; `make book` runs Sphinx with -W, so it fails.
"""

import html
import os

from docutils import nodes
from docutils.parsers.rst import directives
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import inherit
from pygments.lexers import get_lexer_by_name
from pygments.lexers.asm import GasLexer
from pygments.token import Name, Operator
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

import keelsource

logger = logging.getLogger(__name__)

SOURCE_PAGES = '_source'


class keel_source_ref(nodes.Inline, nodes.TextElement):
    """The "file, lines" part of a caption; becomes a link once the builder is known."""


class KeelGasLexer(GasLexer):
    """GNU assembler run through the C preprocessor, as arch/x86/*.S are.

    Pygments' GAS lexer knows neither the operators of constant
    expressions (`i << 22`), nor local numeric labels (`1:`), nor the
    arguments of a `.macro` (`pushl $\\vector`).
    """
    name = 'GAS with the C preprocessor'
    aliases = ['keel-gas']
    macro_arg = (r'\\[A-Za-z_][A-Za-z0-9_]*', Name.Variable)
    tokens = {'root': [(r'[0-9]+:', Name.Label), macro_arg, inherit],
              'directive-args': [macro_arg, inherit],
              'instruction-args': [macro_arg, inherit],
              'punctuation': [(r'<<|>>|[-+*/|&~^<>=]', Operator), inherit]}


def lexer_for(path):
    """A Pygments lexer for a quoted file."""
    language = keelsource.language_of(path)
    if language == 'keel-gas':
        return KeelGasLexer(stripnl=False)
    return get_lexer_by_name('text' if language == 'none' else language, stripnl=False)


class KeelQuote(SphinxDirective):
    """The part both directives share: resolve, then build the listing."""

    has_content = False
    option_spec = {'caption': directives.unchanged, 'name': directives.unchanged}

    def resolve(self, state):
        """Return the keelsource.Excerpt to show; raise QuoteError if impossible."""
        raise NotImplementedError

    def what(self):
        """How the caption names what is quoted."""
        raise NotImplementedError

    def run(self):
        state = keel_state(self.env.app)
        try:
            if state.error:
                raise keelsource.QuoteError(state.error)
            ex = self.resolve(state)
        except keelsource.QuoteError as e:
            raise self.error(f'{self.name} {" ".join(self.arguments)}: {e}')
        self.env.note_dependency(state.tree.path(ex.path))
        quotes = self.env.keel_quotes.setdefault(self.env.docname, [])
        quotes.append((ex.path, ex.first, ex.last))
        return [self.listing(ex, state.commit)]

    def listing(self, ex, commit):
        """A captioned literal block, as code-block with :caption: makes."""
        literal = nodes.literal_block(ex.text, ex.text)
        literal['language'] = ex.language
        literal['classes'].append('keel-listing')
        caption = nodes.caption('', '')
        if 'caption' in self.options:
            text, messages = self.state.inline_text(self.options['caption'], self.lineno)
            caption.extend(text + messages)
            caption += nodes.Text(' \N{EM DASH} ')
        caption += nodes.literal(self.what(), self.what())
        caption += nodes.Text(', ')
        lines = f'lines {ex.first}\N{EN DASH}{ex.last}' if ex.last > ex.first else f'line {ex.first}'
        caption += keel_source_ref('', f'{ex.path}, {lines}', path=ex.path,
                                   first=ex.first, last=ex.last)
        caption += nodes.Text(', at commit ')
        caption += nodes.literal(commit.label, commit.label, classes=['keel-commit'])
        if ex.hidden:
            caption += nodes.Text(f' ({ex.hidden} lines of lab markers not shown)')
        container = nodes.container('', literal_block=True,
                                    classes=['literal-block-wrapper', 'keel-quote'])
        container += caption
        container += literal
        container.source, container.line = self.get_source_info()
        literal.source, literal.line = container.source, container.line
        self.add_name(container)
        return container


class KeelSymbol(KeelQuote):
    """``.. keel-symbol:: NAME`` quotes a function, struct, enum, typedef, macro or variable."""

    required_arguments = 1
    option_spec = dict(KeelQuote.option_spec, file=directives.unchanged,
                       **{'no-comment': directives.flag})

    def resolve(self, state):
        if state.index is None:
            raise keelsource.QuoteError(state.index_error)
        path = self.options.get('file')
        if path:
            state.tree.lines(path)      # a missing file is named as such
        return keelsource.quote_symbol(state.index, self.arguments[0], path,
                                       comment='no-comment' not in self.options)

    def what(self):
        return self.arguments[0]


class KeelAnchor(KeelQuote):
    """``.. keel-anchor:: FILE NAME`` quotes the lines between two ``/* [NAME] */``."""

    required_arguments = 2

    def resolve(self, state):
        return keelsource.quote_anchor(state.tree, self.arguments[0], self.arguments[1])

    def what(self):
        return f'[{self.arguments[1]}]'


# ---------------------------------------------------------------------------
# State shared by the directives of one build


class KeelState:
    """The tree, the code index and the commit, loaded once per build."""

    def __init__(self, app):
        cfg = app.config
        self.tree = keelsource.SourceTree(cfg.keel_root)
        self.commit = keelsource.current_commit(cfg.keel_root)
        self.error = None if os.path.isdir(cfg.keel_root) else \
            f'keel_root {cfg.keel_root} is not a directory'
        self.index, self.index_error = None, None
        try:
            self.index = keelsource.CodeIndex(cfg.keel_code_index, self.tree)
        except keelsource.QuoteError as e:
            self.index_error = str(e)
        except Exception as e:          # unreadable XML: say where
            self.index_error = f'cannot read the code index {cfg.keel_code_index}: {e}'


def keel_state(app):
    """The build's KeelState, created on first use."""
    if getattr(app, 'keel_state', None) is None:
        app.keel_state = KeelState(app)
    return app.keel_state


def init_env(app, env, docnames):
    """Make sure the environment has the table of quotations per document."""
    if not hasattr(env, 'keel_quotes'):
        env.keel_quotes = {}


def purge_doc(app, env, docname):
    getattr(env, 'keel_quotes', {}).pop(docname, None)


def merge_info(app, env, docnames, other):
    """Parallel reads: bring the quotations of the other process home."""
    for docname in docnames:
        if docname in other.keel_quotes:
            env.keel_quotes[docname] = other.keel_quotes[docname]


# ---------------------------------------------------------------------------
# Links, once the builder is known


def source_url(app, path, first, last):
    """The link for lines first..last of path, or None for plain text."""
    state = keel_state(app)
    pattern = app.config.keel_source_url
    if pattern:
        return pattern.format(commit=state.commit.full or 'HEAD', path=path,
                              first=first, last=last)
    return None


def resolve_links(app, doctree, docname):
    """Turn each keel_source_ref into a link fit for this builder."""
    for ref in list(doctree.findall(keel_source_ref)):
        url = source_url(app, ref['path'], ref['first'], ref['last'])
        if url is None and app.builder.format == 'html':
            page = f'{SOURCE_PAGES}/{ref["path"]}'
            url = app.builder.get_relative_uri(docname, page) + f'#L-{ref["first"]}'
        text = ref.astext()
        if url is None:
            ref.replace_self(nodes.Text(text))
        else:
            ref.replace_self(nodes.reference(text, text, refuri=url, internal=False,
                                             classes=['keel-source-link']))


def source_pages(app):
    """html-collect-pages: one page per quoted file, the whole file highlighted."""
    quotes = {}
    for ranges in getattr(app.env, 'keel_quotes', {}).values():
        for path, first, last in ranges:
            quotes.setdefault(path, set()).update(range(first, last + 1))
    if app.config.keel_source_url or not quotes:
        return
    state = keel_state(app)
    for path in sorted(quotes):
        try:
            lines = state.tree.lines(path)
        except keelsource.QuoteError:
            continue
        lexer = lexer_for(path)
        formatter = HtmlFormatter(linenos='inline', lineanchors='L', anchorlinenos=True,
                                  hl_lines=sorted(quotes[path]), wrapcode=True)
        code = highlight('\n'.join(ln.expandtabs(8) for ln in lines) + '\n', lexer, formatter)
        body = (f'<h1>{html.escape(path)}</h1>\n'
                f'<p class="keel-source-note">The file <code>{html.escape(path)}</code> '
                f'as the book was built, at commit <code>{html.escape(state.commit.label)}'
                f'</code>. Highlighted lines are quoted in the book.</p>\n{code}')
        yield (f'{SOURCE_PAGES}/{path}', {'title': path, 'body': body}, 'page.html')


def setup(app):
    """Register the directives, the config values and the event handlers."""
    app.add_config_value('keel_root', os.getcwd(), 'env')
    app.add_config_value('keel_code_index', '', 'env')
    app.add_config_value('keel_source_url', os.environ.get('KEEL_SOURCE_URL', ''), 'env')
    app.add_node(keel_source_ref)
    app.add_lexer('keel-gas', KeelGasLexer)
    app.add_directive('keel-symbol', KeelSymbol)
    app.add_directive('keel-anchor', KeelAnchor)
    app.connect('env-before-read-docs', init_env)
    app.connect('env-purge-doc', purge_doc)
    app.connect('env-merge-info', merge_info)
    app.connect('doctree-resolved', resolve_links)
    app.connect('html-collect-pages', source_pages)
    return {'version': '1', 'parallel_read_safe': True, 'parallel_write_safe': True}
