# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""buildlib/vm-run keeps its contract: the interface every other test uses.

These run on the host and boot real guests, so each class boots once in
setUpClass and its methods check different parts of what it printed.
"""

import os
import re
import shutil
import tempfile
import unittest

from vmrun import TOP, vm_run, qemu_pids_for, share_of

PROBE = r'''
echo "env node=$VM_NODE nodes=$VM_NODES addr=$VM_ADDR addrs=$VM_ADDRS"
echo "memlock $(ulimit -l)"
for m in / /tmp /run /var/tmp "$VM_SHARE"; do
	echo "mount $m $(findmnt -n -o FSTYPE,OPTIONS --target "$m" | cut -d, -f1)"
done
echo "cwd $(pwd)"
echo "uname $(uname -r)"
echo "marker $(cat marker 2>/dev/null)"
[ -f "$VM_TOP/README.md" ] && echo "checkout visible at $VM_TOP"
ibv_devices
touch "$VM_SHARE/from-node$VM_NODE"
for a in $VM_ADDRS; do
	[ "$a" = "$VM_ADDR" ] && continue
	ping -c 1 -W 20 "$a" >/dev/null && echo "ping ok" || echo "ping failed: $a"
done
exit $((VM_NODE + 3))
'''


class OneGuestTest(unittest.TestCase):
    """Run from a directory under the host's /tmp, as a CI clone may be."""

    @classmethod
    def setUpClass(cls):
        cls.cwd = tempfile.mkdtemp(prefix='vm-run-test.', dir='/tmp')
        with open(os.path.join(cls.cwd, 'marker'), 'w') as f:
            f.write('from the host\n')
        cls.res = vm_run('sh', '-c', PROBE, timeout=300, cwd=cls.cwd)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.cwd, ignore_errors=True)

    def test_exit_status_is_the_commands(self):
        self.assertEqual(self.res.rc, 3, str(self.res))

    def test_environment(self):
        self.assertIn('env node=0 nodes=1 addr=192.0.2.1 addrs=192.0.2.1', self.res.out,
                      str(self.res))

    def test_default_kernel_is_6_12(self):
        self.assertRegex(self.res.out, r'\nuname 6\.12\.\d+-rdma-bulk\n', str(self.res))
        self.assertRegex(self.res.err, r'debug kernel 6\.12\.\d+-rdma-bulk, ', str(self.res))

    def test_devices_listed(self):
        self.assertRegex(self.res.out, r'\n\s+rxe0\s', str(self.res))
        self.assertRegex(self.res.out, r'\n\s+siw0\s', str(self.res))

    def test_memlock_unlimited(self):
        self.assertIn('memlock unlimited', self.res.out)

    def test_filesystems(self):
        out = self.res.out
        # findmnt pads its columns.
        self.assertRegex(out, r'mount / 9p\s+ro\b')
        for m in ('/tmp', '/run', '/var/tmp'):
            self.assertRegex(out, rf'mount {m} tmpfs\s+rw\b')
        self.assertRegex(out, r'mount /tmp/vm-run\.\S+ 9p\s+rw\b')

    def test_host_tmp_directory_at_same_path(self):
        self.assertIn(f'cwd {self.cwd}\n', self.res.out, str(self.res))
        self.assertIn('marker from the host\n', self.res.out, str(self.res))

    def test_checkout_at_same_path(self):
        self.assertIn(f'checkout visible at {TOP}\n', self.res.out, str(self.res))

    def test_share_written_back(self):
        share = share_of(self.res)
        self.assertIsNotNone(share, 'vm-run did not print its share path')
        self.assertTrue(os.path.exists(os.path.join(share, 'from-node0')))


# Two guests: the probe, then perftest's ib_write_bw between them over rxe
# (in the same boot, to keep the suite's time down). -u 19: the 2 s ACK
# timeout RDMA CM gives RoCE QPs. perftest's default (14: 67 ms) is
# shorter than a TCG guest takes to ACK 8 MiB in flight, and 6.1's rxe
# fails retransmissions started that way about one run in two (the
# responder NAKs them as invalid requests: status 9), with no packet lost.
WRITE_BW = ('tests/guest/perftest-pair ib_write_bw -d rxe0 -s 65536 -n 200 -F -u 19; '
            'echo "perftest exit $?"; ')
# Node 1 sets its link down (its qemu then reads nothing) and node 0 floods
# the segment with more than the link holds for a guest: node 0 must go
# on. With qemu's listen=/connect= link it froze whole (vm_link.py).
FLOOD_FRAMES = 16000
LINK_DOWN_FLOOD = r'''
await() { i=0; while [ ! -e "$VM_SHARE/$1" ] && [ $i -lt 200 ]; do sleep 1; i=$((i + 1)); done; }
if [ "$VM_NODE" = 1 ]; then
	ip link set eth0 down
	touch "$VM_SHARE/down"
	await flooded
	[ -e "$VM_SHARE/flooded" ] && echo "node 0 went on while my link was down"
	ip link set eth0 up
else
	await down
	/usr/bin/python3 "$VM_TOP/tests/harness/eth_flood.py" eth0 %d && touch "$VM_SHARE/flooded"
fi
''' % FLOOD_FRAMES
# perftest's result row: bytes, iterations, peak, average MB/s, Mpps
BW_ROW = re.compile(r'^\[node(\d)\]\s+(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$', re.M)


