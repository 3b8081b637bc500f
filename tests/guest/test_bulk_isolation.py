# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""Isolation between processes and users sharing the node's transport.

Every process has its own uverbs file, so it can only name its own
endpoints, MRs and connections; what it can name across processes is an
endpoint id (to connect and SEND to) and a grant id (64-bit, from one
counter per node, so guessable). These tests check that guessing grants
gets another user nothing, that a forked child cannot use its parent's
MRs (whose pages are not its own), and that an unprivileged user moves
data within its RLIMIT_MEMLOCK.
"""

import errno
import mmap
import os
import subprocess
import sys
import textwrap

from .bulk_base import B, BulkTestCase, PyverbsRDMAError, bulk_connections, child_env, figure, \
    post_status, wait_wcs

SIZE = 64 * 1024

# Drops to uid/gid 65534 with a 256 KiB RLIMIT_MEMLOCK and no CAP_IPC_LOCK.
UNPRIVILEGED = textwrap.dedent('''
    import errno, os, resource, select, sys
    os.setgroups([]); os.setgid(65534); os.setuid(65534)
    limit = 256 * 1024
    resource.setrlimit(resource.RLIMIT_MEMLOCK, (limit, limit))
    from pyverbs.device import Context
    from pyverbs.pyverbs_error import PyverbsRDMAError
    import pyverbs.providers.bulk as B
    dev, addr = sys.argv[1], sys.argv[2]
    def wait_wcs(ep, count):
        wcs = []
        while len(wcs) < count:
            select.select([ep.ep_fd()], [], [], 120)
            wcs += ep.poll(count - len(wcs))
        return wcs
''')

# Two endpoints of a user, WRITE, READ and SEND between them, all checked.
USER_TRANSFER = UNPRIVILEGED + textwrap.dedent('''
    SIZE = 64 * 1024
    ctx = Context(name=dev)
    a, z = B.BulkEndpoint(ctx), B.BulkEndpoint(ctx)
    amr = B.BulkMR(a, 2 * SIZE)
    zmr = B.BulkMR(z, 2 * SIZE, B.ACCESS_REMOTE_READ | B.ACCESS_REMOTE_WRITE)
    abuf, zbuf = amr.buf, zmr.buf
    abuf[:SIZE] = os.urandom(SIZE)
    az = B.BulkConnection(a, addr, z.ep_id())
    za = B.BulkConnection(z, addr, a.ep_id())
    g = za.grant(zmr, 0, SIZE, B.ACCESS_REMOTE_READ | B.ACCESS_REMOTE_WRITE)
    def one(ep, op):
        assert ep.post([op]) == 1
        wc = wait_wcs(ep, 1)[0]
        assert wc.status == 0, wc
        return wc
    one(a, B.BulkOp(opcode=B.OP_WRITE, conn=az, mr=amr, length=SIZE, remote_grant=g))
    assert zbuf[:SIZE] == abuf[:SIZE]
    print('write ok')
    one(a, B.BulkOp(opcode=B.OP_READ, conn=az, mr=amr, offset=SIZE, length=SIZE,
                remote_grant=g))
    assert abuf[SIZE:] == abuf[:SIZE]
    print('read ok')
    assert z.post([B.BulkOp(opcode=B.OP_RECV, mr=zmr, offset=SIZE, length=4096)]) == 1
    one(a, B.BulkOp(opcode=B.OP_SEND, conn=az, mr=amr, offset=100, length=4096))
    wc = wait_wcs(z, 1)[0]
    assert (wc.status, wc.byte_len) == (0, 4096), wc
    assert zbuf[SIZE:SIZE + 4096] == abuf[100:4196]
    print('send ok')
    try:
        B.BulkMR(a, 256 * 1024)
        print('past the limit: registered')
    except PyverbsRDMAError as e:
        print('past the limit:', errno.errorcode[e.error_code])
    za.revoke(g)
    for o in (az, za, amr, zmr, a, z, ctx):
        o.close()
''')

# Another user's process aims WRITEs and READs at grant ids around one it
# was never given; prints each completion's status.
GRANT_GUESSER = UNPRIVILEGED + textwrap.dedent('''
    target_ep, grant = int(sys.argv[3]), int(sys.argv[4])
    ctx = Context(name=dev)
    ep = B.BulkEndpoint(ctx)
    mr = B.BulkMR(ep, 4096)
    buf = mr.buf
    buf[:] = b'\\xee' * 4096
    conn = B.BulkConnection(ep, addr, target_ep)
    guesses = [g for g in range(grant - 3, grant + 4) if g > 0]
    ops = [B.BulkOp(opcode=op, conn=conn, mr=mr, length=4096, remote_grant=g,
                wr_id=g * 2 + (op == B.OP_READ))
           for g in guesses for op in (B.OP_WRITE, B.OP_READ)]
    assert ep.post(ops) == len(ops)
    wcs = wait_wcs(ep, len(ops))
    print(' '.join(sorted({errno.errorcode.get(w.status, str(w.status)) for w in wcs})))
    print('read back', 'untouched' if buf[:] == b'\\xee' * 4096 else 'CHANGED')
    for o in (conn, mr, ep, ctx):
        o.close()
''')


def run_child(script, *args):
    res = subprocess.run([sys.executable, '-c', script, *map(str, args)], env=child_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=300)
    return res.returncode, res.stdout


class IsolationTest(BulkTestCase):
    def pair(self):
        """Endpoints a and z of this process; z grants its MR to a."""
        ctx = self.context()
        a, z = self.endpoint(ctx), self.endpoint(ctx)
        # Private, as a heap is: after fork() the child's copy is its own.
        abuf = mmap.mmap(-1, SIZE, flags=mmap.MAP_PRIVATE)
        zbuf = mmap.mmap(-1, SIZE)
        amr = B.BulkMR(a, abuf)
        self.addCleanup(amr.close)
        zmr = B.BulkMR(z, zbuf,
                             B.ACCESS_REMOTE_READ | B.ACCESS_REMOTE_WRITE)
        self.addCleanup(zmr.close)
        az = B.BulkConnection(a, self.guest_addr(), z.ep_id())
        self.addCleanup(az.close)
        za = B.BulkConnection(z, self.guest_addr(), a.ep_id())
        self.addCleanup(za.close)
        g = za.grant(zmr, 0, SIZE, B.ACCESS_REMOTE_READ | B.ACCESS_REMOTE_WRITE)
        self.addCleanup(za.revoke, g)
        return a, z, abuf, zbuf, amr, zmr, az, za, g

    def write_lands(self, a, az, amr, g, abuf, zbuf):
        """a WRITEs all of amr through grant g; z's memory then equals a's."""
        self.assertEqual(post_status(a, [B.BulkOp(opcode=B.OP_WRITE, conn=az, mr=amr,
                                         length=SIZE, remote_grant=g)]), (0, 1))
        self.assertEqual(wait_wcs(a, 1, 120)[0].status, 0)
        self.assertEqual(zbuf[:], abuf[:])

    def test_unprivileged_user_moves_data(self):
        """uid 65534 under a 256 KiB RLIMIT_MEMLOCK: WRITE, READ, SEND, all checked."""
        rc, out = run_child(USER_TRANSFER, self.dev_name, self.guest_addr())
        self.assertEqual(rc, 0, out)
        self.assertEqual(out.splitlines(), ['write ok', 'read ok', 'send ok',
                                            'past the limit: ENOMEM'])
        figure('unprivileged user', 'uid 65534 moved data by WRITE, READ and SEND within a '
               '256 KiB RLIMIT_MEMLOCK; one more MR past it refused (ENOMEM)')

    def test_other_user_cannot_use_grants(self):
        """Another user's WRITEs and READs at guessed grant ids all fail with EACCES."""
        a, z, abuf, zbuf, amr, zmr, az, za, g = self.pair()
        zbuf[:] = os.urandom(SIZE)
        before = zbuf[:]
        rc, out = run_child(GRANT_GUESSER, self.dev_name, self.guest_addr(), z.ep_id(), g)
        self.assertEqual(rc, 0, out)
        self.assertEqual(out.splitlines(), ['EACCES', 'read back untouched'])
        self.assertEqual(zbuf[:], before)
        # The grant the guesser aimed at was live: its owner's peer uses it.
        abuf[:] = os.urandom(SIZE)
        self.write_lands(a, az, amr, g, abuf, zbuf)
        figure('another user guessing grant ids', '14 WRITEs and READs at the 7 ids around a '
               'live grant: every one EACCES, no byte moved either way')

    def test_forked_child_cannot_use_parent_mrs(self):
        """After fork() the child may post on the endpoint, but not from the parent's MRs."""
        a, z, abuf, zbuf, amr, zmr, az, za, g = self.pair()
        zbuf[:] = bytes(SIZE)
        abuf[:] = b'\x11' * SIZE
        rd, wr = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(rd)
            code = 1
            try:
                code = self.child_after_fork(a, abuf, amr, zmr, az, za, g, wr)
            finally:
                os._exit(code)
        os.close(wr)
        with os.fdopen(rd) as f:
            report = f.read()
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0, report)
        self.assertEqual(report.splitlines(), [
            'post from parent MR: EPERM', 'grant of parent MR: EPERM',
            'dereg of parent MR: EPERM', 'own MR: status 0'])
        # What landed is the child's own memory, never the parent's.
        self.assertEqual(zbuf[:], b'\x22' * SIZE)
        # The parent's MRs still work for the parent.
        self.write_lands(a, az, amr, g, abuf, zbuf)
        figure('fork', "the child's posts, grants and deregistration of the parent's MRs "
               'refused (EPERM); its own MR on the inherited endpoint works')

    def test_short_connect_timeout_keeps_the_shared_connection(self):
        """A CONNECT that gives up after 1 ms costs the node's other users nothing.

        CONNECT's timeout comes from the process (IBV_BULK_CONNECT_TIMEOUT_MS).
        The kernel once judged the node by it: a check of the remote endpoint
        queued behind other processes' data and unanswered after 1 ms dropped
        the connection that every process of the node shares (the fuzz test
        on siw lost it that way in about every other run).
        """
        ctx = self.context()
        a, z, c = self.endpoint(ctx), self.endpoint(ctx), self.endpoint(ctx)
        big, n = 8 << 20, 8
        abuf, zbuf = mmap.mmap(-1, big), mmap.mmap(-1, big)
        amr = B.BulkMR(a, abuf)
        self.addCleanup(amr.close)
        zmr = B.BulkMR(z, zbuf, B.ACCESS_REMOTE_WRITE)
        self.addCleanup(zmr.close)
        az = B.BulkConnection(a, self.guest_addr(), z.ep_id())
        self.addCleanup(az.close)
        za = B.BulkConnection(z, self.guest_addr(), a.ep_id())
        self.addCleanup(za.close)
        g = za.grant(zmr, 0, big, B.ACCESS_REMOTE_WRITE)
        self.addCleanup(za.revoke, g)
        conns = bulk_connections(self.dev_name)
        abuf[:] = os.urandom(big)

        # 64 MiB on the shared connection ahead of c's check of z.
        ops = [B.BulkOp(opcode=B.OP_WRITE, conn=az, mr=amr, length=big, remote_grant=g,
                        wr_id=i) for i in range(n)]
        self.assertEqual(post_status(a, ops), (0, n))
        saved = os.environ.get('IBV_BULK_CONNECT_TIMEOUT_MS')
        os.environ['IBV_BULK_CONNECT_TIMEOUT_MS'] = '1'
        try:
            B.BulkConnection(c, self.guest_addr(), z.ep_id()).close()
            impatient = 'answered'
        except PyverbsRDMAError as e:
            impatient = errno.errorcode.get(e.error_code, str(e.error_code))
        finally:
            if saved is None:
                del os.environ['IBV_BULK_CONNECT_TIMEOUT_MS']
            else:
                os.environ['IBV_BULK_CONNECT_TIMEOUT_MS'] = saved
        # Behind 64 MiB no answer comes in 1 ms: the case is the one meant.
        self.assertEqual(impatient, 'ETIMEDOUT')

        wcs = wait_wcs(a, n, 300)
        self.assertEqual(sorted((w.wr_id, w.status) for w in wcs), [(i, 0) for i in range(n)])
        self.assertEqual(zbuf[:], abuf[:])
        # A patient CONNECT is answered on the same connection, after the
        # late answer to the withdrawn check, which must not count as a
        # protocol error.
        B.BulkConnection(c, self.guest_addr(), z.ep_id()).close()
        self.assertEqual(bulk_connections(self.dev_name), conns)
        figure('1 ms CONNECT behind 64 MiB', 'the impatient caller got ETIMEDOUT; the 8 WRITEs '
               'of 8 MiB ahead of it all landed and the shared connection stayed')

    @staticmethod
    def child_after_fork(a, abuf, amr, zmr, az, za, g, wr):
        out = []
        # The child's copy changes; the MR's pages stay the parent's.
        abuf[:] = b'\x22' * SIZE
        ret, n = post_status(a, [B.BulkOp(opcode=B.OP_WRITE, conn=az, mr=amr,
                                 length=SIZE, remote_grant=g)])
        out.append(f'post from parent MR: {errno.errorcode.get(ret, ret)}')
        try:
            za.grant(zmr, 0, 4096, B.ACCESS_REMOTE_READ)
            out.append('grant of parent MR: granted')
        except PyverbsRDMAError as e:
            out.append(f'grant of parent MR: {errno.errorcode[e.error_code]}')
        try:
            amr.close()
            out.append('dereg of parent MR: deregistered')
        except PyverbsRDMAError as e:
            out.append(f'dereg of parent MR: {errno.errorcode[e.error_code]}')
        # The endpoint itself, and the grant its peer gave it, are the
        # child's to use, with memory of its own (deregistered before it
        # exits: the parent could not, and the endpoint would stay busy).
        own = B.BulkMR(a, abuf)
        post_status(a, [B.BulkOp(opcode=B.OP_WRITE, conn=az, mr=own, length=SIZE,
                        remote_grant=g)])
        out.append(f'own MR: status {wait_wcs(a, 1, 120)[0].status}')
        own.close()
        os.write(wr, ('\n'.join(out) + '\n').encode())
        return 0
