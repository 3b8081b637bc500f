# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""Bulk MRs: registration, its checks, RLIMIT_MEMLOCK and lifetime."""

import errno
import mmap
import os
import subprocess
import sys
import textwrap
import unittest

from base import BulkTestCase, figure, ibbulk

PAGE = mmap.PAGESIZE


class MemoryRegionTest(BulkTestCase):
    def buffer(self, size):
        buf = mmap.mmap(-1, size)
        self.addCleanup(buf.close)
        return buf

    def reg(self, ep, addr, length, access=0):
        mr = ibbulk.MemoryRegion(ep, addr, length, access)
        self.addCleanup(mr.close)
        return mr

    def test_register_and_deregister(self):
        ep = self.endpoint(self.context())
        buf = self.buffer(16 * PAGE)
        for access in (0, ibbulk.ACCESS_REMOTE_READ, ibbulk.ACCESS_REMOTE_WRITE,
                       ibbulk.ACCESS_REMOTE_READ | ibbulk.ACCESS_REMOTE_WRITE):
            mr = ibbulk.MemoryRegion(ep, ibbulk.address_of(buf), len(buf), access)
            mr.close()

    def test_unaligned_range(self):
        ep = self.endpoint(self.context())
        buf = self.buffer(4 * PAGE)
        self.reg(ep, ibbulk.address_of(buf, 100), 2 * PAGE + 17)

    def test_overlapping_registrations(self):
        ep = self.endpoint(self.context())
        buf = self.buffer(8 * PAGE)
        self.reg(ep, ibbulk.address_of(buf), 8 * PAGE)
        self.reg(ep, ibbulk.address_of(buf, PAGE), 2 * PAGE)

    def test_zero_length_and_unknown_access(self):
        ep = self.endpoint(self.context())
        buf = self.buffer(PAGE)
        for length, access in ((0, 0), (PAGE, 1 << 5)):
            with self.assertRaises(OSError) as cm:
                ibbulk.MemoryRegion(ep, ibbulk.address_of(buf), length, access)
            self.assertEqual(cm.exception.errno, errno.EINVAL)

    def test_unmapped_memory_refused(self):
        ep = self.endpoint(self.context())
        buf = mmap.mmap(-1, 4 * PAGE)
        addr = ibbulk.address_of(buf)
        buf.close()  # the range is unmapped now
        with self.assertRaises(OSError) as cm:
            ibbulk.MemoryRegion(ep, addr, 4 * PAGE)
        self.assertEqual(cm.exception.errno, errno.EFAULT)

    def test_endpoint_close_refused_while_mrs_exist(self):
        ctx = self.context()
        ep = ibbulk.Endpoint(ctx)
        buf = self.buffer(PAGE)
        mr = ibbulk.MemoryRegion(ep, ibbulk.address_of(buf), PAGE)
        with self.assertRaises(OSError) as cm:
            ep.close()
        self.assertEqual(cm.exception.errno, errno.EBUSY)
        mr.close()
        ep.close()

    def test_context_closed_with_mrs_registered(self):
        """Closing the uverbs file destroys MRs and endpoint together."""
        ctx = ibbulk.Context(self.DEVICE)
        ep = ibbulk.Endpoint(ctx)
        buf = self.buffer(4 * PAGE)
        for _ in range(4):
            ibbulk.MemoryRegion(ep, ibbulk.address_of(buf), 4 * PAGE)
        ctx.close()
        # The kernel side is gone; what is left to check is the kernel log
        # (KASAN, kmemleak) that vm-run judges at the end of the run.


# Runs as an unprivileged user (no CAP_IPC_LOCK, so the limit applies).
MEMLOCK_CHILD = textwrap.dedent('''
    import errno, mmap, os, resource, sys
    sys.path.insert(0, sys.argv[1])
    os.setgroups([]); os.setgid(65534); os.setuid(65534)
    import ibbulk
    limit = 64 * 1024
    resource.setrlimit(resource.RLIMIT_MEMLOCK, (limit, limit))
    ctx = ibbulk.Context(sys.argv[2])
    ep = ibbulk.Endpoint(ctx)
    buf = mmap.mmap(-1, 4 * limit)
    addr = ibbulk.address_of(buf)
    half = ibbulk.MemoryRegion(ep, addr, limit // 2)
    print('half ok')
    try:
        ibbulk.MemoryRegion(ep, addr + limit, limit)
        print('over the limit: registered')
    except OSError as e:
        print('over the limit:', errno.errorcode[e.errno])
    half.close()
    full = ibbulk.MemoryRegion(ep, addr + limit, limit)
    print('after dereg: full ok')
    full.close()
    ep.close()
    ctx.close()
''')


class MemlockTest(BulkTestCase):
    def test_memlock_enforced_and_returned(self):
        lib_dir = os.path.dirname(os.path.abspath(ibbulk.__file__))
        res = subprocess.run([sys.executable, '-c', MEMLOCK_CHILD, lib_dir, self.DEVICE],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             timeout=300)
        self.assertEqual(res.returncode, 0, res.stdout)
        lines = res.stdout.splitlines()
        self.assertEqual(lines[0], 'half ok', res.stdout)
        self.assertIn(lines[1], ('over the limit: ENOMEM', 'over the limit: EPERM'),
                      res.stdout)
        self.assertEqual(lines[2], 'after dereg: full ok', res.stdout)
        figure('RLIMIT_MEMLOCK', f'an MR past the limit refused ({lines[1].split()[-1]}), '
               'the limit counted back on deregistration')


if __name__ == '__main__':
    unittest.main()
