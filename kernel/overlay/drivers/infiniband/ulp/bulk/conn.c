// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ib_bulk connection handles: an endpoint's name for one remote endpoint.
 * Every handle to a node shares the node's peer (its one RC connection);
 * creating a handle connects the node if needed and asks the node's kernel
 * whether the remote endpoint exists, so a wrong id fails here and not on
 * the first operation.
 */

#include <linux/in.h>
#include <linux/slab.h>
#include "bulk.h"

struct ib_bulk_conn *bulk_conn_create(struct ib_bulk_ep *ep,
				      const struct sockaddr *addr,
				      const struct ib_uverbs_bulk_connect *cmd,
				      struct ib_uverbs_bulk_connect_resp *resp)
{
	unsigned long timeout = msecs_to_jiffies(cmd->timeout_ms ?:
				IB_UVERBS_BULK_CONNECT_DEFAULT_TIMEOUT_MS);
	const struct sockaddr_in *sin = (const struct sockaddr_in *)addr;
	struct bulk_msg_tx *mtx;
	struct ib_bulk_conn *conn;
	struct bulk_peer *peer;
	int ret;

	if (bulk_dev_removed(ep->dev))
		return ERR_PTR(-ENODEV);
	if (addr->sa_family != AF_INET)
		return ERR_PTR(-EAFNOSUPPORT);
	if (!cmd->remote_ep_id || sin->sin_addr.s_addr == htonl(INADDR_ANY))
		return ERR_PTR(-EINVAL);

	conn = kzalloc(sizeof(*conn), GFP_KERNEL);
	if (!conn)
		return ERR_PTR(-ENOMEM);
	peer = bulk_peer_connect(ep->dev, addr, timeout);
	if (IS_ERR(peer)) {
		ret = PTR_ERR(peer);
		goto err_free;
	}

	ret = -ENOMEM;
	mtx = bulk_msg_alloc(BULK_MSG_EP_CHECK, GFP_KERNEL);
	if (!mtx)
		goto err_peer;
	mtx->msg.src_ep = cpu_to_le32(ep->id);
	mtx->msg.dst_ep = cpu_to_le32(cmd->remote_ep_id);
	ret = bulk_peer_request_wait(peer, mtx, timeout);
	if (ret)
		goto err_peer;

	conn->ep = ep;
	conn->peer = peer;
	conn->remote_ep = cmd->remote_ep_id;
	ret = xa_alloc(&ep->conns, &conn->id, conn, xa_limit_32b, GFP_KERNEL);
	if (ret)
		goto err_peer;
	bulk_ep_get(ep);
	resp->conn_id = conn->id;
	return conn;

err_peer:
	bulk_peer_put(peer);
err_free:
	kfree(conn);
	return ERR_PTR(ret);
}

void bulk_conn_destroy(struct ib_bulk_conn *conn, enum rdma_remove_reason why)
{
	xa_erase(&conn->ep->conns, conn->id);
	bulk_peer_put(conn->peer);
	bulk_ep_put(conn->ep);
	kfree(conn);
}
