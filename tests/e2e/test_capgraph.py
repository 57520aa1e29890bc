"""test_capgraph - `make capgraph`: the capability graph of t_cap_show, drawn.

`make capgraph` boots the in-kernel case cap.cap_monitor.show, which
spawns t_cap_show (userspace/tests/cap/t_cap_show.c) and prints the
monitor's `capgraph`; scripts/capgraph turns those lines into Graphviz DOT
(build/capgraph.dot) and `dot` into build/capgraph.svg. The DOT must hold
t_cap_show's three tasks as clusters, its fourteen capabilities, its seven
objects, an edge from each capability to its object and a dashed edge
for each of its five derivations; the chapter's copy
(chapters/figures/capgraph.dot) must be what the command writes today.
scripts/capgraph --from reads a console log instead of booting, and
refuses a missing, malformed or inconsistent block in one line.
"""
import re
import subprocess

SLICE = 'cap'

FIGURE = 'chapters/figures/capgraph.dot'

# The capabilities of t_cap_show by task (main, sender, sharer), as
# (slot, rights, object, extra label line), and its derivations.
CAPS = {
    'A': [(0, 'r--------', 'task:{A}', None), (1, 'rwWkSRGDM', 'endpoint:{E}', None),
          (2, 'rwWkSRGDM', 'memory:0x1', None), (3, '----S-GD-', 'endpoint:{E}', None),
          (4, 'rwWkSRGDM', 'frames:{F}', 'pages 0-3, at 0x40000000'),
          (5, 'rw----G-M', 'frames:{F}', 'pages 2-3, not mapped'),
          (6, 'rwWkSRGDM', 'task:{B}', None), (7, 'rwWkSRGDM', 'task:{C}', None),
          (63, 'rwWkSRGDM', 'archive:0x1', None)],
    'B': [(0, 'r--------', 'task:{B}', None), (1, '----S--D-', 'endpoint:{E}', None),
          (2, '----S----', 'endpoint:{E}', None)],
    'C': [(0, 'r--------', 'task:{C}', None),
          (1, 'rw------M', 'frames:{F}', 'pages 2-3, at 0x48000000'),
          (2, 'rwWkSRGDM', 'notification:{N}', None)],
}
DERIVES = [('{A}:1', '{A}:3'), ('{A}:4', '{A}:5'), ('{A}:3', '{B}:1'), ('{B}:1', '{B}:2'),
           ('{A}:5', '{C}:1')]


def run(cmd, cwd, timeout=300):
    p = subprocess.run(cmd, cwd=str(cwd), stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=timeout)
    return p.returncode, p.stdout + p.stderr


def parse_dot(text):
    """(clusters [(id, label)], nodes {name: label}, edges [(from, to, attributes)])."""
    clusters = re.findall(r'subgraph "cluster_task_(\d+)" \{\n\s+labelloc=t; label="([^"]*)";',
                          text)
    nodes = dict(re.findall(r'^\s+"([^"]+)" \[(?:[^\]]*, )?label="([^"]*)"\];$', text, re.M))
    edges = re.findall(r'^\s+"([^"]+)" -> "([^"]+)" \[([^\]]*)\];$', text, re.M)
    return clusters, nodes, edges


def expected(ids):
    """The nodes {name: label} and edges {(from, to): style} t_cap_show's graph must have."""
    def fill(text):
        return text.format(**ids)
    nodes, edges = {}, {}
    for role, caps in CAPS.items():
        for slot, rights, obj, extra in caps:
            name = 'cap %s:%d' % (ids[role], slot)
            nodes[name] = 'slot %d\\n%s' % (slot, rights) + ('\\n' + extra if extra else '')
            edges[(name, fill(obj))] = 'color=grey40'
    for a, b in DERIVES:
        edges[('cap ' + fill(a), 'cap ' + fill(b))] = 'style=dashed, color=blue'
    objects = {'task:{A}': 'task {A}\\nt_cap_show', 'task:{B}': 'task {B}\\nt_cap_show',
               'task:{C}': 'task {C}\\nt_cap_show', 'endpoint:{E}': 'endpoint {E}',
               'memory:0x1': 'memory 0x1', 'archive:0x1': 'archive 0x1',
               'frames:{F}': 'frames {F}\\n4 pages',
               'notification:{N}': 'notification {N}'}
    nodes.update({fill(k): fill(v) for k, v in objects.items()})
    return nodes, edges


