# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""Operations through io_uring (IORING_OP_URING_CMD on the endpoint's file).

tests/guest/bin/bulk_uring does the io_uring work with liburing; these
tests hold the expectations. Two endpoints of one process over the
guest's own address, as in test_bulk_ops. The 64 MiB case runs in the
`large` stage (large_bulk_ops.py) on the kernel without KASAN.
"""

import os
import re
import signal
import subprocess
import time

from .bulk_base import BIN, BulkTestCase, figure, kernel_at_least, rdma_count

TOOL = os.path.join(BIN, 'bulk_uring')
# Linux 6.12 cancels a uring_cmd whose ring closes or whose task exits
# (IORING_URING_CMD_CANCELABLE); 6.1 cannot, so it refuses RECVs there.
URING_RECV = kernel_at_least(6, 12)


class UringTest(BulkTestCase):

    def tool(self, *args, timeout=600):
        out = subprocess.run([TOOL, self.dev_name, self.guest_addr(), *map(str, args)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             timeout=timeout)
        return out.returncode, out.stdout

    def data(self, op, size, count, depth, *extra):
        rc, out = self.tool('data', op, size, count, depth, *extra)
        self.assertEqual((rc, out.strip()), (0, f'ok ops={count}'), out)

    def test_integrity_sizes(self):
        for op in ('write', 'read', 'send'):
            for size in (1, 4097, 1 << 20, 9 << 20):
                with self.subTest(op=op, size=size):
                    self.data(op, size, 2, 1)

    def test_depths(self):
        for depth in (1, 32, 256):
            with self.subTest(depth=depth):
                self.data('write', 4096, 512, depth)
        self.data('read', 4096, 256, 32)
        self.data('send', 4096, 256, 32)

    def test_sqpoll(self):
        for op in ('write', 'read', 'send'):
            with self.subTest(op=op):
                self.data(op, 65536, 64, 32, 'sqpoll')

    def test_bad_sqes(self):
        rc, out = self.tool('bad')
        self.assertEqual(rc, 0, out)
        got = dict(line.split(' ', 1) for line in out.splitlines() if line != 'done')
        want = {
            'no_sqe128': 'EINVAL', 'no_cqe32': 'EINVAL', 'valid': 'bytes',
            'unknown_cmd_op': 'EOPNOTSUPP', 'reserved': 'EINVAL', 'wr_id_in_cmd': 'EINVAL',
            'op_reserved': 'EINVAL', 'opcode': 'EINVAL',
            'two_gib': 'EINVAL', 'bad_mr': 'EINVAL', 'bad_conn': 'EINVAL',
            'past_mr': 'ERANGE', 'unknown_grant': 'EACCES', 'past_grant': 'ERANGE',
            'not_an_endpoint': 'EOPNOTSUPP', 'registered_file': 'bytes',
            # Registered buffers (IORING_URING_CMD_FIXED): range checks are
            # io_uring's (EFAULT, as for its own fixed reads and writes).
            'fixed_no_buffers': 'EFAULT', 'fixed_valid': 'bytes', 'fixed_read': 'bytes',
            'fixed_bad_index': 'EFAULT', 'fixed_mr_id': 'EINVAL', 'fixed_before': 'EFAULT',
            'fixed_past': 'EFAULT', 'fixed_wraps': 'EFAULT', 'fixed_send_no_recv': 'ENOBUFS',
            'fixed_recv': 'EOPNOTSUPP',
            'fixed_unknown_grant': 'EACCES', 'fixed_flag_with_mr': 'EINVAL',
            'lib_fixed_recv': 'EOPNOTSUPP', 'lib_fixed_mr': 'EINVAL',
        }
        # RECVs the kernel refuses before queueing them: the CQE carries the
        # check's errno (6.1 refuses every RECV through io_uring).
        recv = {'recv_conn': 'EINVAL', 'recv_grant': 'EINVAL', 'recv_imm': 'EINVAL',
                'recv_bad_mr': 'EINVAL', 'recv_past_mr': 'ERANGE', 'recv_no_length': 'EINVAL'}
        want.update({k: v if URING_RECV else 'EOPNOTSUPP' for k, v in recv.items()})
        self.assertEqual(got, want)
        self.assertTrue(out.endswith('done\n'), out)

    def recv_tool(self, count, sends, how, timeout=300):
        return self.tool('recv', count, sends, how, timeout=timeout)

    def kill_and_wait_released(self, p, mrs, what):
        """SIGKILL p; within 60 s every MR is released (back to mrs)."""
        start = time.monotonic()
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=300)
        self.assertEqual(p.returncode, -signal.SIGKILL)
        deadline = time.monotonic() + 60
        while rdma_count('mr') != mrs and time.monotonic() < deadline:
            time.sleep(0.5)
        self.assertEqual(rdma_count('mr'), mrs)
        figure(f'process SIGKILLed with {what}',
               f'every MR released {time.monotonic() - start:.1f} s after the signal')

    def refused_on_6_1(self):
        """On Linux 6.1: check that RECVs through io_uring are refused; True then."""
        if URING_RECV:
            return False
        rc, out = self.recv_tool(4, 0, 'close')
        self.assertEqual((rc, out), (0, 'refused EOPNOTSUPP\n'))
        return True

    def test_recv_ring_closed(self):
        """RECVs through io_uring: 8 take SENDs, 56 are cancelled when the ring closes.

        Every byte of the 8 is checked. After the close (io_uring tears
        the ring down in a worker) no RECV is left within 30 s: a SEND too
        big for them, refused with EMSGSIZE while one is queued, finds
        none (ENOBUFS); and the final kmemleak scan of the
        guest finds no operation left behind. Also with SQPOLL, where the
        ring's own thread submitted them. Linux 6.1 refuses them.
        """
        if self.refused_on_6_1():
            return
        for how in ('close', 'close,sqpoll'):
            with self.subTest(how=how):
                mrs = rdma_count('mr')
                rc, out = self.recv_tool(64, 8, how)
                self.assertEqual((rc, out), (0, 'received 8\nafter close send=ENOBUFS\n'))
                self.assertEqual(rdma_count('mr'), mrs)

    def test_recv_process_exits_or_killed(self):
        """A process exits, or is killed, with 60 RECVs queued through io_uring.

        It must not hang: io_uring cancels the queued RECVs, and the
        endpoints and MRs go with the process. Linux 6.1 refuses them.
        """
        if self.refused_on_6_1():
            return
        mrs = rdma_count('mr')
        rc, out = self.recv_tool(64, 4, 'exit')
        self.assertEqual((rc, out), (0, 'received 4\n'))
        self.assertEqual(rdma_count('mr'), mrs)

        p = subprocess.Popen([TOOL, self.dev_name, self.guest_addr(), 'recv', '64', '4', 'wait'],
                             stdout=subprocess.PIPE, text=True)
        self.assertEqual(p.stdout.readline(), 'received 4\n')
        self.assertEqual(p.stdout.readline(), 'waiting\n')
        self.kill_and_wait_released(p, mrs, '60 io_uring RECVs queued')

    def test_registered_buffers(self):
        """WRITE, READ and SEND with a's side in an io_uring registered buffer, in no MR.

        Sizes across one page, several pages (several SGEs per work request)
        and more than one 8 MiB chunk; depth 32; SQPOLL. A SEND from such a
        buffer has no key for the receiver to READ with: the receiver
        answers with its RECV's range and the sender WRITEs into it.
        """
        for op in ('write', 'read', 'send'):
            for size in (1, 4097, 1 << 20, 9 << 20):
                with self.subTest(op=op, size=size):
                    self.data(op, size, 2, 1, 'fixed')
            with self.subTest(op=op, depth=32):
                self.data(op, 65536, 128, 32, 'fixed')
            with self.subTest(op=op, sqpoll=True):
                self.data(op, 65536, 64, 32, 'sqpoll,fixed')

    def test_buffers_unregistered_with_ops_in_flight(self):
        """Unregistering waits for the WRITEs using the buffer; all land."""
        rc, out = self.tool('unregister', 64, timeout=300)
        self.assertEqual((rc, out), (0, 'unregistered\nok ops=64\n'))

    def test_mixed_paths(self):
        """ioctl-posted ops complete through POLL, uring-posted ones as CQEs."""
        rc, out = self.tool('mixed')
        self.assertEqual(rc, 0, out)
        self.assertEqual(out.splitlines(), ['cqe user_data=222 res=4096',
                                            'wc wr_id=111 status=0',
                                            'extra poll=0 cqe=0'])

    def test_endpoint_inherited_or_passed(self):
        """A child holding the endpoint's file (fork, SCM_RIGHTS) cannot use the parent's MRs.

        Posting from the parent's MR and deregistering it are refused
        (EPERM): its pages are the parent's, not the child's changed copy,
        so nothing of the parent's lands. Memory the child registers itself
        on the inherited endpoint moves the child's own bytes.
        """
        want = {
            'fork': 'child parent_mr=Operation not permitted dereg=Operation not permitted '
                    'own_mr=4096\nlanded=child\n',
            'scm': 'child parent_mr=Operation not permitted\nlanded=neither\n',
        }
        for how, expected in want.items():
            with self.subTest(how=how):
                rc, out = self.tool(how)
                self.assertEqual((rc, out), (0, expected))

    def test_ring_closed_with_256_in_flight(self):
        mrs = rdma_count('mr')
        rc, out = self.tool('inflight', 256, 'close', timeout=300)
        self.assertEqual((rc, out), (0, 'submitted 256\nclosed\n'))
        self.assertEqual(rdma_count('mr'), mrs)

    def test_process_exits_with_256_in_flight(self):
        mrs = rdma_count('mr')
        start = time.monotonic()
        rc, out = self.tool('inflight', 256, 'exit', timeout=300)
        self.assertEqual((rc, out), (0, 'submitted 256\n'))
        # The exit waited for the operations; everything is released after.
        self.assertEqual(rdma_count('mr'), mrs)
        figure('process exits with 256 io_uring WRITEs in flight',
               f'exit took {time.monotonic() - start:.1f} s (it waits for them); every MR '
               'released')

    def test_process_killed_with_256_in_flight(self):
        mrs = rdma_count('mr')
        p = subprocess.Popen([TOOL, self.dev_name, self.guest_addr(), 'inflight', '256', 'close'],
                             stdout=subprocess.PIPE, text=True)
        self.assertEqual(p.stdout.readline(), 'submitted 256\n')
        self.kill_and_wait_released(p, mrs, '256 io_uring WRITEs in flight')

    def test_syscalls_per_operation(self):
        """Counted with strace: 32 WRITEs at depth 32 (reported, not judged here)."""
        out = subprocess.run(['strace', '-f', '-c', '-e', 'trace=io_uring_enter,ioctl', TOOL,
                              self.dev_name, self.guest_addr(), 'data', 'write', '4096', '32',
                              '32'], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             timeout=600)
        self.assertEqual(out.stdout.strip(), 'ok ops=32', out.stderr)
        m = re.search(r'^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?io_uring_enter$',
                      out.stderr, re.M)
        self.assertIsNotNone(m, out.stderr)
        enters = int(m.group(1))
        print(f'io_uring_enter calls for 32 WRITEs at depth 32: {enters} '
              f'({enters / 32:.3f} per operation)', flush=True)
        self.assertGreater(enters, 0)
