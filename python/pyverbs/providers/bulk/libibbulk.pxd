# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
# <infiniband/bulk.h> for Cython: what pyverbs.providers.bulk calls.

#cython: language_level=3

from libc.stdint cimport uint16_t, uint32_t, uint64_t, int32_t
from pyverbs.libibverbs cimport ibv_context

cdef extern from 'sys/socket.h':
    cdef struct sockaddr:
        pass

cdef extern from 'linux/io_uring.h':
    cdef struct io_uring_sqe:
        pass
    cdef struct io_uring_cqe:
        pass

cdef extern from 'infiniband/bulk.h':
    cdef struct ibv_bulk_ep:
        pass
    cdef struct ibv_bulk_mr:
        pass
    cdef struct ibv_bulk_conn:
        pass

    cdef enum:
        IBV_BULK_EP_INIT_ATTR_CQ_DEPTH
        IBV_BULK_ACCESS_REMOTE_READ
        IBV_BULK_ACCESS_REMOTE_WRITE
        IBV_BULK_OP_WRITE
        IBV_BULK_OP_READ
        IBV_BULK_OP_SEND
        IBV_BULK_OP_RECV
        IBV_BULK_WC_RECV
        IBV_BULK_WC_IMM
        IBV_BULK_OP_F_IMM
        IBV_BULK_URING_SETUP_FLAGS
        IBV_BULK_URING_CMD_SIZE

    cdef struct ibv_bulk_ep_init_attr:
        uint64_t comp_mask
        uint32_t cq_depth

    cdef struct ibv_bulk_op:
        uint64_t wr_id
        uint32_t opcode
        uint32_t flags
        ibv_bulk_conn *conn
        ibv_bulk_mr *mr
        uint64_t offset
        uint64_t length
        uint64_t remote_grant
        uint64_t remote_offset
        uint32_t imm

    cdef struct ibv_bulk_wc:
        uint64_t wr_id
        uint32_t opcode
        int32_t status
        uint64_t byte_len
        uint32_t imm
        uint32_t src_ep

    ibv_bulk_ep *ibv_bulk_ep_open(ibv_context *ctx, const ibv_bulk_ep_init_attr *attr)
    int ibv_bulk_ep_close(ibv_bulk_ep *ep)
    uint32_t ibv_bulk_ep_id(const ibv_bulk_ep *ep)
    int ibv_bulk_ep_fd(const ibv_bulk_ep *ep)
    uint32_t ibv_bulk_ep_cq_depth(const ibv_bulk_ep *ep)
    ibv_bulk_mr *ibv_bulk_reg_mr(ibv_bulk_ep *ep, void *addr, size_t length,
                                 unsigned int access)
    int ibv_bulk_dereg_mr(ibv_bulk_mr *mr)
    ibv_bulk_conn *ibv_bulk_connect(ibv_bulk_ep *ep, const sockaddr *node,
                                    uint32_t remote_ep_id)
    int ibv_bulk_disconnect(ibv_bulk_conn *conn)
    int ibv_bulk_grant(ibv_bulk_conn *conn, ibv_bulk_mr *mr, uint64_t offset,
                       uint64_t length, unsigned int access, uint64_t *grant_id)
    int ibv_bulk_revoke(ibv_bulk_conn *conn, uint64_t grant_id)
    int ibv_bulk_post(ibv_bulk_ep *ep, const ibv_bulk_op *ops, unsigned int num,
                      unsigned int *num_posted)
    int ibv_bulk_poll(ibv_bulk_ep *ep, ibv_bulk_wc *wc, int num)
    int ibv_bulk_uring_cmd(ibv_bulk_ep *ep, const ibv_bulk_op *op, void *cmd,
                           uint32_t *cmd_op)
    int ibv_bulk_uring_cmd_fixed(ibv_bulk_ep *ep, const ibv_bulk_op *op,
                                 const void *buf, void *cmd, uint32_t *cmd_op)
    int ibv_bulk_prep_op(io_uring_sqe *sqe, ibv_bulk_ep *ep, const ibv_bulk_op *op)
    int ibv_bulk_prep_op_fixed(io_uring_sqe *sqe, ibv_bulk_ep *ep,
                               const ibv_bulk_op *op, const void *buf,
                               uint16_t buf_index)
    void ibv_bulk_cqe_to_wc(const io_uring_cqe *cqe, ibv_bulk_wc *wc)
