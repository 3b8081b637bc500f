# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""rxe: a QP destroyed while its loopback peer transmits to it.

rxe delivers a loopback packet by looking the destination QP up by number
(rxe_pool_get_index(), under RCU) and taking a reference. Before our
patch (6.12: 0004, 6.1: 0007), the QP's memory could be freed between
that lookup and the reference: KASAN reported a slab-use-after-free in
rxe_pool_get_index() from rxe_rcv() in the device-removal test, when
ib_bulk tore its loopback pair down with WRITEs in flight.

This test makes that moment many times: an RC pair on one device, WRITEs
in flight from A to B, B destroyed at once, then A. The race window is a
few instructions wide, so a run without the patch fails only when KASAN
catches a lookup inside it (vm-run fails the run on the report); with
the patch no report may appear, and every destroy must succeed.
"""

import pyverbs.enums as e
from pyverbs.addr import AHAttr, GlobalRoute
from pyverbs.cq import CQ
from pyverbs.device import Context
from pyverbs.mr import MR
from pyverbs.pd import PD
from pyverbs.qp import QP, QPAttr, QPCap, QPInitAttr
from pyverbs.wr import SGE, SendWR

from .bulk_base import GuestTestCase

ROUNDS = 100
WRITES = 16
SIZE = 64 << 10


class QpDestroyUnderTrafficTest(GuestTestCase):

    def setUp(self):
        super().setUp()
        if not self.dev_name.startswith('rxe'):
            self.skipTest('an rxe test (--dev names another device)')
        self.ctx = Context(name=self.dev_name)
        self.addCleanup(self.ctx.close)
        self.pd = PD(self.ctx)
        self.cq = CQ(self.ctx, 4 * WRITES)
        self.mr = MR(self.pd, 2 * SIZE, e.IBV_ACCESS_LOCAL_WRITE | e.IBV_ACCESS_REMOTE_WRITE)
        self.gid = self.ctx.query_gid(self.ib_port, self.gid_index)

    def rc_qp(self):
        cap = QPCap(max_send_wr=WRITES, max_recv_wr=1, max_send_sge=1, max_recv_sge=1)
        return QP(self.pd, QPInitAttr(qp_type=e.IBV_QPT_RC, scq=self.cq, rcq=self.cq, cap=cap))

    def connect(self, qp, peer):
        attr = QPAttr(port_num=self.ib_port)
        attr.qp_access_flags = e.IBV_ACCESS_REMOTE_WRITE
        attr.path_mtu = e.IBV_MTU_1024
        attr.dest_qp_num = peer.qp_num
        attr.ah_attr = AHAttr(gr=GlobalRoute(dgid=self.gid, sgid_index=self.gid_index),
                              is_global=1, port_num=self.ib_port)
        attr.timeout = 10
        attr.retry_cnt = 1
        attr.rnr_retry = 1
        attr.min_rnr_timer = 1
        qp.to_rts(attr)

    def successes(self):
        """Reap the CQ: how many WRITEs completed successfully."""
        ok = 0
        while True:
            n, wcs = self.cq.poll(4 * WRITES)
            if n == 0:
                return ok
            ok += sum(1 for wc in wcs if wc.status == e.IBV_WC_SUCCESS)

    def test_destroy_with_writes_in_flight(self):
        cut = 0
        for _ in range(ROUNDS):
            a, b = self.rc_qp(), self.rc_qp()
            self.connect(a, b)
            self.connect(b, a)
            for i in range(WRITES):
                wr = SendWR(wr_id=i, opcode=e.IBV_WR_RDMA_WRITE, num_sge=1,
                            sg=[SGE(self.mr.buf, SIZE, self.mr.lkey)])
                wr.set_wr_rdma(self.mr.rkey, self.mr.buf + SIZE)
                a.post_send(wr)
            b.close()	# the peer goes while A's WRITEs reach it
            a.close()
            ok = self.successes()
            self.assertLessEqual(ok, WRITES)
            cut += ok < WRITES
        # The test is worth something only if B went with WRITEs still
        # on their way to it: most rounds must have been cut short.
        print(f'\n{cut} of {ROUNDS} rounds destroyed B with WRITEs in flight', flush=True)
        self.assertGreater(cut, ROUNDS // 2)
