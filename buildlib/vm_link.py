# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""The Ethernet segment between vm-run's guests: a hub that never blocks.

Why not qemu's own `-netdev socket,listen=/connect=`: qemu 7.2 leaves the
socket it accepts in blocking mode and writes guest frames to it while it
holds its global lock. When the connecting guest stops reading (its link
set down, or only busy under TCG), the listening guest's qemu sleeps in
sendmsg() and that whole guest stops: no console, no timer, no stall dump.
It froze node 0 of `faults-pair partition` and, for a few seconds at a
time, long enough for a peer's RC retries to run out.

Here each qemu gets one end of a non-blocking socketpair (`-netdev
socket,fd=N`, qemu's length-prefixed stream framing) and a thread copies
each frame to every other guest. A guest that does not read makes its
frames wait here, up to QUEUE_LIMIT bytes, as in a switch's buffer; past
that they are dropped and counted, like frames sent to a port whose link
is down. The sender is never held up, so no guest can stop another.
"""

import collections
import errno
import os
import selectors
import socket
import threading

# Bytes waiting for one guest before frames to it are dropped. RC traffic
# keeps far less in flight (rxe sends at most 128 packets per QP before an
# ACK), so only a guest that stopped reading reaches it.
QUEUE_LIMIT = 16 << 20
# qemu's frames are at most 69632 bytes (NET_BUFSIZE); a larger length
# prefix means the stream is not what we think it is.
FRAME_MAX = 1 << 20
READ_SIZE = 1 << 18


class Port:
    """One guest's end of the hub."""

    def __init__(self, idx):
        self.idx = idx
        self.hub_end, self.guest_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.hub_end.setblocking(False)
        # O_NONBLOCK is on the open file, so qemu's copy has it too.
        self.guest_end.setblocking(False)
        self.inbuf = bytearray()
        self.out = collections.deque()  # chunks of whole frames, oldest first
        self.out_off = 0        # bytes of out[0] already written
        self.queued = 0
        self.dropped = 0
        self.closed = False

    def netdev(self):
        return f'socket,id=n0,fd={self.guest_end.fileno()}'


class Hub:
    """Frames from each port go to every other port."""

    def __init__(self, nodes):
        self.ports = [Port(i) for i in range(nodes)]
        self.sel = selectors.DefaultSelector()
        self.wake_r, self.wake_w = os.pipe()
        self.thread = None
        self.error = None

    def guest_fds(self, idx):
        return (self.ports[idx].guest_end.fileno(),)

    def start(self):
        """Call after every qemu has started: their copies are open."""
        for p in self.ports:
            p.guest_end.close()
            self.sel.register(p.hub_end, selectors.EVENT_READ, p)
        self.sel.register(self.wake_r, selectors.EVENT_READ, None)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def stop(self):
        """Stop relaying; returns lines worth printing (drops, errors)."""
        if self.thread:
            os.write(self.wake_w, b'x')
            self.thread.join(timeout=10)
        for p in self.ports:
            p.hub_end.close()
        os.close(self.wake_r)
        os.close(self.wake_w)
        notes = [f'link: {p.dropped} frame(s) to node {p.idx} dropped: it read nothing '
                 f'while {QUEUE_LIMIT >> 20} MiB waited for it (link down or stopped)'
                 for p in self.ports if p.dropped]
        if self.error:
            notes.append(f'link: relay stopped: {self.error}')
        return notes

    def _run(self):
        try:
            while True:
                for key, events in self.sel.select():
                    if key.data is None:
                        return
                    # Closed earlier in this pass (a send to it failed).
                    if key.data.closed:
                        continue
                    if events & selectors.EVENT_READ:
                        self._read(key.data)
                    if events & selectors.EVENT_WRITE and not key.data.closed:
                        self._write(key.data)
        except Exception as e:  # reported by stop(), never a hang
            self.error = repr(e)

    def _watch(self, p):
        if p.closed:
            return
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if p.out else 0)
        self.sel.modify(p.hub_end, events, p)

    def _close(self, p):
        """A guest whose qemu exited (or was killed) takes nothing more.

        Its port can fail twice in one pass (a send to it, then its EOF):
        closing is done once.
        """
        if p.closed:
            return
        p.closed = True
        p.out.clear()
        p.out_off = 0
        p.queued = 0
        self.sel.unregister(p.hub_end)

    def _read(self, p):
        try:
            data = p.hub_end.recv(READ_SIZE)
        except BlockingIOError:
            return
        except ConnectionResetError:
            data = b''
        if not data:
            self._close(p)
            return
        p.inbuf += data
        # Forward only whole frames, so that a frame dropped for one guest
        # never leaves a torn one in its stream.
        off = 0
        frames = 0
        while len(p.inbuf) - off >= 4:
            length = int.from_bytes(p.inbuf[off:off + 4], 'big')
            if length > FRAME_MAX:
                raise ValueError(f'node {p.idx} sent a frame length of {length}')
            if len(p.inbuf) - off < 4 + length:
                break
            off += 4 + length
            frames += 1
        if not off:
            return
        chunk = bytes(p.inbuf[:off])
        del p.inbuf[:off]
        for q in self.ports:
            if q is p or q.closed:
                continue
            if q.queued + len(chunk) > QUEUE_LIMIT:
                q.dropped += frames
                continue
            q.out.append(chunk)
            q.queued += len(chunk)
            self._write(q)

    def _write(self, q):
        while q.out:
            head = q.out[0]
            try:
                n = q.hub_end.send(memoryview(head)[q.out_off:])
            except BlockingIOError:
                break
            except OSError as e:
                if e.errno in (errno.EPIPE, errno.ECONNRESET):
                    self._close(q)
                    return
                raise
            q.out_off += n
            if q.out_off < len(head):
                break
            q.out.popleft()
            q.out_off = 0
            q.queued -= len(head)
        self._watch(q)
