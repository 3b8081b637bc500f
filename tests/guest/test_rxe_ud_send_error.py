# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""rxe: a UD send that fails locally stops the send queue only.

The bug our rxe patch fixes (6.12: 0003, 6.1: 0005): a send error on a UD
or GSI QP moved the whole QP to ERR, which flushed its receive queue too.
On QP1 the MAD layer then moved the QP back to RTS without reposting its
receive buffers, and the port answered no RDMA CM request again: after a
link went down and up, no connection to or from the node came up. The
MAD layer is not reachable from userspace, so this test does what it does
on a UD QP of its own: the send that fails must complete with its own
error, the QP must be in SQE (not ERR) with its posted receive still
there, and after the move back to RTS that receive must take a datagram.

The device is rxe on a veth pair of the test's own, so that setting its
link down disturbs nothing else in the guest. The send that fails goes to
a neighbour on that link (a static ARP entry; nobody has to answer): once
the link is down the kernel has no route to it. The receives come from a
QP of the same device (loopback), which needs no link.
"""

import time
import unittest

import pyverbs.enums as e
from pyverbs.addr import AH, AHAttr, GID, GlobalRoute
from pyverbs.cq import CQ
from pyverbs.device import Context
from pyverbs.mr import MR
from pyverbs.pd import PD
from pyverbs.qp import QP, QPAttr, QPCap, QPInitAttr
from pyverbs.wr import RecvWR, SendWR, SGE

from .bulk_base import GuestTestCase, device_names
from .own_device import add_device_on_veth, sh

NETDEV = 'vbulkud0'
PEER = 'vbulkud1'
DEVICE = 'rxe_ud_t'
ADDR = '10.199.0.1'
NEIGHBOUR = '10.199.0.3'
NEIGHBOUR_MAC = '02:00:00:00:00:03'
QKEY = 0x11111111
MSG = 64
GRH = 40                    # a UD receive starts with the GRH's room


def gid_of(addr):
    """The IPv4-mapped GID of ADDR as pyverbs prints one."""
    return '0000:0000:0000:0000:0000:ffff:%02x%02x:%02x%02x' % tuple(
        int(x) for x in addr.split('.'))


def poll(cq, what, seconds=20):
    """The next work completion on CQ, or fail after SECONDS."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        n, wcs = cq.poll(1)
        if n:
            return wcs[0]
        time.sleep(0.01)
    raise AssertionError(f'no completion for {what} within {seconds} s')


