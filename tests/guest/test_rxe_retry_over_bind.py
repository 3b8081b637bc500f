# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""rxe: a send queue retry steps over a local operation that already ran.

The bug our rxe patch fixes (6.12: 0007, 6.1: 0010): req_retry() rewinds
the requester to the oldest incomplete WQE and leaves local operations
that already ran (REG_MR, LOCAL_INV, BIND_MW) done; the requester then
executed such a WQE a second time, which fails (a registered MR or a
bound window is not free), and the QP went to the error state with
nothing but flushes to show. ib_bulk's SEND keys met it under TCG when
an ACK timeout covered a REG_MR (Documentation/testing.md, "Kernels").

bin/rc_retry_bind forces the retry without timing luck: a SEND to a QP
with no receive posted draws an RNR NAK, the bind of a type 2 memory
window queued behind it has run by then, and the retry after the RNR
timer walks over it. The receive comes 200 ms later; both work requests
must succeed and the QP stay in RTS, four rounds. rxe only: iWARP
devices have no memory windows. The device is an rxe of the test's own
on a veth pair; its RNR counter shows that every round really retried.
"""

import os
import re
import subprocess
import unittest

from .bulk_base import BIN, GuestTestCase, is_iwarp
from .own_device import add_device_on_veth, run_on_device

TOOL = os.path.join(BIN, 'rc_retry_bind')
DEVICE = 'rb_t'
ADDR = '10.199.2.1'
ROUNDS = 4


def rnr_naks_received(device):
    """rxe's count of RNR NAKs its requesters received."""
    out = subprocess.run(['rdma', 'statistic', 'show', 'link', f'{device}/1'],
                         stdout=subprocess.PIPE, text=True, check=True).stdout
    m = re.search(r'\brcvd_rnr_err (\d+)', out)
    if not m:
        raise AssertionError(f'no rcvd_rnr_err counter: {out}')
    return int(m.group(1))


class RetryOverBindTest(GuestTestCase):

    def setUp(self):
        super().setUp()
        if is_iwarp(self.dev_name):
            raise unittest.SkipTest('iWARP has no memory windows (rxe test)')
        add_device_on_veth(self, 'rxe', DEVICE, 'vbulkrb0', 'vbulkrb1', ADDR)

    def test_retry_over_an_executed_bind(self):
        out = run_on_device(self, [TOOL, ADDR], DEVICE)
        self.assertEqual(out.count('ok round'), ROUNDS, out)
        self.assertGreaterEqual(rnr_naks_received(DEVICE), ROUNDS,
                                'a round did not draw an RNR NAK: no retry was tested')
