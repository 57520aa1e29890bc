"""Reports of graded submissions: for people, for Gradescope, for CI.

report_text is the readable table (what scripts/grade prints); the others
are Gradescope's results.json, JUnit XML and, with --out, a directory per
submission plus summary.csv for the class. All of them are made from the
same Result, so they cannot disagree.
"""
import csv
import json
import re
import xml.etree.ElementTree as ET


def report_text(r, full=False):
    """The readable report; @full lists every note's files, not the first few."""
    m = r.manifest
    out = [f'Lab {m.lab}: {m.title}', f'Submission: {r.path}']
    if r.error:
        out += [f'NOT GRADED: {r.error}', f'Score: 0/{num(m.max_score)}']
        return '\n'.join(out) + '\n'
    out += _notes(r, 10**6 if full else 8)
    details = {o.detail for o in r.outcomes if not o.passed}
    shared = details.pop() if len(details) == 1 and len(r.outcomes) > 1 else None
    if r.build and r.build.ok:
        out.append(f'Built in {r.build.duration:.1f} s; {len(r.outcomes)} tests, each on its '
                   f'own boot.')
        if shared and all(not o.passed for o in r.outcomes):
            out += ['    ' + line for line in _clip(shared, 30).splitlines()]
        else:
            shared = None
    else:
        out.append('BUILD FAILED; the compiler\'s first errors:')
        out += ['    ' + line for line in _clip(r.build.errors, 30).splitlines()]
    # The first column fits the longest test id (and part title), at least 46 wide.
    w = max([46] + [len(t.id) + 2 for t in m.tests] + [len(p.title) for p in m.parts])
    out += ['', f'  {"test":<{w}} {"points":>7}  result']
    for part in m.parts:
        mine = [o for o in r.outcomes if o.test.part == part.id]
        got, top = sum(o.score for o in mine), sum(o.test.points for o in mine)
        out.append(f'  {part.title:<{w}} {num(got) + "/" + num(top):>7}')
        for o in mine:
            pts = f'{num(o.score)}/{num(o.test.points)}'
            verdict = 'ok' if o.passed else f'FAIL  {o.kind}'
            out.append(f'    {o.test.id:<{w - 2}} {pts:>7}  {verdict}')
            if not o.passed and o.kind != 'build error' and o.detail != shared:
                lines = REASON_MAX if full else 12
                out += ['        ' + line for line in _clip(o.detail, lines).splitlines()]
    out += [f'  {"total":<{w}} {num(r.score) + "/" + num(m.max_score):>7}']
    return '\n'.join(out) + '\n'


def _notes(r, n):
    s, notes = r.stage, []
    if s is None:
        return notes
    if s.flat:
        notes.append('files found by name at the top of the submission: ' + ', '.join(s.flat))
    if s.filled:
        notes.append('missing from the submission, the lab\'s starting version used: '
                     + _list(s.filled, n))
    if s.missing:
        notes.append('missing from the submission: ' + _list(s.missing, n))
    if s.ignored:
        notes.append('not graded, the lab tree\'s copy used instead (only the lab\'s own files '
                     'come from a submission): ' + _list(s.ignored, n))
    if s.taken:
        notes.append(f'took {s.taken} files from the lab tree: everything but the lab\'s own files')
    return ['Note: ' + n for n in notes]


def _list(items, n=8):
    more = f' and {len(items) - n} more' if len(items) > n else ''
    return ', '.join(items[:n]) + more


# Every reason is bounded, in every report: a submission that prints
# megabytes of stray KTAP must not make a megabyte report.
LINE_MAX = 300      # characters of one line of a reason
REASON_MAX = 40     # lines of a reason in the full report, JSON and JUnit


def _clip(text, n, more='in the full report'):
    lines = [line if len(line) <= LINE_MAX else line[:LINE_MAX] + ' ... (line cut)'
             for line in (text or '').rstrip().splitlines()]
    if len(lines) <= n:
        return '\n'.join(lines)
    return '\n'.join(lines[:n] + [f'... ({len(lines) - n} more lines {more})'])


