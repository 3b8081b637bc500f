# SPDX-License-Identifier: (GPL-2.0 OR Linux-OpenIB)
# rdma-bulk: the two verbs structs that device.pxd names. rdma-core's
# pyverbs/libibverbs.pxd declares all of verbs.h; Context holds pointers
# only, so opaque declarations keep its layout.

cdef extern from 'infiniband/verbs.h':
    cdef struct ibv_device:
        pass
    cdef struct ibv_context:
        int cmd_fd
