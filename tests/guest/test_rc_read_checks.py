# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""RDMA READ corner cases of the soft device under test, on plain verbs.

siw bugs that the fuzz test met through ib_bulk (its loopback connection
lost, then an endpoint's release hung in D state) and the first version
of this test met in turn, tested here directly on an RC connection of
the device to itself (bin/rc_read_checks):

- zero-read: a zero-length READ that reaches a responder whose send
  queue is busy was answered with the previous WQE's length and bytes
  (siw patch "Clear the SGE of a zero-length READ response", 6.12: 0008,
  6.1: 0011).
- failed-read: the READs behind a READ whose response failed never
  completed, not even flushed (siw patch "Flush the READs behind a failed
  READ response", 6.12: 0009, 6.1: 0012), or one not yet sent was
  completed twice ("Flush a queued READ once", 6.12: 0010, 6.1: 0013).
- late-read: a READ posted once the QP is in the error state never
  completed ("Flush what a user posts to a QP in error", 6.12: 0011,
  6.1: 0014).

The device is one of the same type as --dev (siw or rxe) on a veth pair
of the test's own, so that RDMA CM cannot pick another device for the
address, and nothing else in the guest shares it.
"""

import os

from .bulk_base import BIN, GuestTestCase, is_iwarp
from .own_device import add_device_on_veth, run_on_device

TOOL = os.path.join(BIN, 'rc_read_checks')
DEVICE = 'rd_t'
ADDR = '10.199.1.1'


class ReadChecksTest(GuestTestCase):

    def setUp(self):
        super().setUp()
        kind = 'siw' if is_iwarp(self.dev_name) else 'rxe'
        add_device_on_veth(self, kind, DEVICE, 'vbulkrd0', 'vbulkrd1', ADDR)

    def check(self, case):
        out = run_on_device(self, [TOOL, ADDR, case], DEVICE)
        self.assertNotIn('FAIL', out)
        return out

    def test_zero_length_read_while_the_responder_is_busy(self):
        out = self.check('zero-read')
        self.assertEqual(out.count('ok zero-read round'), 4, out)

    def test_reads_behind_a_failed_read_complete(self):
        # The race it catches (a READ queued but not sent when the QP
        # fails, or posted just after) is lost now and then: 8 rounds.
        for _ in range(8):
            out = self.check('failed-read')
            self.assertIn('ok failed-read', out)
            self.assertEqual(out.count('behind it: READ'), 2, out)

    def test_read_posted_in_the_error_state_is_flushed(self):
        out = self.check('late-read')
        self.assertIn('ok late-read', out)
