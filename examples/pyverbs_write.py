#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""A WRITE between two endpoints of one node through pyverbs.providers.bulk.

Run in a guest (or on any node with rdma-bulk's kernel), from a checkout
built with cmake:
    PYTHONPATH=build/python /usr/bin/python3 examples/pyverbs_write.py rxe0 192.0.2.1
With python3-pyverbs-bulk installed, no PYTHONPATH is needed. The two
endpoints talk over the node's own address: the kernel's one connection
to a node serves every endpoint pair.
"""

import os
import sys
import time

from pyverbs.device import Context
import pyverbs.providers.bulk as bulk

SIZE = 1 << 20


def main():
    dev, addr = sys.argv[1], sys.argv[2]
    with Context(name=dev) as ctx:
        src = bulk.BulkEndpoint(ctx)
        dst = bulk.BulkEndpoint(ctx)
        # The source's MR is an anonymous mapping of SIZE bytes; the
        # destination's is a bytearray we keep and read afterwards.
        smr = src.reg_mr(SIZE)
        smr.buf[:] = os.urandom(SIZE)
        landing = bytearray(SIZE)
        dmr = dst.reg_mr(landing, bulk.ACCESS_REMOTE_WRITE)

        # The destination grants the source endpoint its whole MR; the
        # source names the grant, never a key.
        to_dst = src.connect(addr, dst.ep_id())
        to_src = dst.connect(addr, src.ep_id())
        grant = to_src.grant(dmr, 0, SIZE, bulk.ACCESS_REMOTE_WRITE)

        src.post([bulk.BulkOp(wr_id=1, opcode=bulk.OP_WRITE, conn=to_dst, mr=smr,
                              length=SIZE, remote_grant=grant)])
        wcs = []
        while not wcs:
            wcs = src.poll()
            time.sleep(0.001)
        print(wcs[0])
        if wcs[0].status:
            sys.exit(f'WRITE failed: {os.strerror(wcs[0].status)}')
        to_src.revoke(grant)
        print('landed intact' if landing == bytes(smr.buf) else 'data differs')
        # Leaving the with-block closes the Context, and with it the
        # endpoints, their MRs and connections, children first.


if __name__ == '__main__':
    main()
