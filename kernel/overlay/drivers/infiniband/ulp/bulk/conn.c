// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ib_bulk connection handles: an endpoint's name for one remote endpoint.
 * Every handle to a node shares the node's peer (its one RC connection);
 * creating a handle connects the node if needed and asks the node's kernel
 * whether the remote endpoint exists, so a wrong id fails here and not on
 * the first operation. When the remote endpoint closes (its process exits
 * or closes it), its kernel says so with the revokes of its grants, and
 * the handle is reset: a killed server reads as a reset connection to its
 * clients, not as a permission they lost.
 */

#include <linux/in.h>
#include <linux/slab.h>
#include <net/ipv6.h>
#include "bulk.h"

/*
 * The node @addr names, in the form its peer is kept under: an IPv4-mapped
 * IPv6 address is the IPv4 node (one connection, whichever way it was
 * named); a node reached by its IPv4 and by its IPv6 address is two nodes
 * to us, as nothing on the wire says they are one. An unspecified address
 * names nobody, and a link-local one needs its interface.
 */
static int bulk_conn_node(const struct sockaddr *addr,
			  struct sockaddr_storage *node)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)addr;
	struct sockaddr_in *sin = (struct sockaddr_in *)node;

	memset(node, 0, sizeof(*node));
	switch (addr->sa_family) {
	case AF_INET:
		*sin = *(const struct sockaddr_in *)addr;
		break;
	case AF_INET6:
		if (ipv6_addr_v4mapped(&sin6->sin6_addr)) {
			sin->sin_family = AF_INET;
			sin->sin_port = sin6->sin6_port;
			sin->sin_addr.s_addr = sin6->sin6_addr.s6_addr32[3];
			break;
		}
		if (ipv6_addr_any(&sin6->sin6_addr) ||
		    ((ipv6_addr_type(&sin6->sin6_addr) & IPV6_ADDR_LINKLOCAL) &&
		     !sin6->sin6_scope_id))
			return -EINVAL;
		*(struct sockaddr_in6 *)node = *sin6;
		return 0;
	default:
		return -EAFNOSUPPORT;
	}
	return sin->sin_addr.s_addr == htonl(INADDR_ANY) ? -EINVAL : 0;
}

static void bulk_conn_unlist(struct ib_bulk_conn *conn)
{
	spin_lock(&conn->peer->lock);
	list_del(&conn->peer_list);
	spin_unlock(&conn->peer->lock);
}

struct ib_bulk_conn *bulk_conn_create(struct ib_bulk_ep *ep,
				      const struct sockaddr *addr,
				      const struct ib_uverbs_bulk_connect *cmd,
				      struct ib_uverbs_bulk_connect_resp *resp)
{
	unsigned long timeout = msecs_to_jiffies(cmd->timeout_ms ?:
				IB_UVERBS_BULK_CONNECT_DEFAULT_TIMEOUT_MS);
	struct sockaddr_storage node;
	struct bulk_msg_tx *mtx;
	struct ib_bulk_conn *conn;
	struct bulk_peer *peer;
	int ret;

	if (bulk_dev_removed(ep->dev))
		return ERR_PTR(-ENODEV);
	ret = bulk_conn_node(addr, &node);
	if (ret)
		return ERR_PTR(ret);
	if (!cmd->remote_ep_id)
		return ERR_PTR(-EINVAL);

	conn = kzalloc(sizeof(*conn), GFP_KERNEL);
	if (!conn)
		return ERR_PTR(-ENOMEM);
	peer = bulk_peer_connect(ep->dev, (struct sockaddr *)&node, timeout);
	if (IS_ERR(peer)) {
		ret = PTR_ERR(peer);
		goto err_free;
	}

	conn->ep = ep;
	conn->peer = peer;
	conn->remote_ep = cmd->remote_ep_id;
	/* Listed before asking: a close reported after the answer finds it. */
	spin_lock(&peer->lock);
	list_add_tail(&conn->peer_list, &peer->conns);
	spin_unlock(&peer->lock);

	ret = -ENOMEM;
	mtx = bulk_msg_alloc(BULK_MSG_EP_CHECK, GFP_KERNEL);
	if (!mtx)
		goto err_unlist;
	mtx->msg.src_ep = cpu_to_le32(ep->id);
	mtx->msg.dst_ep = cpu_to_le32(cmd->remote_ep_id);
	/* The caller's timeout does not judge the node that others share. */
	ret = bulk_peer_ask(peer, mtx, timeout);
	if (ret)
		goto err_unlist;

	ret = xa_alloc(&ep->conns, &conn->id, conn, xa_limit_32b, GFP_KERNEL);
	if (ret)
		goto err_unlist;
	bulk_ep_get(ep);
	resp->conn_id = conn->id;
	return conn;

err_unlist:
	bulk_conn_unlist(conn);
	bulk_peer_put(peer);
err_free:
	kfree(conn);
	return ERR_PTR(ret);
}

void bulk_conn_destroy(struct ib_bulk_conn *conn, enum rdma_remove_reason why)
{
	xa_erase(&conn->ep->conns, conn->id);
	bulk_conn_unlist(conn);
	bulk_peer_put(conn->peer);
	bulk_ep_put(conn->ep);
	kfree(conn);
}

/*
 * The node reports that its endpoint @remote_ep closed: reset our handles
 * on it. Called under @peer's lock, in the same section that drops the
 * endpoint's grant, so an operation that misses the grant sees the reset.
 */
void bulk_conns_reset_locked(struct bulk_peer *peer, u32 remote_ep)
{
	struct ib_bulk_conn *conn;

	lockdep_assert_held(&peer->lock);
	list_for_each_entry(conn, &peer->conns, peer_list)
		if (conn->remote_ep == remote_ep)
			WRITE_ONCE(conn->reset, true);
}
