# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""The device goes away under open endpoints (`rdma link del`).

rxe and siw cannot disassociate a user context, so ib_uverbs lets the
removal wait until every process has closed its uverbs file; ib_bulk's
own client goes first. What a process sees meanwhile is the contract
tested here: operations in flight fail, new calls say ENODEV, closing
works, and once the device is back it serves as if new.

Not named test_*.py: it runs in a guest of its own (the `removal` stage),
in a Python process that holds no other context of the device, since the
removal waits for every uverbs file of the device to close (a context
some other test left to the garbage collector would hold it forever).
"""

import errno
import os
import re
import subprocess
import time

import pyverbs.device as d
from pyverbs.pyverbs_error import PyverbsUserError

from .bulk_base import B, BIN, BulkTestCase, PyverbsRDMAError, figure, is_iwarp, \
    kernel_at_least, post_status, wait_wcs
from .own_device import port_active

TOOL = os.path.join(BIN, 'bulk_uring')

RW = B.ACCESS_REMOTE_READ | B.ACCESS_REMOTE_WRITE
GONE = (errno.ENODEV, errno.ECONNRESET, errno.ECANCELED)
GONE_NAMES = [errno.errorcode[e] for e in GONE]


def slot_bytes(slot):
    """The 1 MiB that WRITEs from slot SLOT carry: a 4 KiB pattern that
    names the slot and the page, repeated."""
    return b''.join(bytes([slot, page]) * 2048 for page in range(256))


def links():
    """[(name, type, netdev)] of the RDMA links, in the kernel's order."""
    out = subprocess.run(['rdma', 'link', 'show'], stdout=subprocess.PIPE, text=True,
                         check=True).stdout
    res = []
    for m in re.finditer(r'^link (\S+)/\d+ .*?netdev (\S+)', out, re.M):
        name = m.group(1)
        res.append((name, 'siw' if name.startswith('siw') else 'rxe', m.group(2)))
    return res