class UdSendErrorTest(GuestTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # rxe may be built in: its rxe0 says it is there.
        if 'rxe0' not in device_names():
            raise unittest.SkipTest('no rxe in this guest (no rxe0)')

    def setUp(self):
        super().setUp()	# rdma-core's: --dev's; this test makes a device of its own
        add_device_on_veth(self, 'rxe', DEVICE, NETDEV, PEER, ADDR)
        sh('ip', 'neigh', 'replace', NEIGHBOUR, 'lladdr', NEIGHBOUR_MAC, 'dev', NETDEV,
           'nud', 'permanent')
        self.ctx = Context(name=DEVICE)
        self.addCleanup(self.ctx.close)
        self.gid_index = self.wait_for_gid()
        self.pd = PD(self.ctx)
        self.cq = CQ(self.ctx, 16)
        self.buf = MR(self.pd, 4 * (MSG + GRH), e.IBV_ACCESS_LOCAL_WRITE)
        self.a = self.ud_qp()
        self.b = self.ud_qp()
        self.local = self.ah_to(self.ctx.query_gid(1, self.gid_index))
        self.away = self.ah_to(GID(gid_of(NEIGHBOUR)))

    def ah_to(self, gid):
        gr = GlobalRoute(dgid=gid, sgid_index=self.gid_index)
        return AH(self.pd, attr=AHAttr(gr=gr, is_global=1, port_num=1))

    def wait_for_gid(self):
        """The index of the RoCE v2 GID that holds ADDR, once it exists."""
        want = gid_of(ADDR)
        for _ in range(200):
            for i in range(self.ctx.query_port(1).gid_tbl_len):
                try:
                    gid = str(self.ctx.query_gid(1, i))
                except Exception:
                    continue
                if gid == want and \
                   self.ctx.query_gid_type(1, i) == e.IBV_GID_TYPE_SYSFS_ROCE_V2:
                    return i
            time.sleep(0.05)
        self.fail(f'{DEVICE} has no RoCE v2 GID for {ADDR}')

    def ud_qp(self):
        cap = QPCap(max_send_wr=4, max_recv_wr=4, max_send_sge=1, max_recv_sge=1)
        qp = QP(self.pd, QPInitAttr(qp_type=e.IBV_QPT_UD, scq=self.cq, rcq=self.cq, cap=cap))
        attr = QPAttr()
        attr.qkey = QKEY
        attr.port_num = 1
        qp.to_rts(attr)
        return qp

    def sge(self, slot, length):
        return SGE(self.buf.buf + slot * (MSG + GRH), length, self.buf.lkey)

    def send(self, src, ah, qpn, wr_id):
        wr = SendWR(wr_id=wr_id, opcode=e.IBV_WR_SEND, num_sge=1, sg=[self.sge(3, MSG)])
        wr.set_wr_ud(ah, qpn, QKEY)
        src.post_send(wr)

    def recv(self, qp, slot, wr_id):
        qp.post_recv(RecvWR(wr_id=wr_id, num_sge=1, sg=[self.sge(slot, MSG + GRH)]))

    def test_failed_send_stops_the_send_queue_only(self):
        # A works before the cut: B's datagram lands in A's first receive.
        self.recv(self.a, 0, 10)
        self.recv(self.a, 1, 11)
        self.send(self.b, self.local, self.a.qp_num, 1)
        self.send(self.a, self.away, 2, 2)
        seen = {poll(self.cq, 'the first send').wr_id, poll(self.cq, 'its receive').wr_id,
                poll(self.cq, 'the send to the neighbour').wr_id}
        self.assertEqual(seen, {1, 2, 10})

        # The link goes down: A's send to the neighbour cannot leave.
        sh('ip', 'link', 'set', NETDEV, 'down')
        self.send(self.a, self.away, 2, 4)
        wc = poll(self.cq, 'the send while the link is down')
        # It completes with its own error, not as flushed.
        self.assertEqual(wc.wr_id, 4)
        self.assertNotIn(wc.status, (e.IBV_WC_SUCCESS, e.IBV_WC_WR_FLUSH_ERR),
                         f'status {wc.status}')
        attr, _ = self.a.query(e.IBV_QP_STATE)
        self.assertEqual(attr.qp_state, e.IBV_QPS_SQE,
                         'a UD send error must leave the QP in SQE, not '
                         f'{attr.qp_state} (IBV_QPS_ERR is {e.IBV_QPS_ERR})')
        # The receive A still has posted was not flushed.
        n, _ = self.cq.poll(1)
        self.assertEqual(n, 0, 'a completion besides the failed send (a flushed receive?)')

        # What the MAD layer does: back to RTS, and A receives again.
        self.a.modify(QPAttr(qp_state=e.IBV_QPS_RTS, cur_qp_state=e.IBV_QPS_SQE),
                      e.IBV_QP_STATE | e.IBV_QP_CUR_STATE)
        sh('ip', 'link', 'set', NETDEV, 'up')
        self.wait_for_gid()
        self.send(self.b, self.local, self.a.qp_num, 3)
        # A loopback send and its receive complete in either order.
        wcs = {wc.wr_id: wc for wc in (poll(self.cq, 'a send after the link is back'),
                                       poll(self.cq, "A's receive posted before the cut"))}
        self.assertEqual(sorted(wcs), [3, 11])
        self.assertEqual(wcs[3].status, e.IBV_WC_SUCCESS)
        self.assertEqual((wcs[11].status, wcs[11].byte_len), (e.IBV_WC_SUCCESS, MSG + GRH))
