# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""The endpoint's MR cache and its MMU interval notifier.

A deregistered MR stays registered (and pinned) on its endpoint, and the
same range registered again takes it back: the device's MR list
(`rdma resource show mr`) shows the same MR number and no new one. When
the mapping of the range changes, the cached registration is dropped, so
new memory at the same address is registered afresh and what a WRITE
from it moves is the new memory, never the old pages.
"""

import ctypes
import mmap
import re
import time
import unittest

from .bulk_base import B, BulkTestCase, figure, post_status, rdma_resources, wait_wcs

SIZE = 1 << 20
PARAM = '/sys/module/ib_bulk/parameters/mr_cache_size'

libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                      ctypes.c_int, ctypes.c_long]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
MAP_FIXED = 0x10


def map_memory(addr=None, fill=0):
    """SIZE bytes of private anonymous memory (at addr: MAP_FIXED), filled."""
    flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | (MAP_FIXED if addr else 0)
    got = libc.mmap(addr, SIZE, mmap.PROT_READ | mmap.PROT_WRITE, flags, -1, 0)
    if got in (None, ctypes.c_void_p(-1).value):
        raise OSError(ctypes.get_errno(), 'mmap')
    ctypes.memset(got, fill, SIZE)
    return got


def device_mrs(length=SIZE):
    """The numbers of the device's MRs of @length bytes."""
    mrs = set()
    for line in rdma_resources('mr'):
        n, mrlen = re.search(r'\bmrn (\d+)', line), re.search(r'\bmrlen (\d+)', line)
        if n and mrlen and int(mrlen.group(1)) == length:
            mrs.add(int(n.group(1)))
    return mrs


