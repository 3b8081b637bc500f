# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""64 MiB operations, digest-checked, over the node's own address.

The `large` stage of tests/run boots the kernel without KASAN (the perf
flavour: TCG plus KASAN moves about 0.3 MB/s, so 64 MiB there takes
minutes) once with rxe0 and once with siw0 alone, and runs this module in
each, by name (not named test_*: the default set runs under KASAN); --dev
names the device. The kernel log is still checked for WARNING, BUG and
lockdep-free oopses by vm-run.
"""

import os
import subprocess

from .bulk_base import BIN
from .test_bulk_ops import B, LoopbackCase, digest, fill

SIZE = 64 << 20


class LargeTest(LoopbackCase):
    # Room for unaligned offsets on both sides.
    SIZE = SIZE + (1 << 20)

    def test_write_64mib_with_immediate(self):
        g = self.grant()
        want = fill(self.abuf, 3, SIZE, 'large-write')
        self.post(self.a, self.op(B.OP_WRITE, SIZE, 3, wr_id=1, flags=B.OP_F_IMM,
                                  imm=0x64, remote_grant=g, remote_offset=4093))
        wc = self.one(self.z, timeout=600)
        self.assertEqual((wc.opcode, wc.status, wc.byte_len, wc.imm, wc.src_ep),
                         (B.WC_IMM, 0, SIZE, 0x64, self.a.ep_id()))
        self.assertEqual(digest(self.zbuf, 4093, SIZE), want)
        wc = self.one(self.a, timeout=600)
        self.assertEqual((wc.wr_id, wc.opcode, wc.status, wc.byte_len),
                         (1, B.OP_WRITE, 0, SIZE))

    def test_read_64mib(self):
        g = self.grant()
        want = fill(self.zbuf, 77, SIZE, 'large-read')
        self.post(self.a, self.op(B.OP_READ, SIZE, 5, wr_id=2, remote_grant=g,
                                  remote_offset=77))
        wc = self.one(self.a, timeout=600)
        self.assertEqual((wc.wr_id, wc.opcode, wc.status, wc.byte_len),
                         (2, B.OP_READ, 0, SIZE))
        self.assertEqual(digest(self.abuf, 5, SIZE), want)

    def test_send_recv_64mib(self):
        self.post(self.z, self.op(B.OP_RECV, SIZE + 1000, 9, wr_id=3))
        want = fill(self.abuf, 1, SIZE, 'large-send')
        self.post(self.a, self.op(B.OP_SEND, SIZE, 1, wr_id=4))
        wc = self.one(self.z, timeout=600)
        self.assertEqual((wc.wr_id, wc.opcode, wc.status, wc.byte_len, wc.src_ep),
                         (3, B.WC_RECV, 0, SIZE, self.a.ep_id()))
        self.assertEqual(digest(self.zbuf, 9, SIZE), want)
        wc = self.one(self.a, timeout=600)
        self.assertEqual((wc.wr_id, wc.opcode, wc.status, wc.byte_len),
                         (4, B.OP_SEND, 0, SIZE))


class UringLargeTest(LoopbackCase):
    """The same sizes submitted through io_uring (tests/guest/bin/bulk_uring)."""

    SIZE = 4096     # the tool makes its own endpoints and buffers

    def test_64mib_through_io_uring(self):
        tool = os.path.join(BIN, 'bulk_uring')
        # The fixed cases use an io_uring registered buffer instead of an MR.
        for op, extra in (('write', []), ('read', []), ('send', []), ('write', ['fixed']),
                          ('read', ['fixed']), ('send', ['fixed'])):
            with self.subTest(op=op, extra=extra):
                out = subprocess.run([tool, self.dev_name, self.ip, 'data', op, str(SIZE), '1',
                                      '1', *extra], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, timeout=900)
                self.assertEqual((out.returncode, out.stdout.strip()), (0, 'ok ops=1'),
                                 out.stdout)