class TwoGuestsTest(unittest.TestCase):
    """Two guests on one segment: env, prefixes, the highest exit status,
    and RDMA traffic between them."""

    @classmethod
    def setUpClass(cls):
        probe = PROBE.replace('exit $((VM_NODE + 3))',
                              WRITE_BW + LINK_DOWN_FLOOD + 'exit $((VM_NODE + 3))')
        cls.res = vm_run('sh', '-c', probe, nodes=2, timeout=600)
        cls.rows = {int(m[0]): m for m in BW_ROW.findall(cls.res.out)}

    def test_ib_write_bw_between_guests(self):
        for node in (0, 1):
            self.assertIn(f'[node{node}] perftest exit 0', self.res.out, str(self.res))
            self.assertIn(node, self.rows, str(self.res))
            _, size, iters, _, avg, _ = self.rows[node]
            self.assertEqual((int(size), int(iters)), (65536, 200))
            self.assertGreater(float(avg), 0.0, str(self.res))
        print(f'\n    ib_write_bw rxe 64 KiB x 200 between two guests: '
              f'{self.rows[1][4]} MB/s (debug kernel, TCG)')

    def test_a_guest_not_reading_stops_no_other(self):
        self.assertIn(f'[node0] flood sent {FLOOD_FRAMES} frames', self.res.out, str(self.res))
        self.assertIn('[node1] node 0 went on while my link was down', self.res.out,
                      str(self.res))
        # What node 1 could not take was dropped and counted, not queued
        # without bound.
        m = re.search(r'link: (\d+) frame\(s\) to node 1 dropped', self.res.err)
        self.assertIsNotNone(m, str(self.res))
        self.assertLess(int(m[1]), FLOOD_FRAMES)

    def test_guests_reach_each_other(self):
        for n in (0, 1):
            self.assertIn(f'[node{n}] ping ok', self.res.out, str(self.res))

    def test_highest_exit_status(self):
        self.assertEqual(self.res.rc, 4, str(self.res))

    def test_each_node_prefixed(self):
        for n in (0, 1):
            self.assertIn(f'[node{n}] env node={n} nodes=2 addr=192.0.2.{n + 1} '
                          'addrs=192.0.2.1 192.0.2.2', self.res.out, str(self.res))

    def test_both_wrote_the_shared_directory(self):
        share = share_of(self.res)
        for n in (0, 1):
            self.assertTrue(os.path.exists(os.path.join(share, f'from-node{n}')))


class LogCheckerTest(unittest.TestCase):
    """A kernel WARNING fails the run although the command succeeded."""

    def test_lkdtm_warning_fails_the_run(self):
        # This run tests the log checker, not our code: no leak scan.
        res = vm_run('sh', '-c', 'echo WARNING > /sys/kernel/debug/provoke-crash/DIRECT',
                     timeout=300, env={'VM_KMEMLEAK': '0'})
        self.assertEqual(res.rc, 123, str(res))
        self.assertRegex(res.err, r'node 0: console.log shows a kernel report:\n.*WARNING:',
                         str(res))


class TimeoutTest(unittest.TestCase):
    def test_hung_command_is_killed(self):
        # The stall dump comes 40 s before the kill, 60 s after boot.
        res = vm_run('sleep', '600', timeout=100, host_timeout=200,
                     env={'VM_STALL_LEAD': '40', 'VM_KMEMLEAK': '0'})
        self.assertEqual(res.rc, 124, str(res))
        self.assertLess(res.seconds, 130, str(res))
        self.assertIn('did not finish within 100s', res.err)
        # Where it hung is shown: the process list names the command.
        self.assertRegex(res.err, r'node 0: where it was:\n    vm-init: node 0: 60 s after '
                         r'boot, still running:\n(    .*\n)*    .* sleep 600\n', str(res))
        share = share_of(res)
        self.assertIsNotNone(share)
        self.assertEqual(qemu_pids_for(share), [], 'qemu left running')



class OlderKernelTest(unittest.TestCase):
    """RDMA_BULK_KERNEL_VERSION=6.1 boots the 6.1 test kernel, our module loaded."""

    def test_uname_and_module(self):
        res = vm_run('sh', '-c', 'uname -r; cat /sys/module/ib_bulk/initstate', timeout=300,
                     env={'RDMA_BULK_KERNEL_VERSION': '6.1'})
        self.assertEqual(res.rc, 0, str(res))
        self.assertRegex(res.out, r'^6\.1\.\d+-rdma-bulk\nlive\n$', str(res))


if __name__ == '__main__':
    unittest.main()
