# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""A soft RDMA device of a test's own, on a veth pair of its own.

RDMA CM resolves an address to the device that holds it, and a test that
cuts a link must not cut anyone else's: such tests make their own device
on their own veth pair with their own address, and the test case's
cleanups remove it.
"""

import subprocess
import time


def sh(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def add_device_on_veth(test, kind, device, netdev, peer, addr):
    """Device DEVICE (KIND: rxe or siw) on NETDEV, the end of a veth pair
    with PEER holding ADDR/24; returns once its port is ACTIVE."""
    sh('ip', 'link', 'add', netdev, 'type', 'veth', 'peer', 'name', peer)
    test.addCleanup(sh, 'ip', 'link', 'del', netdev)
    sh('ip', 'addr', 'add', f'{addr}/24', 'dev', netdev)
    sh('ip', 'link', 'set', peer, 'up')
    sh('ip', 'link', 'set', netdev, 'up')
    sh('rdma', 'link', 'add', device, 'type', kind, 'netdev', netdev)
    test.addCleanup(sh, 'rdma', 'link', 'del', device)
    active, link = port_active(device, 10)
    if not active:
        test.fail(f'{device} did not become active: {link}')


def port_active(device, seconds):
    """Wait up to SECONDS for port 1 of DEVICE to be ACTIVE: (whether it
    is, what `rdma link show` said last)."""
    deadline = time.monotonic() + seconds
    while True:
        link = subprocess.run(['rdma', 'link', 'show', f'{device}/1'],
                              stdout=subprocess.PIPE, text=True).stdout
        if 'state ACTIVE' in link:
            return True, link
        if time.monotonic() >= deadline:
            return False, link
        time.sleep(0.1)


def run_on_device(test, argv, device):
    """Run ARGV, a helper that prints `device NAME` first, and check that it
    ran on DEVICE and exited 0; its output."""
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=300)
    test.assertIn(f'device {device}\n', p.stdout, f'{p.stderr}{p.stdout}')
    test.assertEqual(p.returncode, 0, f'{p.stderr}{p.stdout}')
    return p.stdout
