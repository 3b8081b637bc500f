# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""pyverbs.providers.bulk: the Cython extension on pyverbs objects.

One guest, two endpoints of one Context over the loopback: a checked
WRITE, the errors (PyverbsRDMAError with the errno), and pyverbs' close
mechanics: children first, `with`, and a Context closed first.
"""

import os
import subprocess
import sys
import time

from pyverbs.device import Context
from pyverbs.pyverbs_error import PyverbsUserError

from .bulk_base import TOP, B, BulkTestCase, PyverbsRDMAError, child_env, rdma_count

SIZE = 1 << 20


class PyverbsBulkTest(BulkTestCase):

    def setUp(self):
        super().setUp()
        self.ctx = Context(name=self.dev_name)
        self.addCleanup(self.ctx.close)

    def wait(self, ep, count=1, timeout=60):
        wcs = []
        end = time.monotonic() + timeout
        while len(wcs) < count and time.monotonic() < end:
            wcs += ep.poll()
            time.sleep(0.005)
        self.assertEqual(len(wcs), count, f'{wcs} within {timeout} s')
        return wcs

    def test_write_between_endpoints(self):
        a = B.BulkEndpoint(self.ctx)
        z = B.BulkEndpoint.open(self.ctx, 64)
        self.assertNotEqual(a.ep_id(), z.ep_id())
        self.assertEqual(z.ep_cq_depth(), 64)
        amr = a.reg_mr(SIZE)
        zbuf = bytearray(SIZE)
        zmr = B.BulkMR(z, zbuf, B.ACCESS_REMOTE_WRITE)
        amr.buf[:] = os.urandom(SIZE)
        az = a.connect(self.guest_addr(), z.ep_id())
        za = z.connect((self.guest_addr(), 0), a.ep_id())
        grant = za.grant(zmr, 0, SIZE, B.ACCESS_REMOTE_WRITE)
        op = B.BulkOp(wr_id=7, opcode=B.OP_WRITE, conn=az, mr=amr, length=SIZE,
                      remote_grant=grant, flags=B.OP_F_IMM, imm=0x1234)
        self.assertEqual(a.post([op]), 1)
        (wc,) = self.wait(a)
        self.assertEqual((wc.wr_id, wc.status, wc.byte_len), (7, 0, SIZE))
        (imm,) = self.wait(z)
        self.assertEqual((imm.opcode, imm.imm, imm.src_ep), (B.WC_IMM, 0x1234, a.ep_id()))
        # The bytearray the MR was made of holds what was written.
        self.assertEqual(bytes(zbuf), bytes(amr.buf))
        za.revoke(grant)

    def test_errors_carry_the_errno(self):
        with self.assertRaises(PyverbsRDMAError) as cm:
            B.BulkEndpoint(self.ctx, cq_depth=1 << 30)
        self.assertEqual(cm.exception.error_code, 22)
        ep = B.BulkEndpoint(self.ctx)
        with self.assertRaises(PyverbsUserError):
            ep.reg_mr(0)
        with self.assertRaises(PyverbsRDMAError) as cm:
            ep.reg_mr(bytearray(4096), access=0x80)
        self.assertEqual(cm.exception.error_code, 22)
        with self.assertRaises(PyverbsUserError):
            ep.connect('no.such.address', 1)
        conn = ep.connect(self.guest_addr(), ep.ep_id())
        with self.assertRaises(PyverbsRDMAError) as cm:
            conn.revoke(12345)
        self.assertEqual(cm.exception.error_code, 2)
        # An op on a closed MR is refused before it reaches the kernel.
        mr = ep.reg_mr(4096)
        mr.close()
        with self.assertRaises(PyverbsUserError):
            ep.post([B.BulkOp(opcode=B.OP_WRITE, conn=conn, mr=mr, length=1)])

    def test_with_closes_children_first(self):
        before = rdma_count('mr')
        with B.BulkEndpoint(self.ctx) as ep:
            mr = ep.reg_mr(SIZE)
            conn = ep.connect(self.guest_addr(), ep.ep_id())
            self.assertEqual(rdma_count('mr'), before + 1)
        # The endpoint closed its MR and connection before itself.
        self.assertEqual(rdma_count('mr'), before)
        for call in (ep.ep_id, lambda: mr.buf, lambda: conn.revoke(1)):
            with self.assertRaises(PyverbsUserError):
                call()

    def test_context_closed_first(self):
        ctx = Context(name=self.dev_name)
        before = rdma_count('mr')
        ep = B.BulkEndpoint(ctx)
        mr = ep.reg_mr(SIZE)
        self.assertEqual(rdma_count('mr'), before + 1)
        ctx.close()
        # pyverbs' Context.close() closed the endpoint (and its MR) before
        # the device; nothing is left, and the handles say so.
        self.assertEqual(rdma_count('mr'), before)
        with self.assertRaises(PyverbsUserError):
            ep.ep_id()
        with self.assertRaises(PyverbsUserError):
            mr.buf
        mr.close()
        ep.close()

    def test_example_pyverbs_write(self):
        env = child_env()
        res = subprocess.run([sys.executable, os.path.join(TOP, 'examples', 'pyverbs_write.py'),
                              self.dev_name, self.guest_addr()], env=env, timeout=300,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assertEqual(res.returncode, 0, res.stdout)
        self.assertIn('landed intact', res.stdout)

    def test_system_pyverbs_not_shadowed(self):
        import pyverbs.device
        import pyverbs.providers.mlx5.mlx5dv  # noqa: F401
        self.assertTrue(pyverbs.device.__file__.startswith('/usr/'), pyverbs.device.__file__)
        self.assertIn('/build/python/', B.__file__)
