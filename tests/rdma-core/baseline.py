# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""Parse rdma-core's unittest output and compare it with our baseline.

rdma-core's suite is our regression suite for core kernel patches: a test
that passed on the unpatched kernel (the baseline) must not fail on ours.
"""

import re

ROW = re.compile(r'^(FAIL|ERROR|SKIP)\s+(\S+)\s*(.*)$')
NAME_LINE = re.compile(r'^(\w+) \(([\w.]+)\)')
SKIP_TAIL = re.compile(r'\.\.\. skipped [\'"](.*)[\'"]\s*$')
HEADER = re.compile(r'^(FAIL|ERROR): (\w+) \(([\w.]+)\)', re.M)
RAN = re.compile(r'^Ran (\d+) tests? in', re.M)


def _test_id(method, where):
    # Python >= 3.11 prints module.Class.method, older module.Class.
    return where if where.endswith('.' + method) else f'{where}.{method}'


def parse_log(text):
    """Return (ran, {test_id: (outcome, reason)}) for FAIL, ERROR, SKIP."""
    m = RAN.search(text)
    if not m:
        raise ValueError('no "Ran N tests" line: the suite did not finish')
    ran = int(m.group(1))
    outcomes = {}
    # unittest -v prints "name (module.Class.name)", then the docstring's
    # first line when there is one, then " ... skipped 'why'": a skip
    # belongs to the last test name seen.
    current = None
    for line in text.splitlines():
        m = NAME_LINE.match(line)
        if m:
            current = _test_id(m.group(1), m.group(2))
        m = SKIP_TAIL.search(line)
        if m and current:
            outcomes[current] = ('SKIP', m.group(1))
    blocks = HEADER.split(text)
    # split() gives [before, kind, method, where, body, kind, ...]
    for i in range(1, len(blocks) - 3, 4):
        kind, method, where, body = blocks[i:i + 4]
        body = body.split('\n-----', 2)
        trace = body[1] if len(body) > 1 else ''
        lines = [ln.strip() for ln in trace.split('\n======')[0].splitlines() if ln.strip()]
        reason = lines[-1] if lines else ''
        outcomes[_test_id(method, where)] = (kind, reason)
    return ran, outcomes


def counts(ran, outcomes):
    kinds = [k for k, _ in outcomes.values()]
    failed, errors, skipped = kinds.count('FAIL'), kinds.count('ERROR'), kinds.count('SKIP')
    return {'ran': ran, 'passed': ran - failed - errors - skipped,
            'failed': failed, 'errors': errors, 'skipped': skipped}


def format_counts(c):
    return (f"ran {c['ran']}  passed {c['passed']}  failed {c['failed']}  "
            f"errors {c['errors']}  skipped {c['skipped']}")


def write_baseline(path, ran, outcomes, header_lines):
    with open(path, 'w') as f:
        for line in header_lines:
            f.write(f'# {line}\n')
        f.write(format_counts(counts(ran, outcomes)) + '\n')
        for tid in sorted(outcomes, key=lambda t: (outcomes[t][0], t)):
            kind, reason = outcomes[tid]
            f.write(f'{kind:5} {tid}  {reason}\n'.rstrip() + '\n')


def read_baseline(path):
    outcomes = {}
    with open(path) as f:
        for line in f:
            m = ROW.match(line.rstrip('\n'))
            if m:
                outcomes[m.group(2)] = (m.group(1), m.group(3))
    return outcomes


def read_flaky(path, kernel):
    """{test_id: why} of the tests flaky on the unpatched kernel KERNEL."""
    flaky = {}
    with open(path) as f:
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            kver, tid, why = (line.rstrip('\n').split(None, 2) + [''])[:3]
            if kver == kernel:
                flaky[tid] = why
    return flaky


def regressions(baseline, outcomes):
    """Tests failing now that did not fail in the baseline."""
    bad = ('FAIL', 'ERROR')
    return sorted(t for t, (k, _) in outcomes.items()
                  if k in bad and baseline.get(t, ('PASS', ''))[0] not in bad)


def fixed(baseline, outcomes):
    """Tests that failed in the baseline and no longer do."""
    bad = ('FAIL', 'ERROR')
    return sorted(t for t, (k, _) in baseline.items()
                  if k in bad and outcomes.get(t, ('PASS', ''))[0] not in bad)
