# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""Operations between endpoints of one guest, over its own address.

A connection to the node's own address is a real RC connection through
rxe (two QPs, as any RC loopback), so everything below crosses the same
code as two nodes do: RDMA CM, the control messages, grants, chunking.
Two-guest tests are in tests/pair.
"""

import errno
import hashlib
import mmap
import os
import select
import subprocess
import sys
import textwrap

from .bulk_base import B, BulkTestCase, PyverbsRDMAError, bulk_connections, child_env, \
    post_status, rdma_count, user_rc_qps, wait_wcs

RW = B.ACCESS_REMOTE_READ | B.ACCESS_REMOTE_WRITE

# rxe moves 8 MiB per message: 9 MiB takes two chunks. Bigger sizes run in
# the two-guest job on the kernel without KASAN (tests/pair).
SIZES = (1, 7, 4096, 65537, 1 << 20, 9 << 20)


def fill(buf, offset, length, seed):
    """Deterministic bytes, different per seed and offset."""
    block = hashlib.sha256(f'{seed}'.encode()).digest() * 2048
    out = bytearray()
    while len(out) < length:
        out += block
    buf[offset:offset + length] = bytes(out[:length])
    return hashlib.sha256(buf[offset:offset + length]).hexdigest()


def digest(buf, offset, length):
    return hashlib.sha256(buf[offset:offset + length]).hexdigest()


class LoopbackCase(BulkTestCase):
    """Endpoint `a` (initiator) and `z` (target) with MRs and connections."""

    SIZE = 10 << 20

    def setUp(self):
        super().setUp()
        self.ctx = self.context()
        self.ip = self.guest_addr()
        self.a = self.endpoint(self.ctx)
        self.z = self.endpoint(self.ctx)
        self.abuf = self.buffer(self.SIZE)
        self.zbuf = self.buffer(self.SIZE)
        self.amr = self.mr(self.a, self.abuf, RW)
        self.zmr = self.mr(self.z, self.zbuf, RW)
        self.az = self.conn(self.a, self.z.ep_id())
        self.za = self.conn(self.z, self.a.ep_id())

    def buffer(self, size):
        buf = mmap.mmap(-1, size)
        self.addCleanup(buf.close)
        return buf

    def mr(self, ep, buf, access=0):
        mr = B.BulkMR(ep, buf, access)
        self.addCleanup(mr.close)
        return mr

    def conn(self, ep, remote):
        c = B.BulkConnection(ep, self.ip, remote)
        self.addCleanup(c.close)
        return c

    def grant(self, offset=0, length=None, access=RW):
        """z grants a range of its MR to a; revoked at cleanup."""
        g = self.za.grant(self.zmr, offset, length or self.SIZE - offset, access)
        self.addCleanup(self._revoke, g)
        return g

    def _revoke(self, g):
        try:
            self.za.revoke(g)
        except PyverbsRDMAError as e:
            if e.error_code != errno.ENOENT:
                raise

    def op(self, opcode, length, offset=0, conn=None, mr=None, **kw):
        if conn is None and opcode != B.OP_RECV:
            conn = self.az
        mr = mr or (self.zmr if opcode == B.OP_RECV else self.amr)
        return B.BulkOp(opcode=opcode, conn=conn if conn else None, mr=mr,
                    offset=offset, length=length, **kw)

    def post(self, ep, *ops):
        ret, n = post_status(ep, list(ops))
        self.assertEqual((ret, n), (0, len(ops)), os.strerror(ret) if ret else '')

    def one(self, ep, timeout=120):
        wcs = wait_wcs(ep, 1, timeout)
        self.assertEqual(len(wcs), 1)
        return wcs[0]


class DataTest(LoopbackCase):
    def test_write_sizes_unaligned(self):
        g = self.grant()
        for size in SIZES:
            with self.subTest(size=size):
                want = fill(self.abuf, 3, size, size)
                self.post(self.a, self.op(B.OP_WRITE, size, 3, wr_id=size,
                                          remote_grant=g, remote_offset=5))
                wc = self.one(self.a)
                self.assertEqual((wc.wr_id, wc.opcode, wc.status, wc.byte_len),
                                 (size, B.OP_WRITE, 0, size))
                self.assertEqual(digest(self.zbuf, 5, size), want)

    def test_small_ops_across_a_page(self):
        """WRITEs and READs of a few bytes whose source crosses a page.

        siw copies a payload that small into the packet itself, and took
        the wrong length for the first page's part: the bytes after the
        boundary arrived wrong (RDMA/siw patch "Copy a small payload that
        crosses a page from both pages").
        """
        g = self.grant()
        for opcode, name in ((B.OP_WRITE, 'write'), (B.OP_READ, 'read')):
            for size in (2, 3, 5, 8, 13, 24):
                with self.subTest(op=name, size=size):
                    # The source's page boundary falls inside the payload.
                    src_off = (4 << 12) - size // 2
                    dst_off = 7 * 4096 + 100
                    src, dst = (self.abuf, self.zbuf) if opcode == B.OP_WRITE else \
                        (self.zbuf, self.abuf)
                    src[src_off:src_off + size] = os.urandom(size)
                    dst[dst_off:dst_off + size] = bytes(size)
                    loff, roff = (src_off, dst_off) if opcode == B.OP_WRITE else \
                        (dst_off, src_off)
                    self.post(self.a, self.op(opcode, size, loff, wr_id=size,
                                              remote_grant=g, remote_offset=roff))
                    wc = self.one(self.a)
                    self.assertEqual((wc.status, wc.byte_len), (0, size))
                    self.assertEqual(dst[dst_off:dst_off + size].hex(),
                                     src[src_off:src_off + size].hex())

    def test_write_completion_means_the_data_landed(self):
        """The tail of each WRITE is at the target when the WRITE completes.

        iWARP (siw) completes an RDMA WRITE once the data is handed to TCP;
        ib_bulk then confirms it with a READ behind it. Without that, the
        last bytes were sometimes still missing here.
        """
        g = self.grant()
        size = 2 << 20
        for i in range(12):
            with self.subTest(i=i):
                want = fill(self.abuf, 0, size, f'landed{i}')
                self.post(self.a, self.op(B.OP_WRITE, size, remote_grant=g))
                self.assertEqual(self.one(self.a).status, 0)
                self.assertEqual(digest(self.zbuf, size - 65536, 65536),
                                 digest(self.abuf, size - 65536, 65536))
                self.assertEqual(digest(self.zbuf, 0, size), want)

    def test_write_and_read_ending_at_a_whole_mib_mr_end(self):
        """The last bytes of an MR of whole MiBs (rxe: a whole number of maps).

        Linux 6.1's rxe read one map past the end of such an MR
        (kernel/patches/6.1/0003); KASAN in this guest reports it.
        """
        buf = self.buffer(2 << 20)
        mr = self.mr(self.z, buf, RW)
        g = self.za.grant(mr, 0, len(buf), RW)
        self.addCleanup(self.za.revoke, g)
        want = fill(self.abuf, 0, 4096, 'end')
        self.post(self.a, self.op(B.OP_WRITE, 4096, remote_grant=g,
                                  remote_offset=len(buf) - 4096))
        self.assertEqual(self.one(self.a).status, 0)
        self.assertEqual(digest(buf, len(buf) - 4096, 4096), want)
        self.post(self.a, self.op(B.OP_READ, 4096, 8192, remote_grant=g,
                                  remote_offset=len(buf) - 4096))
        self.assertEqual(self.one(self.a).status, 0)
        self.assertEqual(digest(self.abuf, 8192, 4096), want)

    def test_read_sizes_unaligned(self):
        g = self.grant()
        for size in SIZES:
            with self.subTest(size=size):
                want = fill(self.zbuf, 11, size, size + 1)
                self.post(self.a, self.op(B.OP_READ, size, 1, wr_id=size,
                                          remote_grant=g, remote_offset=11))
                wc = self.one(self.a)
                self.assertEqual((wc.wr_id, wc.opcode, wc.status, wc.byte_len),
                                 (size, B.OP_READ, 0, size))
                self.assertEqual(digest(self.abuf, 1, size), want)

    def test_write_with_immediate_after_data(self):
        g = self.grant()
        for size in (1, 1 << 20, 9 << 20):
            with self.subTest(size=size):
                want = fill(self.abuf, 0, size, size + 2)
                self.post(self.a, self.op(B.OP_WRITE, size, wr_id=1, flags=B.OP_F_IMM,
                                          imm=0xC0FFEE00 | (size & 0xff),
                                          remote_grant=g, remote_offset=64))
                wc = self.one(self.z)
                # The immediate arrives after the data, with who sent it.
                self.assertEqual(digest(self.zbuf, 64, size), want)
                self.assertEqual((wc.wr_id, wc.opcode, wc.status, wc.byte_len, wc.imm,
                                  wc.src_ep),
                                 (0, B.WC_IMM, 0, size, 0xC0FFEE00 | (size & 0xff),
                                  self.a.ep_id()))
                wc = self.one(self.a)
                self.assertEqual((wc.opcode, wc.status, wc.byte_len), (B.OP_WRITE, 0, size))

    def test_send_recv_sizes(self):
        for size in (1, 4096, 65537, 9 << 20):
            with self.subTest(size=size):
                self.post(self.z, self.op(B.OP_RECV, size + 100, 7, wr_id=77))
                want = fill(self.abuf, 13, size, size + 3)
                self.post(self.a, self.op(B.OP_SEND, size, 13, wr_id=66))
                wc = self.one(self.z)
                self.assertEqual((wc.wr_id, wc.opcode, wc.status, wc.byte_len, wc.src_ep),
                                 (77, B.WC_RECV, 0, size, self.a.ep_id()))
                self.assertEqual(digest(self.zbuf, 7, size), want)
                wc = self.one(self.a)
                self.assertEqual((wc.wr_id, wc.opcode, wc.status, wc.byte_len),
                                 (66, B.OP_SEND, 0, size))

    def test_recvs_match_in_order(self):
        for i in range(3):
            self.post(self.z, self.op(B.OP_RECV, 16, i * 16, wr_id=100 + i))
        for i in range(3):
            self.abuf[i * 8:i * 8 + 8] = f'message{i}'.encode()
            self.post(self.a, self.op(B.OP_SEND, 8, i * 8, wr_id=i))
        wcs = wait_wcs(self.z, 3)
        self.assertEqual([w.wr_id for w in wcs], [100, 101, 102])
        for i in range(3):
            self.assertEqual(bytes(self.zbuf[i * 16:i * 16 + 8]), f'message{i}'.encode())
        self.assertEqual(sorted(w.status for w in wait_wcs(self.a, 3)), [0, 0, 0])

    def test_send_without_recv_is_receiver_not_ready(self):
        self.post(self.a, self.op(B.OP_SEND, 10, wr_id=5))
        wc = self.one(self.a)
        self.assertEqual((wc.wr_id, wc.status, wc.byte_len), (5, errno.ENOBUFS, 0))
        self.assertEqual(self.z.poll(), [])

    def test_send_larger_than_recv_is_refused_not_cut(self):
        self.post(self.z, self.op(B.OP_RECV, 8, wr_id=9))
        self.post(self.a, self.op(B.OP_SEND, 9, wr_id=1))
        self.assertEqual(self.one(self.a).status, errno.EMSGSIZE)
        # The RECV is still posted and takes the next message that fits.
        self.post(self.a, self.op(B.OP_SEND, 8, wr_id=2))
        self.assertEqual(self.one(self.a).status, 0)
        wc = self.one(self.z)
        self.assertEqual((wc.wr_id, wc.status, wc.byte_len), (9, 0, 8))

    def test_fd_polls_readable_with_completions(self):
        self.assertEqual(select.select([self.z.ep_fd()], [], [], 0)[0], [])
        self.post(self.z, self.op(B.OP_RECV, 8))
        self.post(self.a, self.op(B.OP_SEND, 8))
        r, _, _ = select.select([self.z.ep_fd()], [], [], 60)
        self.assertEqual(r, [self.z.ep_fd()])
        self.assertEqual(len(self.z.poll()), 1)
        self.assertEqual(select.select([self.z.ep_fd()], [], [], 0)[0], [])
        self.one(self.a)

    def test_batch_of_mixed_operations(self):
        g = self.grant()
        fill(self.abuf, 0, 1 << 16, 42)
        ops = [self.op(B.OP_WRITE, 4096, i * 4096, wr_id=i, remote_grant=g,
                       remote_offset=i * 4096) for i in range(16)]
        ops += [self.op(B.OP_READ, 4096, (1 << 16) + i * 4096, wr_id=100 + i,
                        remote_grant=g, remote_offset=(1 << 20) + i * 4096)
                for i in range(16)]
        self.post(self.a, *ops)
        wcs = wait_wcs(self.a, 32)
        # Exactly one completion per operation.
        self.assertEqual(sorted(w.wr_id for w in wcs), list(range(16)) + list(range(100, 116)))
        self.assertTrue(all(w.status == 0 for w in wcs), wcs)
        self.assertEqual(digest(self.zbuf, 0, 1 << 16), digest(self.abuf, 0, 1 << 16))


class GrantTest(LoopbackCase):
    def check_one_fails(self, op, status):
        self.post(self.a, op)
        wc = self.one(self.a)
        self.assertEqual((wc.status, wc.byte_len), (status, 0), wc)

    def check_connection_still_serves(self, g, base=0):
        """A WRITE through grant g (at base in z's MR) still works."""
        fill(self.abuf, 0, 100, 'alive')
        self.post(self.a, self.op(B.OP_WRITE, 100, remote_grant=g, remote_offset=0))
        self.assertEqual(self.one(self.a).status, 0)
        self.assertEqual(digest(self.zbuf, base, 100), digest(self.abuf, 0, 100))

    def test_wrong_endpoint(self):
        g = self.grant(0, 4096)
        c = self.endpoint(self.ctx)
        cmr = self.mr(c, self.buffer(4096))
        cz = self.conn(c, self.z.ep_id())
        ret, n = post_status(c, [B.BulkOp(opcode=B.OP_WRITE, conn=cz, mr=cmr, length=16,
                                 remote_grant=g)])
        self.assertEqual((ret, n), (0, 1))
        wc = self.one(c)
        self.assertEqual(wc.status, errno.EACCES)
        self.check_connection_still_serves(g)

    def test_past_the_granted_range(self):
        g = self.grant(4096, 4096)
        self.check_one_fails(self.op(B.OP_WRITE, 4097, remote_grant=g), errno.ERANGE)
        self.check_one_fails(self.op(B.OP_READ, 1, remote_grant=g, remote_offset=4096),
                             errno.ERANGE)
        self.check_one_fails(self.op(B.OP_WRITE, 16, remote_grant=g,
                                     remote_offset=(1 << 64) - 8), errno.ERANGE)
        self.check_connection_still_serves(g, 4096)

    def test_read_on_write_only_grant(self):
        g = self.grant(access=B.ACCESS_REMOTE_WRITE)
        self.check_one_fails(self.op(B.OP_READ, 16, remote_grant=g), errno.EACCES)
        self.check_connection_still_serves(g)

    def test_write_on_read_only_grant(self):
        g = self.grant(access=B.ACCESS_REMOTE_READ)
        self.check_one_fails(self.op(B.OP_WRITE, 16, remote_grant=g), errno.EACCES)

    def test_use_after_revoke_and_unknown_grant(self):
        g = self.grant()
        self.za.revoke(g)
        self.check_one_fails(self.op(B.OP_WRITE, 16, remote_grant=g), errno.EACCES)
        self.check_one_fails(self.op(B.OP_READ, 16, remote_grant=g + 1000), errno.EACCES)
        with self.assertRaises(PyverbsRDMAError) as cm:
            self.za.revoke(g)
        self.assertEqual(cm.exception.error_code, errno.ENOENT)
        self.check_connection_still_serves(self.grant())

    def test_grant_checks(self):
        ro = self.mr(self.z, self.buffer(4096), B.ACCESS_REMOTE_READ)
        cases = (
            (self.zmr, 0, 0, RW, errno.EINVAL),                  # zero length
            (self.zmr, 0, 16, 0, errno.EINVAL),                  # no access
            (self.zmr, 0, 16, 1 << 7, errno.EINVAL),             # unknown access
            (self.zmr, self.SIZE - 8, 16, RW, errno.ERANGE),     # past the MR
            (ro, 0, 16, B.ACCESS_REMOTE_WRITE, errno.EACCES),    # more than the MR allows
        )
        for mr, off, length, access, err in cases:
            with self.subTest(off=off, length=length, access=access):
                with self.assertRaises(PyverbsRDMAError) as cm:
                    self.za.grant(mr, off, length, access)
                self.assertEqual(cm.exception.error_code, err)
        with self.assertRaises(PyverbsRDMAError) as cm:
            self.za.grant(self.amr, 0, 16, RW)  # another endpoint's MR
        self.assertEqual(cm.exception.error_code, errno.EINVAL)

    def test_dereg_refused_while_granted(self):
        buf = self.buffer(4096)
        mr = B.BulkMR(self.z, buf, RW)
        g = self.za.grant(mr, 0, 4096, RW)
        with self.assertRaises(PyverbsRDMAError) as cm:
            mr.close()
        self.assertEqual(cm.exception.error_code, errno.EBUSY)
        self.za.revoke(g)
        mr.close()


class PostInputTest(LoopbackCase):
    SIZE = 1 << 20

    def refused(self, op, err):
        ret, n = post_status(self.a, [self.op(B.OP_RECV, 8, mr=self.amr), op])
        self.assertEqual((ret, n), (err, 1))

    def test_bad_operations(self):
        g = self.grant()
        self.refused(self.op(9, 8), errno.EINVAL)                       # opcode
        self.refused(self.op(B.OP_WRITE, 0, remote_grant=g), errno.EINVAL)  # zero length
        self.refused(self.op(B.OP_READ, 8, flags=B.OP_F_IMM, remote_grant=g),
                     errno.EINVAL)                                      # IMM on READ
        self.refused(self.op(B.OP_WRITE, 8, flags=1 << 5, remote_grant=g),
                     errno.EINVAL)                                      # unknown flag
        self.refused(self.op(B.OP_WRITE, 8, imm=5, remote_grant=g), errno.EINVAL)
        self.refused(self.op(B.OP_SEND, 8, remote_grant=g), errno.EINVAL)
        self.refused(self.op(B.OP_WRITE, self.SIZE + 1, remote_grant=g), errno.ERANGE)
        self.refused(self.op(B.OP_WRITE, 8, (1 << 64) - 4, remote_grant=g), errno.ERANGE)
        # Another endpoint's MR or connection: refused by the library.
        self.refused(self.op(B.OP_WRITE, 8, mr=self.zmr, remote_grant=g), errno.EINVAL)
        self.refused(self.op(B.OP_WRITE, 8, conn=self.za, remote_grant=g), errno.EINVAL)
        # The RECVs accepted before each refusal complete when the endpoint closes.

    def test_completion_ring_bounds_what_is_accepted(self):
        ep = self.endpoint(self.ctx, cq_depth=4)
        mr = self.mr(ep, self.buffer(4096))
        ops = [B.BulkOp(opcode=B.OP_RECV, mr=mr, length=16, wr_id=i) for i in range(6)]
        self.assertEqual(post_status(ep, ops), (errno.ENOSPC, 4))

    def test_connect_errors(self):
        with self.assertRaises(PyverbsRDMAError) as cm:
            B.BulkConnection(self.a, self.ip, 0xfffffff0)
        self.assertEqual(cm.exception.error_code, errno.ECONNREFUSED)
        with self.assertRaises(PyverbsRDMAError) as cm:
            B.BulkConnection(self.a, self.ip, 0)
        self.assertEqual(cm.exception.error_code, errno.EINVAL)
        with self.assertRaises(PyverbsRDMAError) as cm:
            B.BulkConnection(self.a, '0.0.0.0', self.z.ep_id())
        self.assertEqual(cm.exception.error_code, errno.EINVAL)

    def test_unreachable_node_backs_off(self):
        """No host at .99: the connect fails; a retry right away gets EAGAIN."""
        import time
        with self.assertRaises(PyverbsRDMAError) as cm:
            B.BulkConnection(self.a, '192.0.2.99', 1)
        self.assertIn(cm.exception.error_code, (errno.EHOSTUNREACH, errno.ETIMEDOUT,
                                           errno.ENETUNREACH))
        t = time.monotonic()
        with self.assertRaises(PyverbsRDMAError) as cm:
            B.BulkConnection(self.a, '192.0.2.99', 1)
        # Unless this guest stalled past the 1 s backoff, it is EAGAIN.
        if time.monotonic() - t < 1.0:
            self.assertEqual(cm.exception.error_code, errno.EAGAIN)


CHILD = textwrap.dedent('''
    import os, select
    from pyverbs.device import Context
    import pyverbs.providers.bulk as B
    ctx = Context(name={dev!r})
    ep = B.BulkEndpoint(ctx)
    mr = B.BulkMR(ep, 10 << 20)
    c = B.BulkConnection(ep, {ip!r}, {zid})
    ops = [B.BulkOp(opcode=B.OP_RECV, mr=mr, length=64, offset=i * 64) for i in range(4)]
    ops += [B.BulkOp(opcode=B.OP_WRITE, conn=c, mr=mr, length=mr.length,
                     remote_grant={grant}, wr_id=1)]
    assert ep.post(ops) == 5
    if {kill}:
        os.kill(os.getpid(), 9)
    wcs = []
    while not wcs:
        select.select([ep.ep_fd()], [], [], 60)
        wcs = ep.poll(1)
    print('status', wcs[0].status, flush=True)
''')


# Owns an endpoint and grants its MR to endpoint {aid}; killed by its parent.
GRANTING_CHILD = textwrap.dedent('''
    import sys
    from pyverbs.device import Context
    import pyverbs.providers.bulk as B
    ctx = Context(name={dev!r})
    ep = B.BulkEndpoint(ctx)
    mr = B.BulkMR(ep, 1 << 20, B.ACCESS_REMOTE_READ | B.ACCESS_REMOTE_WRITE)
    c = B.BulkConnection(ep, {ip!r}, {aid})
    g = c.grant(mr, 0, mr.length, B.ACCESS_REMOTE_READ | B.ACCESS_REMOTE_WRITE)
    print(ep.ep_id(), g, flush=True)
    sys.stdin.readline()
''')


RAW_VERBS_CHILD = textwrap.dedent('''
    import sys
    from pyverbs.device import Context
    from pyverbs.pd import PD
    from pyverbs.cq import CQ
    from pyverbs.qp import QP, QPAttr, QPCap, QPInitAttr
    import pyverbs.enums as e
    ctx = Context(name='{dev}')
    pd = PD(ctx)
    cq = CQ(ctx, 16)
    qp = QP(pd, QPInitAttr(qp_type=e.IBV_QPT_RC, scq=cq, rcq=cq,
                           cap=QPCap(max_send_wr=16, max_recv_wr=16)))
    # On its port, as before connecting (a RESET QP has no port to list).
    qp.to_init(QPAttr(port_num=1))
    print('ready', flush=True)
    sys.stdin.readline()
''')


class SharingAndLifetimeTest(LoopbackCase):
    def child(self, grant, kill=False):
        src = CHILD.format(dev=self.dev_name, ip=self.ip, zid=self.z.ep_id(), grant=grant,
                           kill=kill)
        return subprocess.Popen([sys.executable, '-c', src], stdout=subprocess.PIPE,
                                text=True, env=child_env())

    def count(self, what):
        return rdma_count(what)

    def test_eight_processes_share_the_connection(self):
        """Eight processes reach z over the node's one loopback connection.

        The grant is a's, so each child's WRITE fails its grant check
        (EACCES): the children prove the connection is shared and that
        grants bind to the endpoint, not to the connection.
        """
        loopback = (self.ip, self.ip)
        before = bulk_connections(self.dev_name)
        g = self.grant(0, 1 << 20)
        procs = [self.child(g) for _ in range(8)]
        for p in procs:
            out, _ = p.communicate(timeout=300)
            self.assertEqual(p.returncode, 0)
            self.assertEqual(out.strip(), f'status {errno.EACCES}')
        # Still the loopback connection's two QPs (raw verbs: one per
        # process), whatever else earlier tests left connected.
        self.assertEqual(before.count(loopback), 2, before)
        self.assertEqual(bulk_connections(self.dev_name).count(loopback), 2)

    def test_raw_verbs_take_a_qp_per_process(self):
        """The comparison: eight raw-verbs processes hold eight RC QPs.

        Each child opens the device, makes the RC QP a verbs program needs
        for its own connection to the peer, and holds it until told to go.
        """
        before = user_rc_qps(self.dev_name)
        procs = [subprocess.Popen([sys.executable, '-c', RAW_VERBS_CHILD.format(dev=self.dev_name)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                 for _ in range(8)]
        try:
            for p in procs:
                self.assertEqual(p.stdout.readline().strip(), 'ready')
            self.assertEqual(user_rc_qps(self.dev_name), before + 8)
        finally:
            for p in procs:
                p.communicate('go\n', timeout=60)
        self.assertEqual([p.returncode for p in procs], [0] * 8)
        self.assertEqual(user_rc_qps(self.dev_name), before)

    def test_killed_process_leaks_nothing_and_others_go_on(self):
        g = self.grant()
        mrs_before = self.count('mr')
        p = self.child(g, kill=True)
        p.communicate(timeout=300)
        self.assertEqual(p.returncode, -9)
        self.assertEqual(self.count('mr'), mrs_before)
        fill(self.abuf, 0, 4096, 'after')
        self.post(self.a, self.op(B.OP_WRITE, 4096, remote_grant=g))
        self.assertEqual(self.one(self.a).status, 0)
        self.assertEqual(digest(self.zbuf, 0, 4096), digest(self.abuf, 0, 4096))

    def test_killed_owner_resets_its_handles(self):
        """A process that gave a grant dies: its users read ECONNRESET, not EACCES.

        The owner's kernel revokes the grant saying the endpoint is
        closing, so every WRITE, READ and SEND on a handle to it fails as
        a reset connection; a grant revoked by a live process still reads
        EACCES (test_use_after_revoke_and_unknown_grant).
        """
        p = subprocess.Popen([sys.executable, '-c', GRANTING_CHILD.format(
            dev=self.dev_name, ip=self.ip, aid=self.a.ep_id())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=child_env())
        self.addCleanup(p.stdout.close)
        self.addCleanup(p.stdin.close)
        self.addCleanup(p.kill)
        ep_id, g = (int(x) for x in p.stdout.readline().split())
        c = self.conn(self.a, ep_id)
        self.post(self.a, self.op(B.OP_WRITE, 4096, conn=c, remote_grant=g))
        self.assertEqual(self.one(self.a).status, 0)
        p.kill()
        p.wait(timeout=60)
        # The revoke is done once the child's file is closed; its exit
        # waits for that.
        got = {}
        for name, opcode, kw in (('WRITE', B.OP_WRITE, {'remote_grant': g}),
                                 ('READ', B.OP_READ, {'remote_grant': g}),
                                 ('SEND', B.OP_SEND, {})):
            self.post(self.a, self.op(opcode, 4096, conn=c, **kw))
            got[name] = errno.errorcode.get(self.one(self.a).status, 'ok')
        self.assertEqual(got, {'WRITE': 'ECONNRESET', 'READ': 'ECONNRESET',
                               'SEND': 'ECONNRESET'})
        # Other handles are untouched: a's grant from z still works.
        g2 = self.grant(0, 4096)
        self.post(self.a, self.op(B.OP_WRITE, 4096, remote_grant=g2))
        self.assertEqual(self.one(self.a).status, 0)

    def test_dereg_cancels_posted_recvs(self):
        buf = self.buffer(4096)
        mr = B.BulkMR(self.z, buf)
        ops = [B.BulkOp(opcode=B.OP_RECV, mr=mr, length=64, offset=i * 64, wr_id=i)
               for i in range(8)]
        self.assertEqual(post_status(self.z, ops), (0, 8))
        mr.close()
        wcs = self.z.poll(16)
        self.assertEqual([(w.wr_id, w.opcode, w.status) for w in wcs],
                         [(i, B.WC_RECV, errno.ECANCELED) for i in range(8)])
        # Nothing is posted any more: a SEND finds no buffer.
        self.post(self.a, self.op(B.OP_SEND, 8))
        self.assertEqual(self.one(self.a).status, errno.ENOBUFS)

    def test_send_to_a_closed_endpoint(self):
        ep = B.BulkEndpoint(self.ctx)
        ep_id = ep.ep_id()
        c = self.conn(self.a, ep_id)
        ep.close()
        self.post(self.a, self.op(B.OP_SEND, 8, conn=c))
        self.assertEqual(self.one(self.a).status, errno.ECONNRESET)
        with self.assertRaises(PyverbsRDMAError) as cm:
            B.BulkConnection(self.a, self.ip, ep_id)
        self.assertEqual(cm.exception.error_code, errno.ECONNREFUSED)


class AddressHelperTest(LoopbackCase):
    """librdmabulk: endpoints by local address, connections by host name."""

    def test_open_by_address_and_connect_by_name(self):
        ep = B.rdma_ep_open(self.ip)
        self.addCleanup(ep.close)
        c = B.rdma_connect(ep, self.ip, None, self.z.ep_id())
        self.addCleanup(c.close)
        mr = self.mr(ep, self.buffer(4096))
        self.post(self.z, self.op(B.OP_RECV, 64, wr_id=3))
        ret, n = post_status(ep, [B.BulkOp(opcode=B.OP_SEND, conn=c, mr=mr, length=64)])
        self.assertEqual((ret, n), (0, 1))
        self.assertEqual(self.one(ep).status, 0)
        wc = self.one(self.z)
        self.assertEqual((wc.wr_id, wc.src_ep), (3, ep.ep_id()))

    def test_first_active_device(self):
        ep = B.rdma_ep_open(None)
        self.addCleanup(ep.close)
        self.assertNotEqual(ep.ep_id(), 0)

    def test_address_errors(self):
        with self.assertRaises(PyverbsRDMAError) as cm:
            B.rdma_ep_open('203.0.113.7')     # nobody's address here
        self.assertEqual(cm.exception.error_code, errno.ENODEV)
        with self.assertRaises(PyverbsRDMAError) as cm:
            B.rdma_connect(self.a, 'no-such-host.invalid', None, self.z.ep_id())
        self.assertEqual(cm.exception.error_code, errno.EHOSTUNREACH)
