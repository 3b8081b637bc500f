# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""A malformed peer: corrupt, unknown and forged control messages on a shared connection.

bin/bulk_bad_peer connects to ib_bulk's port from a second address of
the guest, as another node's kernel would, and sends what no ib_bulk
sends. The table is the contract: a message the node can answer is
answered with an errno and the connection lives on; one that breaks the
protocol (too short, too long, an answer to nothing, a key that does not
work) costs the sender its connection, never the node: the other users
keep being served, and the kernel log stays clean (vm-run checks it).
"""

import errno
import os
import subprocess
import time

from .bulk_base import B, BIN, BulkTestCase, figure, post_status, wait_wcs

TOOL = os.path.join(BIN, 'bulk_bad_peer')
# A second address of the guest's eth0: the hostile node's.
BAD_ADDR = '192.0.2.99'

EXPECTED = {
    'ep_check_valid': 'ack=0 alive',
    'ep_check_unknown': 'ack=ECONNREFUSED alive',
    'type_zero': 'ack=EOPNOTSUPP alive',
    'type_unknown': 'ack=EOPNOTSUPP alive',
    'ping': 'ack=none alive',
    'short_message': 'ack=none killed',
    'longer_than_receive_buffer': 'ack=none killed',
    'empty_message': 'ack=none killed',
    'ack_never_asked': 'ack=none killed',
    'grant_unknown_ep': 'ack=ECONNREFUSED alive',
    'grant_zero_length': 'ack=EINVAL alive',
    'grant_wrapping': 'ack=EINVAL alive',
    'grant_forged_key': 'ack=0 alive',
    'grant_same_id': 'ack=EEXIST alive',
    'grant_start_past_first_page': 'ack=EINVAL alive',
    'grant_no_keys': 'ack=EINVAL alive',
    'grant_more_keys_than_range': 'ack=EINVAL alive',
    'grant_key_below_a_page': 'ack=EINVAL alive',
    'grant_waits_for_its_keys': 'ack=none alive',
    'grant_key_completes': 'ack=0 alive',
    'grant_key_out_of_order': 'ack=none killed',
    'grant_key_unknown_grant': 'ack=none alive',
    'revoke_unknown': 'ack=ENOENT alive',
    'revoke_forged_grant': 'ack=0 alive',
    'rts_unknown_ep': 'ack=ECONNRESET alive',
    'rts_no_recv': 'ack=ENOBUFS alive',
    'rts_zero_length': 'ack=ECONNRESET alive',
    'rts_bigger_than_recv': 'ack=EMSGSIZE alive',
    'rts_more_keys_than_range': 'ack=EPROTO alive',
    'rts_start_past_first_page': 'ack=EPROTO alive',
    'rts_key_below_a_page': 'ack=EPROTO alive',
    'send_key_unknown': 'ack=none alive',
    'imm_unknown_ep': 'ack=ECONNRESET alive',
    'cts_never_asked': 'ack=EPROTO alive',
    'cts_id_past_seq': 'ack=EPROTO alive',
    'rts_forged_key': 'ack=none killed',
    'rts_waits_for_its_keys': 'ack=none alive',
    'send_key_out_of_order': 'ack=none killed',
}


class BadPeerTest(BulkTestCase):

    def setUp(self):
        super().setUp()
        subprocess.run(['ip', 'addr', 'add', f'{BAD_ADDR}/24', 'dev', 'eth0'], check=True)
        self.addCleanup(subprocess.run, ['ip', 'addr', 'del', f'{BAD_ADDR}/24', 'dev', 'eth0'],
                        check=True)
        time.sleep(1)	# the device's GID table follows the address

    def test_corrupt_and_forged_messages(self):
        ctx = self.context()
        quiet = self.endpoint(ctx)
        target = self.endpoint(ctx)
        mr = B.BulkMR(target, 4096)
        self.addCleanup(mr.close)
        recvs = [B.BulkOp(opcode=B.OP_RECV, mr=mr, length=4096, wr_id=w) for w in (9, 10)]
        self.assertEqual(post_status(target, recvs), (0, 2))

        start = time.monotonic()
        p = subprocess.run([TOOL, BAD_ADDR, self.guest_addr(), str(quiet.ep_id()), str(target.ep_id())],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=900)
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertEqual(lines[-2:], ['sequence acked=512', 'done'], p.stdout)
        got = dict(line.split(' ', 1) for line in lines[:-2])
        self.assertEqual(sorted(got), sorted(EXPECTED))
        for case, want in EXPECTED.items():
            with self.subTest(case=case):
                self.assertEqual(got[case], want)
        killed = sum(1 for v in got.values() if v.endswith('killed'))
        took = time.monotonic() - start

        # The RECV the forged key was aimed at failed, and so did the one
        # whose keys came out of order; nothing else got them.
        wcs = sorted(wait_wcs(target, 2, 60), key=lambda w: w.wr_id)
        self.assertEqual([w.wr_id for w in wcs], [9, 10])
        for wc in wcs:
            self.assertIn(wc.status, (errno.ECONNRESET, errno.EIO, errno.EPROTO, errno.EACCES))
        figure('malformed peer', f'{len(got)} corrupt, unknown or forged control messages '
               f'({killed} cost the sender its connection), 512 valid ones after, in '
               f'{took:.0f} s; the RECV a forged key aimed at: '
               f'{errno.errorcode[wcs[0].status]}, the one whose keys came out of order: '
               f'{errno.errorcode[wcs[1].status]}; other endpoints served')
        self.assertEqual(quiet.poll(), [])
        self.check_transfer()
