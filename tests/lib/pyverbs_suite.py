#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""Run tests/guest with rdma-core's own runner, ending with the counts line.

usage: tests/lib/pyverbs_suite.py [--stage-only DIR] [run_tests.py's arguments...]
  e.g. tests/lib/pyverbs_suite.py --dev rxe0 -v
       tests/lib/pyverbs_suite.py --dev siw0 -v test_bulk_ops test_bulk_mr.MemlockTest

rdma-core's run_tests.py loads the __init__.py beside it as the package
`tests`. Debian ships that framework (run_tests.py, args_parser.py,
base.py, utils.py... gzipped) in /usr/share/doc/rdma-core/tests without a
writable home, so each run stages a directory: Debian's framework files,
unpacked, and symlinks to tests/guest/*.py (our __init__.py among them, in
place of rdma-core's list of its own tests). Then Debian's run_tests.py
runs unchanged, as `python3 run_tests.py` would run it; the only addition
is the counts line `N passed, N failed, N skipped` tests/run adds up,
printed from unittest's own result. --stage-only stages into DIR and
stops, for running run_tests.py by hand.
"""

import gzip
import os
import runpy
import shutil
import sys
import tempfile
import unittest
import unittest.runner

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, 'tests', 'lib'))
from suite import counts_line  # noqa: E402
GUEST = os.path.join(TOP, 'tests', 'guest')
FRAMEWORK = '/usr/share/doc/rdma-core/tests'


def stage(parent):
    """PARENT/tests: rdma-core's framework beside our tests; returns its path."""
    if not os.path.isdir(FRAMEWORK):
        sys.exit(f'pyverbs_suite: {FRAMEWORK} missing (install python3-pyverbs)')
    work = os.path.join(parent, 'tests')
    os.mkdir(work)
    for fn in os.listdir(FRAMEWORK):
        name = fn[:-3] if fn.endswith('.gz') else fn
        # rdma-core's own tests and package file stay out: ours replace them.
        if name.startswith('test_') or name == '__init__.py' or not name.endswith('.py'):
            continue
        src = os.path.join(FRAMEWORK, fn)
        opener = gzip.open if fn.endswith('.gz') else open
        with opener(src, 'rb') as i, open(os.path.join(work, name), 'wb') as o:
            shutil.copyfileobj(i, o)
    for fn in os.listdir(GUEST):
        if fn.endswith('.py'):
            if os.path.exists(os.path.join(work, fn)):
                sys.exit(f'pyverbs_suite: tests/guest/{fn} would hide rdma-core\'s {fn}')
            os.symlink(os.path.join(GUEST, fn), os.path.join(work, fn))
    return work


class CountingRunner(unittest.TextTestRunner):
    """unittest's runner, on stdout (where the tests' FIGURE lines go), that
    ends with the counts line."""

    result = None

    def __init__(self, *args, **kw):
        kw['stream'] = sys.stdout
        super().__init__(*args, **kw)

    def run(self, test):
        res = super().run(test)
        CountingRunner.result = res
        print(counts_line(res), flush=True)
        return res


def main(argv):
    if argv[:1] == ['--stage-only']:
        print(stage(argv[1]))
        return 0
    with tempfile.TemporaryDirectory(prefix='bulk-tests.') as parent:
        work = stage(parent)
        runner = os.path.join(work, 'run_tests.py')
        sys.argv = [runner, *argv]
        # What `PYTHONPATH=build/python python3 run_tests.py` would have:
        # the script's directory first, then pyverbs.providers.bulk (before
        # anything imports the system's pyverbs, which it extends).
        sys.path[:0] = [work, os.path.join(TOP, 'build', 'python')]
        unittest.runner.TextTestRunner = CountingRunner
        try:
            runpy.run_path(runner, run_name='__main__')
        except SystemExit:
            pass
    res = CountingRunner.result
    if res is None:
        print('0 passed, 1 failed, 0 skipped (run_tests.py ran nothing)', flush=True)
        return 1
    return 0 if res.wasSuccessful() and res.testsRun > 0 else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
