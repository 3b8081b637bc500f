# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""Bulk endpoints: create, ids, depth, poll, lifetime and the module pin."""

import errno
import os
import select
import socket
import subprocess
import sys
import textwrap

from .bulk_base import B, BIN, BulkTestCase, PyverbsRDMAError, child_env

RAW = os.path.join(BIN, 'ep_create_raw')


class EndpointTest(BulkTestCase):
    def test_ids_unique_and_nonzero(self):
        ctx = self.context()
        ctx2 = self.context()
        eps = [self.endpoint(ctx) for _ in range(8)] + [self.endpoint(ctx2) for _ in range(8)]
        ids = [ep.ep_id() for ep in eps]
        self.assertNotIn(0, ids)
        self.assertEqual(len(set(ids)), len(ids), ids)
        fds = [ep.ep_fd() for ep in eps]
        self.assertTrue(all(fd >= 0 for fd in fds), fds)
        self.assertEqual(len(set(fds)), len(fds))

    def test_closed_id_not_reused_at_once(self):
        ctx = self.context()
        ep = B.BulkEndpoint(ctx)
        first = ep.ep_id()
        ep.close()
        self.assertNotEqual(self.endpoint(ctx).ep_id(), first)

    def test_default_depth(self):
        self.assertEqual(self.endpoint(self.context()).ep_cq_depth(), 1024)

    def test_depth_rounded_up(self):
        ctx = self.context()
        self.assertEqual(self.endpoint(ctx, cq_depth=100).ep_cq_depth(), 128)
        self.assertEqual(self.endpoint(ctx, cq_depth=1).ep_cq_depth(), 1)
        self.assertEqual(self.endpoint(ctx, cq_depth=65536).ep_cq_depth(), 65536)

    def test_depth_too_large(self):
        with self.assertRaises(PyverbsRDMAError) as cm:
            B.BulkEndpoint(self.context(), cq_depth=65537)
        self.assertEqual(cm.exception.error_code, errno.EINVAL)

    def test_unknown_comp_mask_refused_by_library(self):
        with self.assertRaises(PyverbsRDMAError) as cm:
            B.BulkEndpoint(self.context(), cq_depth=8, comp_mask=1 << 40)
        self.assertEqual(cm.exception.error_code, errno.EOPNOTSUPP)

    def test_fd_quiet_without_completions(self):
        ep = self.endpoint(self.context())
        p = select.poll()
        p.register(ep.ep_fd(), select.POLLIN | select.POLLERR | select.POLLHUP)
        self.assertEqual(p.poll(0), [])

    def test_fd_is_close_on_exec(self):
        import fcntl
        ep = self.endpoint(self.context())
        self.assertTrue(fcntl.fcntl(ep.ep_fd(), fcntl.F_GETFD) & fcntl.FD_CLOEXEC)

    def test_uverbs_file_closed_first(self):
        """The uverbs file goes first: the endpoint dies; its file reports it.

        pyverbs closes an endpoint before its Context, so the order is
        made by a child: it opens an endpoint, hands the endpoint's file
        to this process (SCM_RIGHTS) and exits without closing anything;
        its uverbs file closes with it while the endpoint's file lives on
        here.
        """
        parent, child = socket.socketpair()
        with parent, child:
            p = subprocess.run([sys.executable, '-c', FD_PASSING_CHILD, self.dev_name,
                                str(child.fileno())], pass_fds=[child.fileno()],
                               env=child_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, timeout=120)
            self.assertEqual(p.returncode, 0, p.stdout)
            _, fds, _, _ = socket.recv_fds(parent, 16, 1)
        self.assertEqual(len(fds), 1, p.stdout)
        fd = fds[0]
        self.addCleanup(os.close, fd)
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        events = dict(poller.poll(10000))
        self.assertTrue(events.get(fd, 0) & (select.POLLERR | select.POLLHUP), events)


# Opens an endpoint, sends its file down the socket argv[2], exits with
# everything open (os._exit: no destructor runs).
FD_PASSING_CHILD = textwrap.dedent('''
    import os, socket, sys
    from pyverbs.device import Context
    import pyverbs.providers.bulk as B
    ctx = Context(name=sys.argv[1])
    ep = B.BulkEndpoint(ctx)
    sock = socket.socket(fileno=int(sys.argv[2]))
    socket.send_fds(sock, [b'x'], [ep.ep_fd()])
    os._exit(0)
''')


class RawAttributeTest(BulkTestCase):
    """The kernel's own checks, reached with attributes the library never sends."""

    def raw(self, comp_mask=0, depth=0, reserved=0, trailing=0, *extra):
        out = subprocess.run([RAW, self.dev_name, str(comp_mask), str(depth), str(reserved),
                              str(trailing), *extra], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, check=True)
        return out.stdout.strip()

    def test_valid(self):
        self.assertRegex(self.raw(0, 16), r'^ok ep_id=[1-9]\d* cq_depth=16$')

    def test_attr_optional(self):
        self.assertRegex(self.raw(0, 16, 0, 0, 'no-attr'), r'^ok ep_id=\d+ cq_depth=1024$')

    def test_comp_mask_nonzero(self):
        self.assertEqual(self.raw(1, 16), 'EINVAL')

    def test_reserved_nonzero(self):
        self.assertEqual(self.raw(0, 16, 1), 'EINVAL')

    def test_unknown_trailing_bytes(self):
        """A newer userspace's longer struct with non-zero tail: EOPNOTSUPP."""
        self.assertEqual(self.raw(0, 16, 0, 0xff), 'EOPNOTSUPP')


class ModulePinTest(BulkTestCase):
    """Endpoints pin ib_bulk; without it, opening fails with EOPNOTSUPP."""

    def modprobe(self, *args):
        return subprocess.run(['modprobe', '-d', os.environ['VM_MODROOT'], *args],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def test_unload_refused_while_open_then_eopnotsupp(self):
        ctx = self.context()
        ep = B.BulkEndpoint(ctx)
        res = self.modprobe('-r', 'ib_bulk')
        self.assertNotEqual(res.returncode, 0, 'ib_bulk unloaded with an endpoint open')
        self.assertTrue(os.path.isdir('/sys/module/ib_bulk'))
        ep.close()
        res = self.modprobe('-r', 'ib_bulk')
        self.assertEqual(res.returncode, 0, res.stdout)
        self.addCleanup(lambda: self.modprobe('ib_bulk'))
        with self.assertRaises(PyverbsRDMAError) as cm:
            B.BulkEndpoint(ctx)
        self.assertEqual(cm.exception.error_code, errno.EOPNOTSUPP)
        res = self.modprobe('ib_bulk')
        self.assertEqual(res.returncode, 0, res.stdout)
        self.endpoint(ctx)
