# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""Base classes for the tests that run inside a guest (buildlib/vm-run).

As in rdma-core's tests/base.py, a test that needs a device, a module or a
kernel feature the guest lacks is skipped with the reason, never failed and
never passed.
"""

import os
import sys
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, 'tests', 'lib'))
import ibbulk  # noqa: E402

# pyverbs.providers.bulk, when cmake built it: build/python must come
# before the first `import pyverbs` (its pyverbs package extends itself
# with the system's, which it never shadows).
sys.path.insert(0, os.path.join(TOP, 'build', 'python'))

try:
    import pyverbs.device as d
    import pyverbs.enums as e
    HAVE_PYVERBS = True
except ImportError:
    HAVE_PYVERBS = False


def figure(name, text):
    """A line for Documentation/reliability.md; buildlib/reliability collects them."""
    print(f'\nFIGURE {name} [{os.environ.get("BULK_TEST_DEVICE", "rxe0")}]: {text}', flush=True)


def rdma_resources(what):
    """The lines of `rdma resource show WHAT` (qp, mr, pd...): one per object."""
    import subprocess
    return subprocess.run(['rdma', 'resource', 'show', what], stdout=subprocess.PIPE,
                          text=True, check=True).stdout.splitlines()


def rdma_count(what):
    return len(rdma_resources(what))


def kernel_at_least(major, minor):
    """Whether the guest's kernel is Linux major.minor or later."""
    rel = os.uname().release.split('-')[0].split('.')
    return (int(rel[0]), int(rel[1])) >= (major, minor)


def device_names():
    if not HAVE_PYVERBS:
        return []
    return [dev.name.decode() for dev in d.get_device_list()]


class GuestTestCase(unittest.TestCase):
    """A test that must run in a vm-run guest."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if 'VM_NODE' not in os.environ:
            raise unittest.SkipTest('not in a vm-run guest (VM_NODE unset)')

    @staticmethod
    def guest_addr():
        return os.environ['VM_ADDR']


class RdmaTestCase(GuestTestCase):
    """A test on one RDMA device, DEVICE, of the guest."""

    DEVICE = 'rxe0'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not HAVE_PYVERBS:
            raise unittest.SkipTest('pyverbs not importable (use /usr/bin/python3)')
        if cls.DEVICE not in device_names():
            raise unittest.SkipTest(f'no RDMA device {cls.DEVICE}')

    def open_context(self):
        from pyverbs.device import Context
        ctx = Context(name=self.DEVICE)
        self.addCleanup(ctx.close)
        return ctx


def require_module(name):
    """Skip unless kernel module NAME is loaded (or built in)."""
    if not os.path.isdir(f'/sys/module/{name}'):
        raise unittest.SkipTest(f'kernel module {name} not loaded')


class BulkTestCase(GuestTestCase):
    """Skips unless the guest has the device, ib_bulk and the built library.

    BULK_TEST_DEVICE picks the device (the siw stage runs the transport's
    tests on siw0 in a guest without rxe0).
    """

    DEVICE = os.environ.get('BULK_TEST_DEVICE', 'rxe0')

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.DEVICE not in device_names():
            raise unittest.SkipTest(f'no RDMA device {cls.DEVICE}')
        require_module('ib_bulk')
        try:
            ibbulk.lib()
        except FileNotFoundError as err:
            raise unittest.SkipTest(str(err))

    def context(self):
        ctx = ibbulk.Context(self.DEVICE)
        self.addCleanup(ctx.close)
        return ctx

    def endpoint(self, ctx, **kw):
        ep = ibbulk.Endpoint(ctx, **kw)
        self.addCleanup(ep.close)
        return ep

    def check_transfer(self):
        """A fresh context moves 1 MiB by WRITE and 64 B by SEND over the loopback.

        What the fault tests end with: whatever happened before, a clean
        process is served.
        """
        import mmap
        B = ibbulk
        size = 1 << 20
        ctx = self.context()
        a, z = self.endpoint(ctx), self.endpoint(ctx)
        abuf, zbuf = mmap.mmap(-1, size), mmap.mmap(-1, size)
        abuf[:] = os.urandom(size)
        amr = B.MemoryRegion(a, B.address_of(abuf), size)
        self.addCleanup(amr.close)
        zmr = B.MemoryRegion(z, B.address_of(zbuf), size, B.ACCESS_REMOTE_WRITE)
        self.addCleanup(zmr.close)
        az = B.Connection(a, self.guest_addr(), z.id)
        self.addCleanup(az.close)
        za = B.Connection(z, self.guest_addr(), a.id)
        self.addCleanup(za.close)
        g = za.grant(zmr, 0, size, B.ACCESS_REMOTE_WRITE)
        self.addCleanup(za.revoke, g)
        op = B.Op(opcode=B.OP_WRITE, conn=az.ptr, mr=amr.ptr, length=size,
                  remote_grant=g, wr_id=5)
        self.assertEqual(B.post(a, [op]), (0, 1))
        wc = B.wait_wcs(a, 1, 120)[0]
        self.assertEqual((wc.wr_id, wc.status, wc.byte_len), (5, 0, size))
        self.assertEqual(zbuf[:], abuf[:])
        self.assertEqual(B.post(z, [B.Op(opcode=B.OP_RECV, mr=zmr.ptr, length=64,
                                         offset=64, wr_id=6)]), (0, 1))
        self.assertEqual(B.post(a, [B.Op(opcode=B.OP_SEND, conn=az.ptr, mr=amr.ptr,
                                         offset=4096, length=64, wr_id=7)]), (0, 1))
        self.assertEqual(B.wait_wcs(a, 1, 120)[0].status, 0)
        wc = B.wait_wcs(z, 1, 120)[0]
        self.assertEqual((wc.wr_id, wc.status, wc.byte_len), (6, 0, 64))
        self.assertEqual(zbuf[64:128], abuf[4096:4160])
