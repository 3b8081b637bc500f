# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""Base classes and helpers of the tests that run inside a guest (buildlib/vm-run).

The classes derive from rdma-core's RDMATestCase (tests/base.py, staged
beside this package from Debian's python3-pyverbs), so the device comes
from run_tests.py's --dev and rdma-core's runner runs them. As in
rdma-core, a test that needs a device, a module or a kernel feature the
guest lacks is skipped with the reason, never failed and never passed.
"""

import ctypes
import json
import os
import select
import subprocess
import time
import unittest

from args_parser import parser

from .base import RDMATestCase

# The checkout: this file is staged as a symlink, so resolve it.
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
BUILD_PYTHON = os.path.join(TOP, 'build', 'python')
BIN = os.path.join(TOP, 'build', 'tests', 'bin')

import pyverbs.device as d  # noqa: E402
import pyverbs.enums as e  # noqa: E402
from pyverbs.pyverbs_error import PyverbsRDMAError  # noqa: E402
# Built with the userspace (cmake: cython3, python3-dev); its absence is a
# failed build, not a missing feature, so the import fails loudly.
import pyverbs.providers.bulk as B  # noqa: E402,F401


def figure(name, text):
    """A line for Documentation/reliability.md; buildlib/reliability collects them."""
    print(f'\nFIGURE {name} [{config_device() or "rxe0"}]: {text}', flush=True)


def config_device():
    """The device run_tests.py was given with --dev (None: rdma-core picks one)."""
    return parser.get_config()['dev']


def rdma_resources(what):
    """The lines of `rdma resource show WHAT` (qp, mr, pd...): one per object."""
    return subprocess.run(['rdma', 'resource', 'show', what], stdout=subprocess.PIPE,
                          text=True, check=True).stdout.splitlines()


def rdma_count(what):
    return len(rdma_resources(what))


def bulk_connections(device):
    """ib_bulk's connected RDMA CM ids on DEVICE, as (source, destination)
    address pairs without ports: a loopback connection is two of them."""
    out = subprocess.run(['rdma', '-j', 'resource', 'show', 'cm_id'], stdout=subprocess.PIPE,
                         text=True, check=True).stdout
    return sorted((c['src-addr'].rsplit(':', 1)[0], c['dst-addr'].rsplit(':', 1)[0])
                  for c in json.loads(out)
                  if c.get('ifname') == device and c.get('comm') == 'ib_bulk' and
                  c.get('state') == 'CONNECT')


def user_rc_qps(device):
    """The RC QPs of processes (not the kernel's) on DEVICE."""
    out = subprocess.run(['rdma', 'resource', 'show', 'qp', 'link', f'{device}/1'],
                         stdout=subprocess.PIPE, text=True, check=True).stdout
    return sum(1 for line in out.splitlines()
               if ' type RC ' in line and '[ib_bulk]' not in line)


def kernel_at_least(major, minor):
    """Whether the guest's kernel is Linux major.minor or later."""
    rel = os.uname().release.split('-')[0].split('.')
    return (int(rel[0]), int(rel[1])) >= (major, minor)


def is_iwarp(device):
    """Whether DEVICE is an iWARP one (siw), from its node type."""
    with open(f'/sys/class/infiniband/{device}/node_type') as f:
        return 'RNIC' in f.read()


def device_names():
    return [dev.name.decode() for dev in d.get_device_list()]


def require_module(name):
    """Skip unless kernel module NAME is loaded (or built in)."""
    if not os.path.isdir(f'/sys/module/{name}'):
        raise unittest.SkipTest(f'kernel module {name} not loaded')


def child_env(**extra):
    """The environment of a child Python that imports pyverbs.providers.bulk."""
    env = dict(os.environ, **extra)
    env['PYTHONPATH'] = os.pathsep.join(p for p in (BUILD_PYTHON, env.get('PYTHONPATH'))
                                        if p)
    return env


def address_of(buf, offset=0):
    """The address of a writable buffer (an mmap or a bytearray)."""
    return ctypes.addressof(ctypes.c_char.from_buffer(buf, offset))


def post_status(ep, ops):
    """ep.post(ops) as (errno, number posted): (0, len(ops)) when all went."""
    try:
        return 0, ep.post(ops)
    except PyverbsRDMAError as err:
        return err.error_code, err.posted


def wait_wcs(ep, count, timeout=60.0):
    """Poll until @count completions arrived (select() on the endpoint's fd)."""
    wcs = []
    deadline = time.monotonic() + timeout
    while len(wcs) < count:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f'{len(wcs)} of {count} completions after {timeout} s')
        select.select([ep.ep_fd()], [], [], left)
        wcs += ep.poll(count - len(wcs))
    return wcs