class MrCacheTest(BulkTestCase):
    def setUp(self):
        super().setUp()
        with open(PARAM) as f:
            self.cache_size = int(f.read())
        if not self.cache_size:
            raise unittest.SkipTest('ib_bulk mr_cache_size is 0')
        ctx = self.context()
        # a's endpoint is closed by the test when it checks the release.
        self.a = B.BulkEndpoint(ctx)
        self.addCleanup(self.a.close)
        self.z = self.endpoint(ctx)
        zmr = B.BulkMR(self.z, SIZE, B.ACCESS_REMOTE_WRITE)
        self.zbuf = zmr.buf
        self.addCleanup(zmr.close)
        self.az = B.BulkConnection(self.a, self.guest_addr(), self.z.ep_id())
        self.addCleanup(self.az.close)
        za = B.BulkConnection(self.z, self.guest_addr(), self.a.ep_id())
        self.addCleanup(za.close)
        self.grant = za.grant(zmr, 0, SIZE, B.ACCESS_REMOTE_WRITE)
        self.addCleanup(za.revoke, self.grant)

    def reg(self, addr):
        mr = B.BulkMR(self.a, SIZE, address=addr)
        self.addCleanup(mr.close)
        return mr

    def write_lands(self, mr, fill):
        """A WRITE of the whole MR to z; z must then hold SIZE bytes of fill."""
        self.zbuf[:] = bytes(SIZE)
        self.assertEqual(post_status(self.a, [B.BulkOp(opcode=B.OP_WRITE, conn=self.az, mr=mr,
                                              length=SIZE, remote_grant=self.grant)]), (0, 1))
        self.assertEqual(wait_wcs(self.a, 1, 120)[0].status, 0)
        self.assertEqual(self.zbuf[:], bytes([fill]) * SIZE)

    def close_a(self):
        """Close endpoint a (its connection first), which empties its cache."""
        self.az.close()
        self.a.close()

    def wait_gone(self, mrn):
        deadline = time.monotonic() + 30
        while mrn in device_mrs() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertNotIn(mrn, device_mrs())

    def test_same_range_again_is_a_cache_hit(self):
        addr = map_memory(fill=0x31)
        self.addCleanup(libc.munmap, addr, SIZE)
        before = device_mrs()
        first = self.reg(addr)
        mine = device_mrs() - before
        self.assertEqual(len(mine), 1)
        first.close()
        # Deregistered, still registered with the device: cached.
        self.assertEqual(device_mrs() - before, mine)
        again = self.reg(addr)
        self.assertEqual(device_mrs() - before, mine)
        self.write_lands(again, 0x31)
        again.close()
        # Closing the endpoint releases what its cache holds.
        self.close_a()
        self.assertEqual(device_mrs() - before, set())
        figure('MR cache', 'a 1 MiB range registered again after its deregistration reused '
               'the same device MR; closing the endpoint released it')

    def test_memory_only_read_so_far_is_cached(self):
        """Pages only read so far are cached after their first registration too.

        They map the shared zero page, and the pin (for write) breaks that
        copy-on-write, which changes the mapping under the new MR's
        notifier: the kernel pins once more rather than keep a
        registration that is stale from the start and never cached.
        """
        addr = libc.mmap(None, SIZE, mmap.PROT_READ | mmap.PROT_WRITE,
                         mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS, -1, 0)
        self.addCleanup(libc.munmap, addr, SIZE)
        view = (ctypes.c_ubyte * SIZE).from_address(addr)
        self.assertEqual(sum(view[i] for i in range(0, SIZE, mmap.PAGESIZE)), 0)
        before = device_mrs()
        self.reg(addr).close()
        mine = device_mrs() - before
        self.assertEqual(len(mine), 1, 'the deregistered MR was not cached')
        again = self.reg(addr)
        self.assertEqual(device_mrs() - before, mine)
        # The MR holds the process's own pages, not the zero page.
        ctypes.memset(addr, 0x61, SIZE)
        self.write_lands(again, 0x61)

    def test_registration_cost(self):
        """A hit reuses the device MR every time; the two costs are reported (timings)."""
        fresh, hit = [], []
        for _ in range(5):
            addr = map_memory(fill=1)	# never registered: a fresh registration
            before = device_mrs()
            t0 = time.perf_counter()
            mr = B.BulkMR(self.a, SIZE, address=addr)
            fresh.append(time.perf_counter() - t0)
            mine = device_mrs() - before
            mr.close()
            t0 = time.perf_counter()
            mr = B.BulkMR(self.a, SIZE, address=addr)
            hit.append(time.perf_counter() - t0)
            self.assertEqual(device_mrs() - before, mine)
            mr.close()
            libc.munmap(addr, SIZE)
        fresh, hit = sorted(fresh)[2], sorted(hit)[2]
        print(f'\n1 MiB registration, median of 5: fresh {fresh * 1e6:.0f} us, cache hit '
              f'{hit * 1e6:.0f} us ({hit / fresh:.3f} of fresh)', flush=True)

    def test_new_memory_at_the_same_address_is_registered_afresh(self):
        addr = map_memory(fill=0x41)
        before = device_mrs()
        old = self.reg(addr)
        (old_mrn,) = device_mrs() - before
        old.close()
        self.assertIn(old_mrn, device_mrs())
        # munmap, and new memory at the same address: the notifier drops
        # the cached registration of the old pages.
        self.assertEqual(libc.munmap(addr, SIZE), 0)
        self.assertEqual(map_memory(addr, fill=0x42), addr)
        self.addCleanup(libc.munmap, addr, SIZE)
        self.wait_gone(old_mrn)
        # What moves is the new memory (the old pages held 0x41).
        self.write_lands(self.reg(addr), 0x42)
        figure('MR cache after munmap', 'new memory mapped at the address of a cached 1 MiB '
               'registration: the old registration released by the MMU notifier, the new one '
               'pinned afresh; a WRITE from it moved the new bytes')

    def test_range_remapped_while_registered_is_not_cached(self):
        addr = map_memory(fill=0x51)
        before = device_mrs()
        mr = self.reg(addr)
        (mrn,) = device_mrs() - before
        # The process replaces the memory under its own MR (its business:
        # the MR keeps the old pages until it goes) ...
        self.assertEqual(map_memory(addr, fill=0x52), addr)
        self.addCleanup(libc.munmap, addr, SIZE)
        # ... and the deregistration must not keep the stale registration.
        mr.close()
        self.assertNotIn(mrn, device_mrs())
        self.write_lands(self.reg(addr), 0x52)

    def test_cache_is_bounded(self):
        n = self.cache_size + 4
        base = libc.mmap(None, n * SIZE, mmap.PROT_READ | mmap.PROT_WRITE,
                         mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS, -1, 0)
        self.addCleanup(libc.munmap, base, n * SIZE)
        before = device_mrs()
        for i in range(n):
            B.BulkMR(self.a, SIZE, address=base + i * SIZE).close()
        self.assertEqual(len(device_mrs() - before), self.cache_size)
        self.close_a()
        self.assertEqual(device_mrs() - before, set())
