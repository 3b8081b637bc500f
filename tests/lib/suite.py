# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""Run a directory of unittest tests and end with the counts line.

Every rdma-bulk test runner ends with one line `N passed, N failed,
N skipped` so that tests/run (and any CI) can add the stages up.
"""

import os
import sys
import unittest


def counts_line(res):
    """`N passed, N failed, N skipped` for a unittest result."""
    failed = len(res.failures) + len(res.errors) + len(res.unexpectedSuccesses)
    # A class skipped (or failing) in setUpClass is reported without being
    # among testsRun: count only real tests out of testsRun.
    ran_not_passed = sum(1 for t, _ in res.failures + res.errors + res.skipped
                         if isinstance(t, unittest.TestCase)) + len(res.unexpectedSuccesses)
    passed = res.testsRun - ran_not_passed
    return f'{passed} passed, {failed} failed, {len(res.skipped)} skipped'


def main(start_dir, argv=None):
    argv = sys.argv[1:] if argv is None else argv
    loader = unittest.TestLoader()
    if argv:
        # Names such as test_devices.DeviceTest.test_listed, relative to
        # start_dir, pick single tests.
        sys.path.insert(0, start_dir)
        suite = loader.loadTestsFromNames(argv)
    else:
        suite = loader.discover(start_dir, pattern='test_*.py',
                                top_level_dir=start_dir)
    runner = unittest.TextTestRunner(verbosity=2, stream=sys.stdout)
    res = runner.run(suite)
    print(counts_line(res), flush=True)
    return 0 if res.wasSuccessful() and res.testsRun > 0 else 1


if __name__ == '__main__':
    sys.exit(main(os.path.abspath(sys.argv[1]), sys.argv[2:]))
