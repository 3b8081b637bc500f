# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""Bulk MRs: registration, its checks, RLIMIT_MEMLOCK and lifetime."""

import errno
import mmap
import subprocess
import sys
import textwrap

from .bulk_base import B, BulkTestCase, PyverbsRDMAError, address_of, \
    child_env, figure, rdma_count

PAGE = mmap.PAGESIZE


class MemoryRegionTest(BulkTestCase):
    def buffer(self, size):
        buf = mmap.mmap(-1, size)
        self.addCleanup(buf.close)
        return buf

    def reg(self, ep, buf, access=0):
        mr = B.BulkMR(ep, buf, access)
        self.addCleanup(mr.close)
        return mr

    def test_register_and_deregister(self):
        ep = self.endpoint(self.context())
        buf = self.buffer(16 * PAGE)
        for access in (0, B.ACCESS_REMOTE_READ, B.ACCESS_REMOTE_WRITE,
                       B.ACCESS_REMOTE_READ | B.ACCESS_REMOTE_WRITE):
            mr = B.BulkMR(ep, buf, access)
            mr.close()

    def test_unaligned_range(self):
        ep = self.endpoint(self.context())
        buf = self.buffer(4 * PAGE)
        mr = self.reg(ep, memoryview(buf)[100:100 + 2 * PAGE + 17])
        self.assertEqual((mr.addr, mr.length), (address_of(buf, 100), 2 * PAGE + 17))

    def test_overlapping_registrations(self):
        ep = self.endpoint(self.context())
        buf = self.buffer(8 * PAGE)
        self.reg(ep, buf)
        self.reg(ep, memoryview(buf)[PAGE:3 * PAGE])

    def test_zero_length_and_unknown_access(self):
        ep = self.endpoint(self.context())
        buf = self.buffer(PAGE)
        for length, access in ((0, 0), (PAGE, 1 << 5)):
            with self.assertRaises(PyverbsRDMAError) as cm:
                B.BulkMR(ep, memoryview(buf)[:length], access)
            self.assertEqual(cm.exception.error_code, errno.EINVAL)

    def test_unmapped_memory_refused(self):
        ep = self.endpoint(self.context())
        buf = mmap.mmap(-1, 4 * PAGE)
        addr = address_of(buf)
        buf.close()  # the range is unmapped now
        with self.assertRaises(PyverbsRDMAError) as cm:
            B.BulkMR(ep, 4 * PAGE, address=addr)
        self.assertEqual(cm.exception.error_code, errno.EFAULT)

    def test_context_closed_with_mrs_registered(self):
        """Closing the uverbs file destroys MRs and endpoint together.

        A child registers four MRs and exits without closing anything; the
        kernel's cleanup of its uverbs file must release every one.
        """
        before = rdma_count('mr')
        res = subprocess.run([sys.executable, '-c', ABANDONING_CHILD, self.dev_name],
                             env=child_env(), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=120)
        self.assertEqual((res.returncode, res.stdout.strip()), (0, 'registered 4'), res.stdout)
        self.assertEqual(rdma_count('mr'), before)


# Registers 4 MRs and leaves with them (os._exit: no destructor runs).
ABANDONING_CHILD = textwrap.dedent('''
    import mmap, os, sys
    from pyverbs.device import Context
    import pyverbs.providers.bulk as B
    ctx = Context(name=sys.argv[1])
    ep = B.BulkEndpoint(ctx)
    buf = mmap.mmap(-1, 4 * mmap.PAGESIZE)
    mrs = [B.BulkMR(ep, buf) for _ in range(4)]
    print('registered', len(mrs), flush=True)
    os._exit(0)
''')


# Runs as an unprivileged user (no CAP_IPC_LOCK, so the limit applies).
MEMLOCK_CHILD = textwrap.dedent('''
    import errno, mmap, os, resource, sys
    os.setgroups([]); os.setgid(65534); os.setuid(65534)
    from pyverbs.device import Context
    from pyverbs.pyverbs_error import PyverbsRDMAError
    import pyverbs.providers.bulk as B
    limit = 64 * 1024
    resource.setrlimit(resource.RLIMIT_MEMLOCK, (limit, limit))
    ctx = Context(name=sys.argv[1])
    ep = B.BulkEndpoint(ctx)
    buf = memoryview(mmap.mmap(-1, 4 * limit))
    half = B.BulkMR(ep, buf[:limit // 2])
    print('half ok')
    try:
        B.BulkMR(ep, buf[limit:2 * limit])
        print('over the limit: registered')
    except PyverbsRDMAError as e:
        print('over the limit:', errno.errorcode[e.error_code])
    half.close()
    full = B.BulkMR(ep, buf[limit:2 * limit])
    print('after dereg: full ok')
    full.close()
    ep.close()
    ctx.close()
''')


class MemlockTest(BulkTestCase):
    def test_memlock_enforced_and_returned(self):
        res = subprocess.run([sys.executable, '-c', MEMLOCK_CHILD, self.dev_name],
                             env=child_env(), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=300)
        self.assertEqual(res.returncode, 0, res.stdout)
        lines = res.stdout.splitlines()
        self.assertEqual(lines[0], 'half ok', res.stdout)
        self.assertIn(lines[1], ('over the limit: ENOMEM', 'over the limit: EPERM'),
                      res.stdout)
        self.assertEqual(lines[2], 'after dereg: full ok', res.stdout)
        figure('RLIMIT_MEMLOCK', f'an MR past the limit refused ({lines[1].split()[-1]}), '
               'the limit counted back on deregistration')
