# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""rdma-core's run_tests.py, invoked plainly, runs our tests.

tests/lib/pyverbs_suite.py runs Debian's run_tests.py in-process and
adds the counts line; this checks the plain way a user would take:
`PYTHONPATH=build/python python3 <staged>/run_tests.py --dev DEV -v`.
"""

import os
import re
import subprocess
import sys
import tempfile

from .bulk_base import TOP, BulkTestCase, child_env

SUITE = os.path.join(TOP, 'tests', 'lib', 'pyverbs_suite.py')


class RunTestsTest(BulkTestCase):
    def test_run_tests_py_runs_ours(self):
        with tempfile.TemporaryDirectory() as parent:
            staged = subprocess.run([sys.executable, SUITE, '--stage-only', parent],
                                    stdout=subprocess.PIPE, text=True, check=True).stdout
            runner = os.path.join(staged.strip(), 'run_tests.py')
            listed = subprocess.run([sys.executable, runner, '--list-tests'], env=child_env(),
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, timeout=300)
            self.assertEqual(listed.returncode, 0, listed.stdout)
            self.assertIn('tests.test_bulk_ops.DataTest.test_write_sizes_unaligned',
                          listed.stdout.splitlines())
            res = subprocess.run([sys.executable, runner, '--dev', self.dev_name, '-v',
                                  'test_bulk_ep.EndpointTest'], env=child_env(),
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                 timeout=600)
        self.assertEqual(res.returncode, 0, res.stdout)
        ran = re.search(r'^Ran (\d+) tests? in ', res.stdout, re.M)
        self.assertIsNotNone(ran, res.stdout)
        self.assertGreaterEqual(int(ran.group(1)), 8, res.stdout)
        self.assertRegex(res.stdout, r'(?m)^OK$')
        self.assertIn('test_ids_unique_and_nonzero (tests.test_bulk_ep.EndpointTest', res.stdout)
