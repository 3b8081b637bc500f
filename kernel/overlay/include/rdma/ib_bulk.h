/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * The interface between ib_uverbs and the bulk transport module (ib_bulk).
 *
 * ib_uverbs owns the uverbs objects, their handles and their lifetime; the
 * transport owns what they stand for. The transport registers its ops once
 * at module load; every endpoint pins the module until it is destroyed, so
 * a module with endpoints cannot be unloaded.
 */
#ifndef _RDMA_IB_BULK_H
#define _RDMA_IB_BULK_H

#include <linux/wait.h>
#include <rdma/ib_verbs.h>
#include <rdma/ib_user_ioctl_bulk.h>

struct module;
struct ib_bulk_ep;
struct ib_bulk_mr;
struct ib_bulk_conn;
struct sockaddr;
struct io_uring_cmd;

/**
 * struct ib_bulk_ops - what ib_uverbs calls in the bulk transport
 * @owner: the module providing the ops
 * @ep_create: create an endpoint on @device. @wq belongs to the endpoint's
 *	file and outlives the endpoint: the transport wakes it when
 *	completions become pending. Returns the endpoint or an ERR_PTR.
 * @ep_destroy: destroy an endpoint; @why tells a close from a device
 *	removal. Every operation of the endpoint completes or is flushed
 *	before it returns. Never fails.
 * @ep_query: fill the creation response of an endpoint
 * @ep_poll_mask: the endpoint's readiness, EPOLLIN when completions are
 *	pending; called without sleeping
 * @mr_reg: pin and register the calling process's memory for @ep. Runs in
 *	the caller's context: the pages are charged to its RLIMIT_MEMLOCK.
 *	Returns the MR or an ERR_PTR; @resp gets its id.
 * @mr_dereg: deregister and unpin an MR. Fails (-EBUSY) only when
 *	@why is RDMA_REMOVE_DESTROY and a grant still covers the MR. The MR
 *	may outlive its endpoint (the endpoint's file closed first).
 * @conn_create: connect @ep to endpoint @cmd->remote_ep_id on the node at
 *	@addr, sharing the node's connection; sleeps until the remote
 *	endpoint answered or the timeout passed. @resp gets its id.
 * @conn_destroy: drop a connection handle; never fails
 * @grant: let the connection's remote endpoint access a range of @mr;
 *	sleeps until the remote node holds the grant
 * @revoke: withdraw a grant; sleeps until the remote node drained it
 * @post: accept up to @num operations, stopping at the first one refused:
 *	@num_posted tells how many were accepted, the return value why the
 *	next one was not (0 when all were accepted)
 * @poll: move up to @num completions to @wc; returns how many
 * @uring_post: accept one operation submitted through io_uring; its one
 *	completion goes to ib_bulk_uring_complete(@ucmd, ...) instead of the
 *	endpoint's ring. Returns 0 when accepted, else why not.
 * @uring_cancel: io_uring cancels @ucmd, a RECV that uring_post accepted
 *	(its ring is closing or its task exiting): complete it as cancelled
 *	when it still waits for a sender; one already matched completes by
 *	itself
 */
struct ib_bulk_ops {
	struct module *owner;
	struct ib_bulk_ep *(*ep_create)(struct ib_device *device,
					const struct ib_uverbs_bulk_ep_attr *attr,
					wait_queue_head_t *wq);
	void (*ep_destroy)(struct ib_bulk_ep *ep, enum rdma_remove_reason why);
	void (*ep_query)(struct ib_bulk_ep *ep,
			 struct ib_uverbs_bulk_ep_resp *resp);
	__poll_t (*ep_poll_mask)(struct ib_bulk_ep *ep);
	struct ib_bulk_mr *(*mr_reg)(struct ib_bulk_ep *ep,
				     const struct ib_uverbs_bulk_mr_reg *cmd,
				     struct ib_uverbs_bulk_mr_resp *resp);
	int (*mr_dereg)(struct ib_bulk_mr *mr, enum rdma_remove_reason why);
	struct ib_bulk_conn *(*conn_create)(struct ib_bulk_ep *ep,
					    const struct sockaddr *addr,
					    const struct ib_uverbs_bulk_connect *cmd,
					    struct ib_uverbs_bulk_connect_resp *resp);
	void (*conn_destroy)(struct ib_bulk_conn *conn,
			     enum rdma_remove_reason why);
	int (*grant)(struct ib_bulk_conn *conn, struct ib_bulk_mr *mr,
		     const struct ib_uverbs_bulk_grant *cmd, u64 *grant_id);
	int (*revoke)(struct ib_bulk_conn *conn, u64 grant_id);
	int (*post)(struct ib_bulk_ep *ep, const struct ib_uverbs_bulk_op *ops,
		    u32 num, u32 *num_posted);
	int (*poll)(struct ib_bulk_ep *ep, struct ib_uverbs_bulk_wc *wc,
		    u32 num);
	int (*uring_post)(struct ib_bulk_ep *ep,
			  const struct ib_uverbs_bulk_op *op,
			  struct io_uring_cmd *ucmd);
	void (*uring_cancel)(struct ib_bulk_ep *ep, struct io_uring_cmd *ucmd);
};

int ib_bulk_register_ops(const struct ib_bulk_ops *ops);
void ib_bulk_unregister_ops(const struct ib_bulk_ops *ops);
void ib_bulk_uring_complete(struct io_uring_cmd *ucmd, int res, u64 res2);

#endif /* _RDMA_IB_BULK_H */
