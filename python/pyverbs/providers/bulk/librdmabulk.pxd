# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
# <rdma/rdma_bulk.h> (librdmabulk) for Cython: endpoints by local
# address and connections by host name.

#cython: language_level=3

from libc.stdint cimport uint32_t
from pyverbs.providers.bulk.libibbulk cimport ibv_bulk_ep, ibv_bulk_conn, \
    ibv_bulk_ep_init_attr

cdef extern from 'rdma/rdma_bulk.h':
    ibv_bulk_ep *rdma_bulk_ep_open(const char *local_addr,
                                   const ibv_bulk_ep_init_attr *attr)
    ibv_bulk_conn *rdma_bulk_connect(ibv_bulk_ep *ep, const char *host,
                                     const char *port, uint32_t remote_ep_id)