def test_make_capgraph(ctx):
    """`make capgraph` draws t_cap_show's graph: every node and edge, and the SVG."""
    for f in ('capgraph.dot', 'capgraph.svg'):
        (ctx.root / 'build' / f).unlink(missing_ok=True)
    status, out = run(['make', '-s', 'capgraph'], ctx.root)
    assert status == 0, 'expected `make capgraph` to succeed; it said:\n%s' % out
    assert ('capgraph: 3 tasks, 8 objects, 15 capabilities, 5 derivations -> '
            'build/capgraph.dot') in out, 'expected its summary line; it said:\n%s' % out
    text = (ctx.root / 'build' / 'capgraph.dot').read_text()
    clusters, nodes, edges = parse_dot(text)
    assert [label for _, label in clusters] == ['task %s t_cap_show' % c for c, _ in clusters] \
        and len(clusters) == 3, 'expected three task clusters, got %s' % clusters
    objects = {k.split(':')[0]: k.split(':')[1] for k in nodes if ':' in k and
               not k.startswith(('cap ', 'task:'))}
    ids = {'A': clusters[0][0], 'B': clusters[1][0], 'C': clusters[2][0],
           'E': objects.get('endpoint'), 'F': objects.get('frames'),
           'N': objects.get('notification')}
    want_nodes, want_edges = expected(ids)
    assert nodes == want_nodes, ('expected the nodes\n%s\ngot\n%s' % (
        sorted(want_nodes.items()), sorted(nodes.items())))
    got_edges = {(a, b): attributes for a, b, attributes in edges}
    assert len(edges) == len(want_edges) and got_edges == want_edges, ('expected the edges\n%s\ngot\n%s' % (
        sorted(want_edges.items()), sorted(edges)))
    svg = (ctx.root / 'build' / 'capgraph.svg').read_text()
    assert '<svg' in svg and 'task %s t_cap_show' % ids['B'] in svg, \
        'expected build/capgraph.svg to be an SVG drawing of the graph'
    figure = (ctx.root / FIGURE).read_text()
    assert figure == text, ('expected %s to be what make capgraph writes now (cp '
                            'build/capgraph.dot %s)' % (FIGURE, FIGURE))


GOOD = """noise before
capgraph begin
task 256 t
object endpoint:0x100
cap 256:1 endpoint:0x100 rwWkSRGDM depth 0
cap 256:2 endpoint:0x100 ----S---- depth 1
derive 256:1 256:2
capgraph end: 1 tasks, 1 objects, 2 capabilities, 1 derivations
"""


def test_from_log(ctx):
    """--from: a good block is drawn; a missing, malformed or miscounted one is refused."""
    cases = [
        (GOOD, 0, r'^capgraph: 1 tasks, 1 objects, 2 capabilities, 1 derivations -> '),
        ('nothing here\n', 1, r'^capgraph: no "capgraph begin" line in the output$'),
        (GOOD.replace('capgraph end', 'the end'), 1, r'^capgraph: the capgraph block has no '),
        (GOOD.replace('depth 1', 'depth x'), 1,
         r"^capgraph: malformed line in the capgraph block: 'cap 256:2 endpoint:0x100 "),
        (GOOD.replace('1 derivations', '2 derivations'), 1,
         r'^capgraph: the block has 1 tasks, 1 objects, 2 capabilities and 1 derivations; '
         r'its end line says 1, 1, 2 and 2$'),
        (GOOD.replace('derive 256:1 256:2', 'derive 256:1 256:9'), 1,
         r'^capgraph: derivation 256:1 -> 256:9 names a capability the block does not list$'),
    ]
    for i, (log, want, pattern) in enumerate(cases):
        path, dot = ctx.tmp / ('log%d' % i), ctx.tmp / ('g%d.dot' % i)
        path.write_text(log)
        status, out = run(['scripts/capgraph', '--from', str(path), '--dot', str(dot),
                           '--svg', str(ctx.tmp / ('g%d.svg' % i))], ctx.root)
        assert status == want and re.search(pattern, out, re.M), (
            'expected status %d and a line matching %r for log %d; got %d:\n%s'
            % (want, pattern, i, status, out))
        assert dot.exists() == (want == 0), 'expected a DOT file only for the good log'
    text = (ctx.tmp / 'g0.dot').read_text()
    assert '"cap 256:1" -> "cap 256:2" [style=dashed, color=blue];' in text, text
