# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""The transport over IPv6, between endpoints of one guest.

vm-run gives eth0 2001:db8::(N+1)/64 (VM_ADDR6) beside 192.0.2.(N+1) and
its link-local address, without duplicate address detection. A node is
its address: one reached by IPv4 and by IPv6 is two nodes to ib_bulk (two
connections; nothing on the wire says they are one), and an IPv4-mapped
IPv6 address is the IPv4 node. Two-guest IPv6 runs are in tests/pair.
"""

import errno
import json
import os
import socket
import subprocess
import time

from .bulk_base import B, BulkTestCase, PyverbsRDMAError, bulk_connections, wait_wcs
from .test_bulk_ops import digest, fill

SIZE = 1 << 20
RW = B.ACCESS_REMOTE_READ | B.ACCESS_REMOTE_WRITE


def link_local(ifname='eth0'):
    """The link-local address of IFNAME, with its %scope."""
    out = subprocess.run(['ip', '-6', '-j', 'addr', 'show', 'dev', ifname, 'scope', 'link'],
                         stdout=subprocess.PIPE, text=True, check=True).stdout
    for info in json.loads(out)[0]['addr_info']:
        if 'local' in info:
            return f'{info["local"]}%{ifname}'
    raise AssertionError(f'{ifname} has no link-local address')


class Ipv6Test(BulkTestCase):
    def setUp(self):
        super().setUp()
        self.addr6 = os.environ.get('VM_ADDR6')
        if not self.addr6:
            self.skipTest('vm-run gave this guest no IPv6 address (VM_ADDR6)')
        self.ctx = self.context()
        self.a = self.endpoint(self.ctx)
        self.z = self.endpoint(self.ctx)
        self.amr = self.mr(self.a, RW)
        self.zmr = self.mr(self.z, RW)

    def mr(self, ep, access):
        mr = B.BulkMR(ep, SIZE, access)
        self.addCleanup(mr.close)
        return mr

    def conn(self, ep, node, remote):
        c = B.BulkConnection(ep, node, remote)
        self.addCleanup(c.close)
        return c

    def one(self, ep, op):
        self.assertEqual(ep.post([op]), 1)
        wc = wait_wcs(ep, 1, 120)[0]
        self.assertEqual(wc.status, 0, wc)
        return wc

    def every_operation(self, node):
        """WRITE (with immediate), READ and SEND between a and z over @node."""
        az = self.conn(self.a, node, self.z.ep_id())
        za = self.conn(self.z, node, self.a.ep_id())
        g = za.grant(self.zmr, 0, SIZE, RW)
        self.addCleanup(za.revoke, g)
        want = fill(self.amr.buf, 0, SIZE, node)
        self.one(self.a, B.BulkOp(opcode=B.OP_WRITE, conn=az, mr=self.amr, length=SIZE,
                                  remote_grant=g, flags=B.OP_F_IMM, imm=6))
        wc = wait_wcs(self.z, 1, 120)[0]
        self.assertEqual((wc.opcode, wc.status, wc.imm, wc.src_ep),
                         (B.WC_IMM, 0, 6, self.a.ep_id()))
        self.assertEqual(digest(self.zmr.buf, 0, SIZE), want)
        want = fill(self.zmr.buf, 0, 4096, node + 'read')
        self.one(self.a, B.BulkOp(opcode=B.OP_READ, conn=az, mr=self.amr, length=4096,
                                  offset=8192, remote_grant=g))
        self.assertEqual(digest(self.amr.buf, 8192, 4096), want)
        self.z.post([B.BulkOp(opcode=B.OP_RECV, mr=self.zmr, offset=65536, length=100)])
        want = fill(self.amr.buf, 300, 100, node + 'send')
        self.one(self.a, B.BulkOp(opcode=B.OP_SEND, conn=az, mr=self.amr, offset=300,
                                  length=100))
        wc = wait_wcs(self.z, 1, 120)[0]
        self.assertEqual((wc.opcode, wc.status, wc.byte_len), (B.WC_RECV, 0, 100))
        self.assertEqual(digest(self.zmr.buf, 65536, 100), want)
        return az

    def test_every_operation_over_a_global_address(self):
        self.every_operation(self.addr6)

    def test_every_operation_over_the_link_local_address(self):
        self.every_operation(link_local())

    def test_dual_stack_node_is_two_connections(self):
        """The node by IPv4 and by IPv6: a connection each (connections to a
        node outlive the handles: earlier tests may have made them)."""
        v4, v6 = self.guest_addr(), self.addr6
        self.every_operation(v4)
        self.every_operation(v6)
        # A loopback connection is two CM ids, each from the address to itself.
        conns = bulk_connections(self.dev_name)
        self.assertEqual((conns.count((v4, v4)), conns.count((v6, v6))), (2, 2), conns)

    def test_v4_mapped_address_is_the_ipv4_node(self):
        v4 = self.guest_addr()
        self.every_operation('::ffff:' + v4)
        self.conn(self.a, v4, self.z.ep_id())
        # One connection to the IPv4 node, none to a v4-mapped address.
        conns = bulk_connections(self.dev_name)
        self.assertEqual(conns.count((v4, v4)), 2, conns)
        self.assertEqual([c for c in conns if c[1].startswith('::ffff:')], [], conns)

    def test_link_local_needs_the_right_scope(self):
        addr = link_local().split('%')[0]
        with self.assertRaises(PyverbsRDMAError) as cm:
            B.BulkConnection(self.a, addr, self.z.ep_id())	# no scope at all
        self.assertEqual(cm.exception.error_code, errno.EINVAL)
        lo = socket.if_nametoindex('lo')
        start = time.monotonic()
        with self.assertRaises(PyverbsRDMAError) as cm:
            B.BulkConnection(self.a, f'{addr}%{lo}', self.z.ep_id())
        # Not eth0's: the address resolves on no RDMA device, quickly.
        self.assertIn(cm.exception.error_code, (errno.ENODEV, errno.EHOSTUNREACH,
                                                errno.ENETUNREACH, errno.EADDRNOTAVAIL,
                                                errno.ETIMEDOUT))
        self.assertLess(time.monotonic() - start, 30)

    def test_unreachable_node(self):
        """Nobody at 2001:db8::99 on the link: the connect fails, clearly."""
        start = time.monotonic()
        with self.assertRaises(PyverbsRDMAError) as cm:
            B.BulkConnection(self.a, '2001:db8::99', 1)
        self.assertIn(cm.exception.error_code, (errno.EHOSTUNREACH, errno.ETIMEDOUT,
                                                errno.ENETUNREACH))
        self.assertLess(time.monotonic() - start, 60)

    def test_librdmabulk_by_ipv6_address(self):
        ep = B.rdma_ep_open(self.addr6)
        self.addCleanup(ep.close)
        c = B.rdma_connect(ep, self.addr6, None, self.z.ep_id())
        self.addCleanup(c.close)
        mr = self.mr(ep, 0)
        self.z.post([B.BulkOp(opcode=B.OP_RECV, mr=self.zmr, length=64, wr_id=3)])
        self.one(ep, B.BulkOp(opcode=B.OP_SEND, conn=c, mr=mr, length=64))
        wc = wait_wcs(self.z, 1, 120)[0]
        self.assertEqual((wc.wr_id, wc.status, wc.src_ep), (3, 0, ep.ep_id()))
