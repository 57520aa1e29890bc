"""keeltools - the book's appendix of tools, generated from the code.

Where the code itself holds a list, the book reads the list from the
code at build time, so the appendix cannot drift from it:

    .. keel-make-targets::     `make help` (the Makefile and book/book.mk, labs/labs.mk)
    .. keel-boot-keys::        config_keys[] in kernel/boot/config.c
    .. keel-monitor-commands:: every MONITOR_COMMAND() in kernel/ and arch/
    .. keel-gdb-commands::     every @keel_command class in scripts/gdb/keel.py
    .. keel-anchors::          every /* [name] */ anchor in the tree

Each directive writes reStructuredText (a table or a definition list) and
parses it in place. A directive that finds nothing is an error: it means
the code changed shape and this file must follow.
"""

import ast
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

import keelsource

DASH = '\N{EM DASH}'
C_STRING = r'"(?:[^"\\]|\\.)*"'
C_STRINGS = rf'((?:{C_STRING}\s*)+)'


def c_strings(text):
    """The value of one or more adjacent C string literals."""
    parts = re.findall(C_STRING, text)
    return ''.join(p[1:-1].replace('\\"', '"').replace('\\\\', '\\') for p in parts)


def esc(text):
    """Escape text for reStructuredText inline use."""
    return re.sub(r'([\\`*_|])', r'\\\1', text)


def lit(text):
    """An inline literal (``text``), safe for any text without backquotes."""
    return f'``{text}``' if text else ''


def list_table(header, rows, widths=None):
    """Lines of a list-table directive."""
    out = ['.. list-table::', '   :header-rows: 1']
    if widths:
        out.append('   :widths: ' + ' '.join(str(w) for w in widths))
    out.append('')
    for row in [header] + rows:
        for i, cell in enumerate(row):
            out.append(f'   {"*" if i == 0 else " "} - {cell}' if cell else
                       f'   {"*" if i == 0 else " "} -')
    return out


class Generated(SphinxDirective):
    """Base: subclasses return RST lines from generate(); errors name the source."""

    has_content = False
    source = ''

    def generate(self, tree):
        raise NotImplementedError

    def run(self):
        tree = keelsource.SourceTree(self.config.keel_root)
        try:
            lines = self.generate(tree)
        except keelsource.QuoteError as e:
            raise self.error(f'{self.name}: {e}')
        if not lines:
            raise self.error(f'{self.name}: found nothing in {self.source}; '
                             f'has the code changed shape? (book/ext/keeltools.py)')
        for path in self.depends(tree):
            self.env.note_dependency(path)
        return self.parse(lines)

    def depends(self, tree):
        return [tree.path(self.source)] if self.source else []

    def parse(self, lines):
        node = nodes.container()
        source, _ = self.get_source_info()
        nested_parse_with_titles(self.state, StringList(lines, source=source), node)
        return node.children


# ---------------------------------------------------------------------------
# make help


