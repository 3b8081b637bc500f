# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""The kernel's checks of every bulk method, reached with raw attributes.

tests/guest/bin/bulk_raw_input sends what libibbulk never sends (bad and
wrong-type handles, short, long and misaligned attributes, non-zero
reserved fields and comp_mask bits, faulting pointers, zero and huge
lengths) and prints what the kernel answered; the table below is the
contract. The run ends with a valid operation on the same endpoint, and
the guest's kernel log must stay clean (vm-run checks it).
"""

import os
import subprocess

from .bulk_base import BIN, BulkTestCase

TOOL = os.path.join(BIN, 'bulk_raw_input')

EXPECTED = {
    'ep_create_resp_unwritable': 'EFAULT',
    # POST: one op per call unless named; posted=-1: the kernel refused the
    # call before it could write the count.
    'post_valid': 'ok posted=1',
    'post_valid_completes': 'ok',
    'post_reserved': 'EINVAL posted=0',
    'post_opcode': 'EINVAL posted=0',
    'post_flags': 'EINVAL posted=0',
    'post_imm_without_flag': 'EINVAL posted=0',
    'post_zero_length': 'EINVAL posted=0',
    'post_huge_length': 'ERANGE posted=0',
    'post_offset_past_mr': 'ERANGE posted=0',
    'post_offset_overflow': 'ERANGE posted=0',
    'post_bad_mr': 'EINVAL posted=0',
    'post_mr_of_other_ep': 'EINVAL posted=0',
    'post_bad_conn': 'EINVAL posted=0',
    'post_recv_with_conn': 'EINVAL posted=0',
    'post_imm_on_read': 'EINVAL posted=0',
    'post_send_with_grant': 'EINVAL posted=0',
    'post_second_bad': 'EINVAL posted=1',
    'post_second_bad_first_completes': 'ok',
    'post_short_attr': 'EINVAL posted=-1',
    'post_misaligned_attr': 'EINVAL posted=-1',
    'post_ops_fault': 'EFAULT posted=-1',
    'post_no_num_attr': 'EINVAL',
    'post_not_an_ep': 'EBADF',
    'post_closed_fd': 'EBADF',
    'post_ids_of_another_ep': 'EINVAL',
    # POLL
    'poll_empty': 'ok',
    'poll_short_attr': 'EINVAL',
    'poll_misaligned_attr': 'EINVAL',
    # MR REG / DEREG
    'reg_valid': 'ok',
    # A cached MR's id stays reserved and refuses operations; a cache hit
    # gets it back.
    'post_cached_mr_id': 'EINVAL posted=0',
    'reg_other_while_cached_id': 'new',
    'reg_hit_id': 'same',
    'post_after_hit': 'ok',
    'reg_reserved': 'EINVAL',
    'reg_comp_mask': 'EINVAL',
    'reg_zero_length': 'EINVAL',
    'reg_access_unknown': 'EINVAL',
    'reg_huge_length': 'EINVAL',
    'reg_wrapping_range': 'EINVAL',
    'reg_unmapped': 'EFAULT',
    'reg_read_only_remote_write': 'EFAULT',
    'reg_resp_unwritable': 'EFAULT',
    'reg_larger_than_memory': 'ENOMEM',
    # An MR is always a possible READ sink and RECV target, so the kernel
    # pins it writable: read-only memory is refused whatever the access.
    'reg_read_only_remote_read': 'EFAULT',
    'reg_kernel_address': 'EINVAL',
    'reg_short_attr': 'EINVAL',
    'reg_longer_zero_tail': 'ok',
    'reg_longer_nonzero_tail': 'EOPNOTSUPP',
    'reg_not_an_ep': 'EBADF',
    'dereg_unknown_handle': 'ENOENT',
    'dereg_conn_handle': 'EINVAL',
    # CONNECT (to the endpoint itself over the node's address)
    'connect_valid': 'ok',
    'connect_resp_unwritable': 'EFAULT',
    'connect_comp_mask': 'EINVAL',
    'connect_ep_zero': 'EINVAL',
    'connect_longer_nonzero_tail': 'EOPNOTSUPP',
    'connect_inet6_any': 'EINVAL',
    'connect_inet6_link_local_no_scope': 'EINVAL',
    'connect_inet6_short': 'EINVAL',
    'connect_inet6_v4mapped': 'ok',      # the IPv4 node, by its mapped address
    'connect_unix': 'EAFNOSUPPORT',
    'connect_addr_short': 'EINVAL',
    'connect_addr_huge': 'EINVAL',
    # GRANT / REVOKE
    'grant_valid': 'ok',
    'grant_reserved': 'EINVAL',
    'grant_comp_mask': 'EINVAL',
    'grant_zero_length': 'EINVAL',
    'grant_past_mr': 'ERANGE',
    'grant_wrapping': 'ERANGE',
    'grant_access_unknown': 'EINVAL',
    'grant_mr_of_other_ep': 'EINVAL',
    'grant_bad_mr': 'ENOENT',
    'grant_bad_conn': 'ENOENT',
    'revoke_unknown': 'ENOENT',
    'revoke_comp_mask': 'EINVAL',
    # and the endpoint still works
    'post_after_all': 'ok',
    # libibbulk's own check: an endpoint with MRs and connections stays
    'lib_ep_close_busy': 'EBUSY',
}


def module_refs():
    """ib_bulk's module reference count (None when it is built in)."""
    try:
        with open('/sys/module/ib_bulk/refcnt') as f:
            return int(f.read())
    except FileNotFoundError:
        return None


class RawInputTest(BulkTestCase):

    def test_every_case_gets_its_errno(self):
        refs = module_refs()
        out = subprocess.run([TOOL, self.dev_name, self.guest_addr()], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=600)
        self.assertEqual(out.returncode, 0, out.stdout)
        lines = out.stdout.splitlines()
        self.assertEqual(lines[-1:], ['done'], out.stdout)
        got = dict(line.split(' ', 1) for line in lines[:-1])
        self.assertEqual(sorted(got), sorted(EXPECTED), 'cases run differ from the table')
        for case, want in EXPECTED.items():
            with self.subTest(case=case):
                self.assertEqual(got[case], want)
        # Every endpoint, MR and connection handle holds a reference on
        # ib_bulk: the ones whose answer could not be written went too.
        self.assertEqual(module_refs(), refs)
