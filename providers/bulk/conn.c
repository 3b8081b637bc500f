// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Connection handles and grants. The kernel owns the RC connection behind
 * a handle and the keys behind a grant; the library keeps handles and ids.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <rdma/ib_user_ioctl_bulk.h>
#include <rdma/ib_user_ioctl_cmds.h>
#include "bulk_priv.h"
#include "cmd_ioctl.h"

/*
 * IBV_BULK_CONNECT_TIMEOUT_MS overrides the kernel's default wait for a
 * new node connection (slow emulated test nodes need more); anything but
 * a positive number of milliseconds is ignored.
 */
static uint32_t connect_timeout_ms(void)
{
	const char *env = secure_getenv("IBV_BULK_CONNECT_TIMEOUT_MS");
	unsigned long ms;
	char *end;

	if (!env || !*env)
		return 0;
	errno = 0;
	ms = strtoul(env, &end, 10);
	if (errno || *end || !ms || ms > UINT32_MAX || *env == '-')
		return 0;
	return ms;
}

EXPORT struct ibv_bulk_conn *ibv_bulk_connect(struct ibv_bulk_ep *ep,
					      const struct sockaddr *node,
					      uint32_t remote_ep_id)
{
	struct ib_uverbs_bulk_connect kcmd = {};
	struct ib_uverbs_bulk_connect_resp resp = {};
	struct ib_uverbs_attr *handle;
	struct ibv_bulk_conn *conn;
	struct bulk_ioctl cmd;
	size_t alen;
	int ret;

	if (!ep || !node || !remote_ep_id) {
		errno = EINVAL;
		return NULL;
	}
	switch (node->sa_family) {
	case AF_INET:
		alen = sizeof(struct sockaddr_in);
		break;
	case AF_INET6:
		alen = sizeof(struct sockaddr_in6);
		break;
	default:
		errno = EAFNOSUPPORT;
		return NULL;
	}
	conn = calloc(1, sizeof(*conn));
	if (!conn)
		return NULL;

	kcmd.remote_ep_id = remote_ep_id;
	kcmd.timeout_ms = connect_timeout_ms();
	bulk_ioctl_init(&cmd, UVERBS_OBJECT_BULK_CONN,
			UVERBS_METHOD_BULK_CONN_CONNECT, ep->driver_id);
	handle = bulk_ioctl_new(&cmd, UVERBS_ATTR_BULK_CONN_CONNECT_HANDLE);
	bulk_ioctl_obj(&cmd, UVERBS_ATTR_BULK_CONN_CONNECT_EP, ep->fd);
	bulk_ioctl_ptr_in(&cmd, UVERBS_ATTR_BULK_CONN_CONNECT_ADDR, node, alen);
	bulk_ioctl_ptr_in(&cmd, UVERBS_ATTR_BULK_CONN_CONNECT_CMD, &kcmd,
			  sizeof(kcmd));
	bulk_ioctl_ptr_out(&cmd, UVERBS_ATTR_BULK_CONN_CONNECT_RESP, &resp,
			   sizeof(resp));
	ret = bulk_ioctl_exec(ep->ctx->cmd_fd, &cmd);
	if (ret) {
		free(conn);
		errno = ret;
		return NULL;
	}
	atomic_fetch_add(&ep->num_conns, 1);
	conn->ep = ep;
	conn->handle = handle->data;
	conn->id = resp.conn_id;
	return conn;
}

EXPORT int ibv_bulk_disconnect(struct ibv_bulk_conn *conn)
{
	struct bulk_ioctl cmd;
	int ret;

	if (!conn)
		return EINVAL;
	bulk_ioctl_init(&cmd, UVERBS_OBJECT_BULK_CONN,
			UVERBS_METHOD_BULK_CONN_DISCONNECT, conn->ep->driver_id);
	bulk_ioctl_obj(&cmd, UVERBS_ATTR_BULK_CONN_DISCONNECT_HANDLE,
		       conn->handle);
	ret = bulk_ioctl_exec(conn->ep->ctx->cmd_fd, &cmd);
	if (ret)
		return ret;
	atomic_fetch_sub(&conn->ep->num_conns, 1);
	free(conn);
	return 0;
}

EXPORT int ibv_bulk_grant(struct ibv_bulk_conn *conn, struct ibv_bulk_mr *mr,
			  uint64_t offset, uint64_t length, unsigned int access,
			  uint64_t *grant_id)
{
	struct ib_uverbs_bulk_grant kcmd = {};
	struct ib_uverbs_bulk_grant_resp resp = {};
	struct bulk_ioctl cmd;
	int ret;

	if (!conn || !mr || !grant_id || mr->ep != conn->ep)
		return EINVAL;
	kcmd.offset = offset;
	kcmd.length = length;
	kcmd.access = access;
	bulk_ioctl_init(&cmd, UVERBS_OBJECT_BULK_CONN,
			UVERBS_METHOD_BULK_CONN_GRANT, conn->ep->driver_id);
	bulk_ioctl_obj(&cmd, UVERBS_ATTR_BULK_CONN_GRANT_HANDLE, conn->handle);
	bulk_ioctl_obj(&cmd, UVERBS_ATTR_BULK_CONN_GRANT_MR, mr->handle);
	bulk_ioctl_ptr_in(&cmd, UVERBS_ATTR_BULK_CONN_GRANT_CMD, &kcmd,
			  sizeof(kcmd));
	bulk_ioctl_ptr_out(&cmd, UVERBS_ATTR_BULK_CONN_GRANT_RESP, &resp,
			   sizeof(resp));
	ret = bulk_ioctl_exec(conn->ep->ctx->cmd_fd, &cmd);
	if (ret)
		return ret;
	*grant_id = resp.grant_id;
	return 0;
}

EXPORT int ibv_bulk_revoke(struct ibv_bulk_conn *conn, uint64_t grant_id)
{
	struct ib_uverbs_bulk_revoke kcmd = {};
	struct bulk_ioctl cmd;

	if (!conn)
		return EINVAL;
	kcmd.grant_id = grant_id;
	bulk_ioctl_init(&cmd, UVERBS_OBJECT_BULK_CONN,
			UVERBS_METHOD_BULK_CONN_REVOKE, conn->ep->driver_id);
	bulk_ioctl_obj(&cmd, UVERBS_ATTR_BULK_CONN_REVOKE_HANDLE, conn->handle);
	bulk_ioctl_ptr_in(&cmd, UVERBS_ATTR_BULK_CONN_REVOKE_CMD, &kcmd,
			  sizeof(kcmd));
	return bulk_ioctl_exec(conn->ep->ctx->cmd_fd, &cmd);
}