class MakeTargets(Generated):
    """The targets `make help` prints, grouped as it groups them."""

    source = 'Makefile'

    def generate(self, tree):
        env = {k: v for k, v in os.environ.items()
               if k not in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES')}
        try:
            p = subprocess.run(['make', '-s', '--no-print-directory', 'help',
                                'GDBPORT=GDBPORT'], cwd=tree.root, env=env,
                               capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise keelsource.QuoteError(f'cannot run make help: {e}')
        if p.returncode != 0:
            raise keelsource.QuoteError(f'make help failed: {p.stderr.strip()}')
        groups, group = {}, 'Targets'
        for line in p.stdout.splitlines():
            m = re.match(r'^  (\S.*?)\s{2,}(\S.*)$', line)
            if m:
                groups.setdefault(group, []).append((m.group(1), m.group(2)))
            elif re.match(r'^\S.*:$', line):
                group = line[:-1]
        out = []
        for name, targets in groups.items():
            out += [f'.. rubric:: {esc(name)}', '']
            out += list_table(['command', 'what it does'],
                              [[lit('make ' + t), esc(d)] for t, d in targets], [30, 70])
            out.append('')
        variables = self.variables(tree)
        if variables:
            out += ['.. rubric:: Variables', '',
                    esc(variables[len('Variables:'):].strip()), '']
        return out if groups else []

    def variables(self, tree):
        """The `# Variables: ...` paragraph of the Makefile's header comment."""
        text, keep = [], False
        for line in tree.lines('Makefile'):
            if not line.startswith('#'):
                break
            body = line[1:].strip()
            keep = keep or body.startswith('Variables:')
            if keep and not body:
                break
            if keep:
                text.append(body)
        return ' '.join(text)

    def depends(self, tree):
        return [tree.path(p) for p in ('Makefile', 'book/book.mk', 'labs/labs.mk')
                if os.path.exists(tree.path(p))]


# ---------------------------------------------------------------------------
# config_keys[]


KEY_ENTRY = re.compile(
    r'\{\s*"(?P<name>[^"]+)"\s*,\s*(?P<type>CONFIG_\w+)\s*,\s*KEY\((?P<field>\w+)\)\s*,'
    r'\s*(?P<size>[^,]+),\s*(?P<min>[^,]+),\s*(?P<max>[^,]+),\s*(?P<names>[^,]+),'
    rf'\s*(?P<help>(?:{C_STRING}\s*)+)\}}')


class BootKeys(Generated):
    """The boot command-line keys, from config_keys[] and config_defaults()."""

    source = 'kernel/boot/config.c'
    # A field config_defaults() leaves out keeps the zero of its type.
    ZERO = {'CONFIG_BOOL': 'false', 'CONFIG_UINT': '0', 'CONFIG_STRING': '""',
            'CONFIG_ENUM': '0'}

    def generate(self, tree):
        text = '\n'.join(tree.lines(self.source))
        table = re.search(r'config_keys\[\]\s*=\s*\{(.*?)\n\};', text, re.S)
        if not table:
            raise keelsource.QuoteError(f'no config_keys[] table in {self.source}')
        defaults = dict(re.findall(r'^\s*\.(\w+)\s*=\s*([^,\n]+),', self.body_of(
            text, 'config_defaults'), re.M))
        rows = []
        for m in KEY_ENTRY.finditer(table.group(1)):
            names = self.enum_names(text, m.group('names').strip())
            values = self.values(tree, m, names)
            default = self.default(tree, defaults.get(m.group('field'),
                                                      self.ZERO[m.group('type')]), names)
            rows.append([lit(m.group('name')), values, default,
                         esc(c_strings(m.group('help')))])
        if not rows:
            return []
        return list_table(['key', 'values', 'default', 'meaning'], rows, [12, 22, 22, 44])

    @staticmethod
    def body_of(text, function):
        """The text of a function's body (up to the first line that is a lone '}')."""
        m = re.search(rf'\b{function}\([^)]*\)\s*\{{(.*?)\n\}}', text, re.S)
        return m.group(1) if m else ''

    @staticmethod
    def enum_names(text, array):
        """The strings of `static const char *const array[] = {...}`."""
        if array == '0':
            return []
        m = re.search(rf'\b{array}\[\]\s*=\s*\{{([^}}]*)\}}', text)
        return re.findall(r'"([^"]*)"', m.group(1)) if m else []

    def values(self, tree, m, names):
        kind = m.group('type')
        if kind == 'CONFIG_BOOL':
            return '``on`` or ``off``'
        if kind == 'CONFIG_UINT':
            return f'``{m.group("min").strip()}`` to ``{m.group("max").strip()}``'
        if kind == 'CONFIG_ENUM':
            return ', '.join(lit(n) for n in names)
        size = self.macro(tree, m.group('size').strip())
        return f'a word of at most {int(size) - 1} characters' if size.isdigit() else 'a word'

    @staticmethod
    def macro(tree, name):
        """The value of a #define in the public headers, or `name` itself."""
        if name.isdigit():
            return name
        folder = tree.path('kernel/include/keel')
        for header in sorted(h for h in os.listdir(folder) if h.endswith('.h')):
            for line in tree.lines(f'kernel/include/keel/{header}'):
                m = re.match(rf'#define\s+{name}\s+(\S+)', line)
                if m:
                    return m.group(1)
        return name

    def default(self, tree, expr, names):
        """A default value as a reader would type it."""
        if expr is None:
            return ''
        expr = expr.strip()
        if expr in ('true', 'false'):
            return lit('on' if expr == 'true' else 'off')
        if expr.startswith('"'):
            return lit(c_strings(expr)) if c_strings(expr) else '(empty)'
        if expr == '0' and names:
            return lit(names[0])
        if expr.isdigit():
            return lit(expr)
        for n in names:
            if expr.lower().endswith('_' + n.lower()):
                return lit(n)
        return self.profile_default(tree, expr)

    @staticmethod
    def profile_default(tree, macro):
        """A default set by the profile header: which profile says what."""
        folder = tree.path('kernel/profile')
        by_value = {}
        for header in sorted(h for h in os.listdir(folder) if h.endswith('.h')):
            for line in tree.lines(f'kernel/profile/{header}'):
                m = re.match(rf'#define\s+{macro}\s+(\S+)', line)
                if m:
                    word = {'1': 'on', '0': 'off'}.get(m.group(1), m.group(1))
                    by_value.setdefault(word, []).append(header[:-2])
        if not by_value:
            return lit(macro)
        return '; '.join(f'{lit(v)} ({", ".join(p)})' for v, p in sorted(by_value.items()))

    def depends(self, tree):
        return [tree.path(self.source)]


# ---------------------------------------------------------------------------
# MONITOR_COMMAND()


MONITOR_RE = re.compile(rf'^MONITOR_COMMAND\(\s*({C_STRING})\s*,\s*({C_STRING})\s*,'
                        rf'\s*{C_STRINGS},\s*(\w+)\s*\)', re.M)


def c_files(tree, folders):
    """Every .c file under `folders`, relative to the root, sorted."""
    found = []
    for folder in folders:
        for base, dirs, files in os.walk(tree.path(folder)):
            dirs.sort()
            found += [os.path.relpath(os.path.join(base, f), tree.root)
                      for f in sorted(files) if f.endswith('.c')]
    return found


class MonitorCommands(Generated):
    """Every monitor command, from its MONITOR_COMMAND() line."""

    source = 'kernel'

    def generate(self, tree):
        rows = []
        self.files = c_files(tree, ['kernel', 'arch'])
        for path in self.files:
            text = '\n'.join(tree.lines(path))
            for m in MONITOR_RE.finditer(text):
                usage = f'{c_strings(m.group(1))} {c_strings(m.group(2))}'.strip()
                line = text.count('\n', 0, m.start()) + 1
                rows.append([lit(usage), esc(c_strings(m.group(3))), lit(f'{path}:{line}')])
        return list_table(['command', 'what it does', 'defined in'], rows, [22, 50, 28]) \
            if rows else []

    def depends(self, tree):
        return [tree.path(p) for p in getattr(self, 'files', [])]


# ---------------------------------------------------------------------------
# scripts/gdb/keel.py


class GdbCommands(Generated):
    """Every `keel` GDB command: its name and its docstring, which is its help.

    keel.py and the modules beside it that it imports (keel_mem.py, ...)."""

    source = 'scripts/gdb/keel.py'

    def generate(self, tree):
        folder = Path(tree.path(self.source)).parent
        self.files = [self.source] + [f'scripts/gdb/{p.name}'
                                      for p in sorted(folder.glob('keel_*.py'))]
        out = []
        for source in self.files:
            out += self.commands(ast.parse('\n'.join(tree.lines(source))))
        return out

    @staticmethod
    def commands(module):
        out = []
        for cls in module.body:
            if not isinstance(cls, ast.ClassDef):
                continue
            if not any(isinstance(d, ast.Name) and d.id == 'keel_command'
                       for d in cls.decorator_list):
                continue
            name = next((n.value.value for n in cls.body if isinstance(n, ast.Assign)
                         and any(getattr(t, 'id', '') == 'name' for t in n.targets)
                         and isinstance(n.value, ast.Constant)), None)
            doc = ast.get_docstring(cls) or ''
            if not name:
                continue
            summary, _, rest = doc.partition('\n')
            out += [lit(f'keel {name}'), f'   **{esc(summary.strip())}**']
            for para in rest.strip().split('\n\n'):
                if para.strip():
                    out += ['', '   ' + esc(' '.join(para.split()))]
            out.append('')
        return out


# ---------------------------------------------------------------------------
# Anchors


class Anchors(Generated):
    """Every named anchor in the code, for contributors and chapter writers."""

    source = 'kernel'
    FOLDERS = ['arch', 'kernel', 'tests', 'userspace', 'scripts']
    SUFFIXES = ('.c', '.h', '.S', '.ld', '.py')

    def generate(self, tree):
        rows = []
        for folder in self.FOLDERS:
            for base, dirs, files in os.walk(tree.path(folder)):
                dirs[:] = sorted(d for d in dirs if d != '__pycache__')
                for f in sorted(files):
                    if not f.endswith(self.SUFFIXES):
                        continue
                    rel = os.path.relpath(os.path.join(base, f), tree.root)
                    for name, marks in keelsource.anchors_in(tree.lines(rel)).items():
                        where = ', '.join(str(n) for n in marks)
                        rows.append([lit(name), lit(rel), where])
        return list_table(['anchor', 'file', 'marker lines'], rows, [30, 40, 30]) \
            if rows else []


# ---------------------------------------------------------------------------
# The API reference


class ApiReference(Generated):
    """One section per public header (one header per subsystem), through Breathe.

    The list of headers is the folder's, so a new subsystem's header
    appears in the book without an edit here; its doc comments come from
    Doxygen's XML of docs/Doxyfile.
    """

    source = 'kernel/include/keel'

    def generate(self, tree):
        out = []
        for header in sorted(os.listdir(tree.path(self.source))):
            if not header.endswith('.h'):
                continue
            title = f'``<keel/{header}>``'
            # Doxygen links a mention of "config.h" to the file's refid:
            # label the section with it so those links land here.
            refid = self.refids().get(header, header.replace('.', '_8'))
            out += [f'.. _api-{header[:-2]}:', f'.. _{refid}:', '', title, '-' * len(title), '',
                    f'.. doxygenfile:: keel/{header}', '   :project: keel', '']
        return out

    def refids(self):
        """Header name -> Doxygen refid, from the API XML's index."""
        xml_dir = self.config.breathe_projects.get('keel', '')
        try:
            root = ET.parse(os.path.join(xml_dir, 'index.xml')).getroot()
        except (OSError, ET.ParseError):
            return {}
        return {c.findtext('name'): c.get('refid') for c in root.iter('compound')
                if c.get('kind') == 'file'}

    def depends(self, tree):
        folder = tree.path(self.source)
        return [os.path.join(folder, h) for h in sorted(os.listdir(folder)) if h.endswith('.h')]


def setup(app):
    """Register the generators."""
    app.add_directive('keel-api-reference', ApiReference)
    app.add_directive('keel-make-targets', MakeTargets)
    app.add_directive('keel-boot-keys', BootKeys)
    app.add_directive('keel-monitor-commands', MonitorCommands)
    app.add_directive('keel-gdb-commands', GdbCommands)
    app.add_directive('keel-anchors', Anchors)
    return {'version': '1', 'parallel_read_safe': True, 'parallel_write_safe': True}
