# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""Base classes for the tests that run inside a guest (buildlib/vm-run).

As in rdma-core's tests/base.py, a test that needs a device, a module or a
kernel feature the guest lacks is skipped with the reason, never failed and
never passed.
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                'lib'))
import ibbulk  # noqa: E402

try:
    import pyverbs.device as d
    import pyverbs.enums as e
    HAVE_PYVERBS = True
except ImportError:
    HAVE_PYVERBS = False


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
        except FileNotFoundError as e:
            raise unittest.SkipTest(str(e))

    def context(self):
        ctx = ibbulk.Context(self.DEVICE)
        self.addCleanup(ctx.close)
        return ctx

    def endpoint(self, ctx, **kw):
        ep = ibbulk.Endpoint(ctx, **kw)
        self.addCleanup(ep.close)
        return ep