class DeviceRemovalTest(BulkTestCase):

    def setUp(self):
        super().setUp()
        self.links = links()
        self.addCleanup(self.restore_links)

    def restore_links(self):
        """The links as they were, in their order.

        RDMA CM resolves the guest's address to the first device that has
        it: rxe0 added back behind siw0 (same eth0) would lose every
        connect to siw0 (ENETUNREACH), so the later links go and come back
        too.
        """
        now = [name for name, _, _ in links()]
        if now == [name for name, _, _ in self.links]:
            return
        missing = [n for n, _, _ in self.links].index(self.dev_name)
        for name, typ, netdev in self.links[missing:]:
            if name in now:
                subprocess.run(['rdma', 'link', 'del', name], check=True)
        for name, typ, netdev in self.links[missing:]:
            subprocess.run(['rdma', 'link', 'add', name, 'type', typ, 'netdev', netdev],
                           check=True)
        if not port_active(self.dev_name, 60)[0]:
            self.fail(f'{self.dev_name} not ACTIVE 60 s after it was added back')

    def test_removal_with_operations_in_flight(self):
        ctx = d.Context(name=self.dev_name)
        a, z = B.BulkEndpoint(ctx), B.BulkEndpoint(ctx)
        # rxe completes a WRITE when the target acknowledges it, so what
        # the removal finds unacknowledged fails. More than 8 MiB in flight
        # keeps rxe's requester tasklet busy for tens of seconds under TCG
        # (a soft-lockup report). siw completes a WRITE once it has handed
        # the last byte to TCP: 8 MiB could all leave before the removal
        # reached the QP (CI once saw 0 of 8 fail), so siw gets 32.
        count = 32 if is_iwarp(self.dev_name) else 8
        size = count << 20
        amr = B.BulkMR(a, size)
        zmr = B.BulkMR(z, size, RW)
        # Each 1 MiB slot its own bytes, so a slot that landed is told
        # from one that did not, and from its neighbours.
        for slot in range(count):
            amr.buf[slot << 20:(slot + 1) << 20] = slot_bytes(slot)
        az = B.BulkConnection(a, self.guest_addr(), z.ep_id())
        za = B.BulkConnection(z, self.guest_addr(), a.ep_id())
        g = za.grant(zmr, 0, size, RW)

        def write(i):
            return B.BulkOp(opcode=B.OP_WRITE, conn=az, mr=amr, length=1 << 20,
                        offset=(i % count) << 20, remote_grant=g,
                        remote_offset=(i % count) << 20, wr_id=i)

        recvs = [B.BulkOp(opcode=B.OP_RECV, mr=zmr, length=64, wr_id=1000000 + i)
                 for i in range(4)]
        self.assertEqual(post_status(a, [write(i) for i in range(count)]), (0, count))
        self.assertEqual(post_status(z, recvs), (0, 4))
        posted = count

        start = time.monotonic()
        rm = subprocess.Popen(['rdma', 'link', 'del', self.dev_name])
        try:
            # Each WRITE that succeeds is replaced, so that eight stay in
            # flight until the removal fails them, however fast they go.
            wcs = []
            while len(wcs) < posted:
                wc = wait_wcs(a, 1, 120)[0]
                wcs.append(wc)
                self.assertIn(rm.poll(), (None, 0), '`rdma link del` failed')
                self.assertLess(time.monotonic() - start, 300,
                                'the removal did not reach ib_bulk in 300 s')
                if wc.status == 0 and not any(w.status for w in wcs):
                    ret = post_status(a, [write(posted)])
                    if ret == (errno.ENODEV, 0):
                        continue	# the removal came between two WRITEs
                    self.assertEqual(ret, (0, 1))
                    posted += 1
            failed_after = time.monotonic() - start
            # Exactly one completion per operation; the removal failed
            # every one that had not finished.
            self.assertEqual(sorted(w.wr_id for w in wcs), list(range(posted)))
            self.assertEqual([w for w in wcs if w.status not in (0,) + GONE], [])
            failed = sum(1 for w in wcs if w.status)
            self.assertGreater(failed, 0, f'the removal failed none of {posted} WRITEs')
            self.assertLessEqual(failed, count)
            # A WRITE reported done has every byte at the target (the
            # slot's later WRITEs, failed or not, carry the same bytes).
            landed = sorted({w.wr_id % count for w in wcs if w.status == 0})
            for slot in landed:
                self.assertTrue(zmr.buf[slot << 20:(slot + 1) << 20] == slot_bytes(slot),
                                f'slot {slot}: a WRITE completed but its bytes are not there')
            self.assertEqual(sorted((w.wr_id, w.status) for w in wait_wcs(z, 4, 120)),
                             [(1000000 + i, errno.ECANCELED) for i in range(4)])
            figure('device removed under POST', f'{failed} of {posted} WRITEs failed '
                   f'(ENODEV/ECONNRESET), the last {failed_after:.1f} s after `rdma link del`; '
                   f'RECVs cancelled, new calls ENODEV, the {len(landed)} MiB of finished '
                   'WRITEs all at the target')

            # The endpoints stay until closed, but the device is gone.
            self.assertEqual(post_status(a, [write(0)]), (errno.ENODEV, 0))
            self.assertEqual(post_status(z, recvs[:1]), (errno.ENODEV, 0))
            for what, call in (('reg_mr', lambda: B.BulkMR(a, 4096)),
                               ('connect', lambda: B.BulkConnection(a, self.guest_addr(), z.ep_id())),
                               ('grant', lambda: za.grant(zmr, 0, 4096, RW)),
                               ('ep_open', lambda: B.BulkEndpoint(ctx))):
                with self.subTest(call=what):
                    with self.assertRaises(PyverbsRDMAError) as cm:
                        call()
                    self.assertEqual(cm.exception.error_code, errno.ENODEV)
            self.assertEqual(a.poll(), [])

            # Closing works, in the usual order, and lets the removal end.
            za.revoke(g)
            for o in (az, za, amr, zmr, a, z):
                o.close()
            ctx.close()
            self.assertEqual(rm.wait(timeout=120), 0)
        finally:
            if rm.poll() is None:
                # A failed check left objects open: the removal waits for
                # them; close what is left so the next tests find a device.
                # The grant first: an MR granted to a peer does not close
                # (EBUSY), nor does its endpoint.
                try:
                    za.revoke(g)
                except (PyverbsRDMAError, PyverbsUserError):
                    pass	# revoked already, or its connection closed
                for o in (az, za, amr, zmr, a, z, ctx):
                    try:
                        o.close()
                    except PyverbsRDMAError:
                        pass
                rm.wait(timeout=120)
        self.restore_links()
        self.check_transfer()

    def test_removal_with_uring_commands_in_flight(self):
        """32 WRITEs in flight through io_uring, half from a registered buffer.

        Also 4 RECVs queued through the same ring that nobody sends to
        (Linux 6.12): the removal ends each with its one CQE.
        """
        # 256 KiB each on rxe (8 MiB in flight), 1 MiB each on siw: see
        # test_removal_with_operations_in_flight for why.
        kib = 1024 if is_iwarp(self.dev_name) else 256
        p = subprocess.Popen([TOOL, self.dev_name, self.guest_addr(), 'removal', '32', str(kib)],
                             stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(p.stdout.readline(), 'submitted 32\n')
            rm = subprocess.Popen(['rdma', 'link', 'del', self.dev_name])
            out, _ = p.communicate(timeout=300)
            self.assertEqual(p.returncode, 0, out)
            self.assertEqual(rm.wait(timeout=120), 0)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        lines = out.splitlines()
        self.assertEqual(len(lines), 5, out)
        errors = [int(e) for e in lines[0].split()[1:]]
        m = re.fullmatch(r'cqes (\d+) ok (\d+) failed (\d+)', lines[1])
        self.assertIsNotNone(m, out)
        cqes, ok, failed = map(int, m.groups())
        # Every WRITE submitted got its one CQE; up to 32 were in flight.
        self.assertEqual(cqes, ok + failed)
        self.assertEqual(failed, len(errors))
        self.assertGreater(failed, 0, 'the removal failed nothing')
        self.assertLessEqual(failed, 32)
        self.assertEqual([e for e in errors if e not in GONE], [])
        recvs = lines[2].split()
        self.assertEqual(recvs[0], 'recvs', out)
        if kernel_at_least(6, 12):
            self.assertEqual([r for r in recvs[1:] if r not in GONE_NAMES], [], out)
        else:
            self.assertEqual(recvs[1:], ['EOPNOTSUPP'] * 4, out)
        self.assertEqual(len(recvs), 5, out)
        self.assertEqual(lines[3:], [f'after {-errno.ENODEV}', 'closed'])
        figure('device removed under io_uring', f'{failed} of {cqes} WRITEs failed, every '
               f'CQE delivered, the next one ENODEV; 4 queued RECVs: {" ".join(recvs[1:])}')
        self.restore_links()
        self.check_transfer()
