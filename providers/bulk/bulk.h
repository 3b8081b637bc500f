/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * libibbulk: verbs-style access to the kernel's bulk zero-copy transport.
 *
 * The kernel owns the QPs, MRs, CQs and the connections; a process opens an
 * endpoint on an ibv_context and moves data through it. Functions returning
 * int return 0 or a positive errno value; constructors return NULL and set
 * errno. On a kernel without the transport they fail with EOPNOTSUPP.
 */
#ifndef INFINIBAND_BULK_H
#define INFINIBAND_BULK_H

#include <stdint.h>
#include <infiniband/verbs.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ibv_bulk_ep;
struct ibv_bulk_mr;

enum ibv_bulk_ep_init_attr_mask {
	IBV_BULK_EP_INIT_ATTR_CQ_DEPTH = 1 << 0,
};

struct ibv_bulk_ep_init_attr {
	uint64_t comp_mask;	/* enum ibv_bulk_ep_init_attr_mask */
	uint32_t cq_depth;	/* completions the endpoint holds */
};

struct ibv_bulk_ep *ibv_bulk_ep_open(struct ibv_context *ctx,
				     const struct ibv_bulk_ep_init_attr *attr);
int ibv_bulk_ep_close(struct ibv_bulk_ep *ep);
uint32_t ibv_bulk_ep_id(const struct ibv_bulk_ep *ep);
int ibv_bulk_ep_fd(const struct ibv_bulk_ep *ep);
uint32_t ibv_bulk_ep_cq_depth(const struct ibv_bulk_ep *ep);

/* What a peer may be granted on an MR; local access is always allowed. */
enum ibv_bulk_access_flags {
	IBV_BULK_ACCESS_REMOTE_READ = 1 << 0,
	IBV_BULK_ACCESS_REMOTE_WRITE = 1 << 1,
};

struct ibv_bulk_mr *ibv_bulk_reg_mr(struct ibv_bulk_ep *ep, void *addr,
				    size_t length, unsigned int access);
int ibv_bulk_dereg_mr(struct ibv_bulk_mr *mr);

#ifdef __cplusplus
}
#endif

#endif /* INFINIBAND_BULK_H */
