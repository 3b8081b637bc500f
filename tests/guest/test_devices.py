# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""The guest sees both soft RDMA devices the harness creates, usable."""

import ipaddress
import unittest

from base import GuestTestCase, RdmaTestCase, device_names, HAVE_PYVERBS

if HAVE_PYVERBS:
    import pyverbs.enums as e


class DeviceListTest(GuestTestCase):
    def test_rxe0_and_siw0_listed(self):
        if not HAVE_PYVERBS:
            self.skipTest('pyverbs not importable')
        names = device_names()
        self.assertIn('rxe0', names)
        self.assertIn('siw0', names)

    def test_memlock_unlimited(self):
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_MEMLOCK)
        self.assertEqual(soft, resource.RLIM_INFINITY)
        self.assertEqual(hard, resource.RLIM_INFINITY)


class PortMixin:
    def test_port_active(self):
        ctx = self.open_context()
        port = ctx.query_port(1)
        self.assertEqual(port.state, e.IBV_PORT_ACTIVE,
                         f'{self.DEVICE} port 1 state {port.state}')

    def test_gid_holds_guest_address(self):
        """RoCE and iWARP GIDs follow the netdev address the harness set."""
        ctx = self.open_context()
        want = ipaddress.ip_address(self.guest_addr())
        port = ctx.query_port(1)
        gids = []
        for i in range(port.gid_tbl_len):
            try:
                gid = ctx.query_gid(1, i)
            except Exception:
                continue
            gids.append(str(gid))
        mapped = ipaddress.ip_address('::ffff:' + str(want))
        found = [g for g in gids if g and ipaddress.ip_address(g) in (mapped,)]
        if self.DEVICE.startswith('siw'):
            # siw's single GID is derived from the MAC, not the address.
            self.assertTrue(gids, 'siw0 has no GID')
        else:
            self.assertTrue(found, f'{mapped} not in {self.DEVICE} GIDs {gids}')


class RxeDeviceTest(PortMixin, RdmaTestCase):
    DEVICE = 'rxe0'


class SiwDeviceTest(PortMixin, RdmaTestCase):
    DEVICE = 'siw0'


if __name__ == '__main__':
    unittest.main()
