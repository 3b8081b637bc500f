# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""In a guest: send COUNT broadcast Ethernet frames of 1400 bytes on IFACE.

test_vm_run's two-guest run floods the segment while the other guest's
link is down (it reads nothing), to show that vm-run's link never makes
the sender wait: with qemu's own listen=/connect= link the sending guest
froze whole. Prints the count and the time taken.
  eth_flood.py IFACE COUNT
"""

import errno
import socket
import sys
import time

ETH_P_LOCAL_EXPERIMENTAL = 0x88b5


def main():
    iface, count = sys.argv[1], int(sys.argv[2])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    src = s.getsockname()[4]
    frame = b'\xff' * 6 + src + ETH_P_LOCAL_EXPERIMENTAL.to_bytes(2, 'big') + bytes(1400)
    start = time.monotonic()
    sent = 0
    while sent < count:
        try:
            s.send(frame)
            sent += 1
        except OSError as e:
            # The device's queue is full for a moment: wait for it.
            if e.errno != errno.ENOBUFS:
                raise
            time.sleep(0.001)
    print(f'flood sent {sent} frames in {time.monotonic() - start:.1f} s')


if __name__ == '__main__':
    main()