def bounded(text):
    """A reason as every report may quote it: at most REASON_MAX lines of LINE_MAX."""
    return _clip(text, REASON_MAX, 'not shown')


def _clip_chars(text, n):
    return text if len(text) <= n else text[:n] + '\n... (cut)'


def num(x):
    """A number as few digits show it: 100, not 100.0."""
    return f'{x:g}'


def report_gradescope(r):
    """Gradescope's results.json (its autograder specification)."""
    m = r.manifest
    tests = []
    for pi, part in enumerate(m.parts, 1):
        for ti, o in enumerate([o for o in r.outcomes if o.test.part == part.id], 1):
            output = 'passed' if o.passed else bounded(o.detail or o.kind)
            tests.append({'name': f'{part.title}: {o.test.id}', 'number': f'{pi}.{ti}',
                          'score': o.score, 'max_score': o.test.points,
                          'status': 'passed' if o.passed else 'failed',
                          'output': _clip_chars(output, 20000), 'tags': [part.id],
                          'visibility': 'visible', 'extra_data': {'kind': o.kind}})
    head = '\n'.join(line for line in report_text(r).splitlines()
                     if not line.startswith('  ') and line)
    return {'score': r.score, 'execution_time': round(r.duration, 1),
            'output': _clip_chars(head, 20000), 'stdout_visibility': 'visible', 'tests': tests,
            'extra_data': {'lab': m.lab, 'max_score': m.max_score, 'error': r.error}}


_XML_BAD = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')


def _x(text):
    return _XML_BAD.sub('?', text)


def report_junit(results, manifest):
    """JUnit XML: a testsuite per submission, a testcase per test."""
    top = ET.Element('testsuites', name=f'lab {manifest.lab}')
    for r in results:
        failures = sum(not o.passed and o.kind not in ('build error', 'not graded')
                       for o in r.outcomes)
        errors = sum(o.kind in ('build error', 'not graded') for o in r.outcomes)
        suite = ET.SubElement(top, 'testsuite', name=_x(r.name), tests=str(len(r.outcomes)),
                              failures=str(failures), errors=str(errors),
                              time=f'{r.duration:.2f}')
        for o in r.outcomes:
            case = ET.SubElement(suite, 'testcase', classname=_x(o.test.id.rsplit('.', 1)[0]),
                                 name=o.test.id.rsplit('.', 1)[1], time=f'{o.duration:.2f}')
            if not o.passed:
                tag = 'error' if o.kind in ('build error', 'not graded') else 'failure'
                first = (o.detail.splitlines() or [''])[0][:LINE_MAX]
                el = ET.SubElement(case, tag, type=o.kind, message=_x(f'{o.kind}: {first}'))
                el.text = _x(bounded(o.detail))
    ET.indent(top)
    return ET.tostring(top, encoding='unicode', xml_declaration=True) + '\n'


def write_reports(out, results, manifest):
    """The --out directory: every report per submission, and the class's."""
    out.mkdir(parents=True, exist_ok=True)
    for r in results:
        d = out / r.name
        d.mkdir(exist_ok=True)
        (d / 'report.txt').write_text(report_text(r, full=True))
        (d / 'results.json').write_text(json.dumps(report_gradescope(r), indent=2) + '\n')
        (d / 'junit.xml').write_text(report_junit([r], manifest))
        if r.build:
            (d / 'build.log').write_text(r.build.log)
    with open(out / 'summary.csv', 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['submission', 'status', 'score', 'max_score', 'path', 'error'] +
                   [t.id for t in manifest.tests])
        for r in results:
            status = 'error' if r.error else ('build failed' if not r.build.ok else 'graded')
            w.writerow([r.name, status, num(r.score), num(manifest.max_score), r.path,
                        r.error] + [num(o.score) for o in r.outcomes])
    (out / 'junit.xml').write_text(report_junit(results, manifest))
