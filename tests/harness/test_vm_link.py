# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""buildlib/vm_link.py's hub on its own, with sockets in place of qemus.

No guest boots here: each test plays the guests with the guest ends of
the hub's socketpairs, so it runs in well under a second.
"""

import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'buildlib'))
import vm_link  # noqa: E402


def frame(payload):
    return len(payload).to_bytes(4, 'big') + payload


class HubTest(unittest.TestCase):
    def hub(self, nodes):
        """A started hub and the guests' ends (kept past start())."""
        hub = vm_link.Hub(nodes)
        ends = [socket.socket(fileno=os.dup(fd))
                for i in range(nodes) for fd in hub.guest_fds(i)]
        hub.start()
        for e in ends:
            self.addCleanup(e.close)
        return hub, ends

    def read_frames(self, sock, count, timeout=5):
        sock.setblocking(True)
        sock.settimeout(timeout)
        buf = b''
        frames = []
        while len(frames) < count:
            buf += sock.recv(65536)
            while len(buf) >= 4 and len(buf) >= 4 + int.from_bytes(buf[:4], 'big'):
                n = int.from_bytes(buf[:4], 'big')
                frames.append(buf[4:4 + n])
                buf = buf[4 + n:]
        return frames

    def test_frames_reach_every_other_guest(self):
        hub, ends = self.hub(3)
        ends[0].setblocking(True)
        ends[0].sendall(frame(b'one') + frame(b'two'))
        self.assertEqual(self.read_frames(ends[1], 2), [b'one', b'two'])
        self.assertEqual(self.read_frames(ends[2], 2), [b'one', b'two'])
        for e in ends:
            e.close()
        self.assertEqual(hub.stop(), [])

    def test_a_guest_that_goes_while_frames_flow_to_it(self):
        """A guest's qemu dies (vm-node-stop) while another sends to it.

        Its port can fail twice in one pass of the relay: a send to it
        finds the socket gone, and its own end reads EOF. The relay must
        take that as one closing; it once unregistered the port twice,
        stopped on the KeyError, and the other guests lost their link.
        """
        for _ in range(50):
            hub, ends = self.hub(3)
            ends[0].setblocking(True)
            ends[0].sendall(frame(b'x' * 1000) * 20)
            ends[1].close()		# node 1 goes, with frames on their way
            ends[0].sendall(frame(b'y' * 1000) * 20)
            # Nodes 0 and 2 still talk both ways.
            self.assertEqual(len(self.read_frames(ends[2], 40)), 40)
            ends[2].setblocking(True)
            ends[2].sendall(frame(b'back'))
            self.assertEqual(self.read_frames(ends[0], 1), [b'back'])
            ends[0].close()
            ends[2].close()
            time.sleep(0.01)
            self.assertEqual([n for n in hub.stop() if 'relay stopped' in n], [])
