# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""Hostile input: 100,000 random and mutated calls, then the transport still serves.

bin/bulk_fuzz drives every bulk ioctl method and the io_uring command with
random and mutated handles, lengths, offsets, flags, reserved fields,
attribute ids, sizes and header fields. The kernel log of the run (KASAN,
lockdep, kmemleak) is judged by vm-run; this test judges the fuzzer's own
counts, that nothing is left behind, that the node's connection to
itself, shared by every process, survived the calls, and that a clean
process can still move data. The seed is random and printed;
BULK_FUZZ_SEED repeats a run.
"""

import os
import random
import subprocess
import time

from .bulk_base import BIN, BulkTestCase, figure, rdma_count
from .test_bulk_raw_input import module_refs

TOOL = os.path.join(BIN, 'bulk_fuzz')
CALLS = int(os.environ.get('BULK_FUZZ_CALLS', '100000'))


def connection_losses(dev, addr):
    """How many times the kernel log says ib_bulk lost DEV's connection to ADDR."""
    log = subprocess.run(['dmesg'], stdout=subprocess.PIPE, text=True, check=True).stdout
    return log.count(f'ib_bulk: {dev}: connection to {addr} lost')


class FuzzTest(BulkTestCase):

    def test_fuzzed_calls_then_a_clean_transfer(self):
        seed = int(os.environ.get('BULK_FUZZ_SEED', random.getrandbits(63)))
        mrs, refs = rdma_count('mr'), module_refs()
        losses = connection_losses(self.dev_name, self.guest_addr())
        start = time.monotonic()
        p = subprocess.run([TOOL, self.dev_name, self.guest_addr(), str(CALLS), str(seed)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=1200)
        took = time.monotonic() - start
        self.assertEqual(p.returncode, 0, f'seed {seed}: {p.stderr[-2000:]}')
        lines = p.stdout.splitlines()
        head = lines[0].split()
        totals = dict(zip(head[0::2], map(int, head[1::2])))
        errs = {name: int(n) for _, name, n in (line.split() for line in lines[1:])}
        figure('fuzzed calls', f'{totals["calls"]} ({totals["ioctl"]} ioctl, '
               f'{totals["uring"]} io_uring) in {took:.0f} s, seed {seed}: '
               f'{totals["ok"]} succeeded, the rest refused with {len(errs)} errnos (' +
               ' '.join(f'{k}={v}' for k, v in sorted(errs.items())) + ')')
        self.assertGreaterEqual(totals['calls'], CALLS)
        self.assertEqual(totals['calls'], totals['ok'] + sum(errs.values()))
        # Every io_uring command got its CQE; no call was left waiting.
        self.assertEqual(totals['hung'], 0)
        # The calls reached the code behind the checks, not only the checks.
        self.assertGreater(totals['ok'], CALLS // 50)
        self.assertGreaterEqual(len(errs), 8)
        self.assertNotIn('other', errs)
        # The node's connection to itself is every process's: nothing one
        # process calls may drop it (a 1 ms CONNECT timeout once did).
        self.assertEqual(connection_losses(self.dev_name, self.guest_addr()), losses,
                         f'seed {seed}: the calls dropped the shared connection')

        # The fuzzer's objects went with its process.
        deadline = time.monotonic() + 60
        while ((rdma_count('mr'), module_refs()) != (mrs, refs) and
               time.monotonic() < deadline):
            time.sleep(0.5)
        self.assertEqual(rdma_count('mr'), mrs)
        self.assertEqual(module_refs(), refs)
        self.check_transfer()
