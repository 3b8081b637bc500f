# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""The guest has the soft RDMA devices vm-run made, and --dev's is usable."""

import ipaddress
import os
import resource

import pyverbs.device as d
import pyverbs.enums as e

from .bulk_base import GuestTestCase, device_names, is_iwarp


class DeviceListTest(GuestTestCase):
    def test_vm_run_links_listed(self):
        """Every NAME of VM_RDMA_LINKS ("NAME:TYPE ...") is an RDMA device."""
        want = [link.split(':')[0] for link in os.environ['VM_RDMA_LINKS'].split()]
        self.assertTrue(want)
        names = device_names()
        for name in want:
            self.assertIn(name, names)

    def test_memlock_unlimited(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_MEMLOCK)
        self.assertEqual(soft, resource.RLIM_INFINITY)
        self.assertEqual(hard, resource.RLIM_INFINITY)


class DeviceTest(GuestTestCase):
    """The device under test (--dev, or the one rdma-core's base picked)."""

    def setUp(self):
        super().setUp()
        self.ctx = d.Context(name=self.dev_name)
        self.addCleanup(self.ctx.close)

    def test_port_active(self):
        port = self.ctx.query_port(self.ib_port)
        self.assertEqual(port.state, e.IBV_PORT_ACTIVE,
                         f'{self.dev_name} port {self.ib_port} state {port.state}')

    def test_gid_holds_guest_address(self):
        """RoCE GIDs follow the netdev address vm-run set; siw's is its MAC's."""
        want = ipaddress.ip_address('::ffff:' + self.guest_addr())
        port = self.ctx.query_port(self.ib_port)
        gids = []
        for i in range(port.gid_tbl_len):
            try:
                gids.append(str(self.ctx.query_gid(self.ib_port, i)))
            except Exception:	# an empty slot of the table
                continue
        if is_iwarp(self.dev_name):
            self.assertTrue(gids, f'{self.dev_name} has no GID')
        else:
            found = [g for g in gids if g and ipaddress.ip_address(g) == want]
            self.assertTrue(found, f'{want} not in {self.dev_name} GIDs {gids}')