class GuestTestCase(RDMATestCase):
    """A test that must run in a vm-run guest, on the device --dev names."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if 'VM_NODE' not in os.environ:
            raise unittest.SkipTest('not in a vm-run guest (VM_NODE unset)')
        dev = config_device()
        if dev is not None and dev not in device_names():
            raise unittest.SkipTest(f'no RDMA device {dev}')

    @staticmethod
    def guest_addr():
        return os.environ['VM_ADDR']

    def _add_gids_per_port(self, ctx, dev, port):
        """rdma-core's choice of port, and siw's port too.

        siw's one GID is its MAC followed by zeros, which rdma-core's base
        takes for an empty slot: it would skip every test on siw0 ("No
        supported port is up"). The transport finds its GIDs through RDMA
        CM, so an active iWARP port is used with GID index 0.
        """
        had = len(self.args)
        super()._add_gids_per_port(ctx, dev, port)
        if (len(self.args) == had and ctx.query_port(port).state == e.IBV_PORT_ACTIVE and
                is_iwarp(dev)):
            self._get_ip_mac(dev, port, 0)


class BulkTestCase(GuestTestCase):
    """Skips unless the guest has ib_bulk."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        require_module('ib_bulk')

    def context(self):
        ctx = d.Context(name=self.dev_name)
        self.addCleanup(ctx.close)
        return ctx

    def endpoint(self, ctx, **kw):
        ep = B.BulkEndpoint(ctx, **kw)
        self.addCleanup(ep.close)
        return ep

    def check_transfer(self):
        """A fresh context moves 1 MiB by WRITE and 64 B by SEND over the loopback.

        What the fault tests end with: whatever happened before, a clean
        process is served.
        """
        size = 1 << 20
        with d.Context(name=self.dev_name) as ctx:
            a, z = B.BulkEndpoint(ctx), B.BulkEndpoint(ctx)
            amr = B.BulkMR(a, size)
            zmr = B.BulkMR(z, size, B.ACCESS_REMOTE_WRITE)
            amr.buf[:] = os.urandom(size)
            az = a.connect(self.guest_addr(), z.ep_id())
            za = z.connect(self.guest_addr(), a.ep_id())
            g = za.grant(zmr, 0, size, B.ACCESS_REMOTE_WRITE)
            self.assertEqual(a.post([B.BulkOp(opcode=B.OP_WRITE, conn=az, mr=amr,
                                              length=size, remote_grant=g, wr_id=5)]), 1)
            wc = wait_wcs(a, 1, 120)[0]
            self.assertEqual((wc.wr_id, wc.status, wc.byte_len), (5, 0, size))
            self.assertEqual(zmr.buf[:], amr.buf[:])
            z.post([B.BulkOp(opcode=B.OP_RECV, mr=zmr, length=64, offset=64, wr_id=6)])
            a.post([B.BulkOp(opcode=B.OP_SEND, conn=az, mr=amr, offset=4096, length=64,
                             wr_id=7)])
            self.assertEqual(wait_wcs(a, 1, 120)[0].status, 0)
            wc = wait_wcs(z, 1, 120)[0]
            self.assertEqual((wc.wr_id, wc.status, wc.byte_len), (6, 0, 64))
            self.assertEqual(zmr.buf[64:128], amr.buf[4096:4160])
            za.revoke(g)
