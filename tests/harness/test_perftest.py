# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""perftest's ib_write_bw runs between two guests over rxe."""

import re
import unittest

from vmrun import vm_run

# perftest's result row: bytes, iterations, peak, average MB/s, Mpps
ROW = re.compile(r'^\[node(\d)\]\s+(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$', re.M)


class WriteBwTwoGuestsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.res = vm_run('tests/guest/perftest-pair', 'ib_write_bw', '-d', 'rxe0',
                         '-s', '65536', '-n', '200', '-F', nodes=2, timeout=500)
        cls.rows = {int(m[0]): m for m in ROW.findall(cls.res.out)}

    def test_both_sides_succeed(self):
        self.assertEqual(self.res.rc, 0, str(self.res))

    def test_figures_reported(self):
        for node in (0, 1):
            self.assertIn(node, self.rows, str(self.res))
            _, size, iters, _, avg, _ = self.rows[node]
            self.assertEqual((int(size), int(iters)), (65536, 200))
            self.assertGreater(float(avg), 0.0, str(self.res))
        print(f'\n    ib_write_bw rxe 64 KiB x 200: {self.rows[1][4]} MB/s (debug kernel, TCG)')


if __name__ == '__main__':
    unittest.main()
