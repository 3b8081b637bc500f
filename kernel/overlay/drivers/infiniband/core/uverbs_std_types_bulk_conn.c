// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * uverbs connection object of the bulk zero-copy transport: an endpoint's
 * handle on a remote endpoint, and the grants made through it. The RC
 * connection behind it belongs to the kernel and is shared by every
 * endpoint talking to the same node.
 */

#include <linux/module.h>
#include <linux/socket.h>
#include <rdma/uverbs_std_types.h>
#include "rdma_core.h"
#include "uverbs.h"
#include "uverbs_bulk.h"

#define BULK_CONNECT_RESP struct ib_uverbs_bulk_connect_resp

/* Like the MR, the handle pins the module on its own. */
struct ib_bulk_conn_uobj {
	const struct ib_bulk_ops *ops;
	struct ib_bulk_conn *conn;
};

static int bulk_conn_destroy_uobj(struct ib_uobject *uobj,
				  enum rdma_remove_reason why,
				  struct uverbs_attr_bundle *attrs)
{
	struct ib_bulk_conn_uobj *uconn = uobj->object;

	uconn->ops->conn_destroy(uconn->conn, why);
	module_put(uconn->ops->owner);
	kfree(uconn);
	return 0;
}

static int
UVERBS_HANDLER(UVERBS_METHOD_BULK_CONN_CONNECT)(struct uverbs_attr_bundle *attrs)
{
	struct ib_uobject *uobj =
		uverbs_attr_get_uobject(attrs, UVERBS_ATTR_BULK_CONN_CONNECT_HANDLE);
	struct ib_bulk_ep_uobj *uep = to_bulk_ep_uobj(uverbs_attr_get_uobject(attrs,
						UVERBS_ATTR_BULK_CONN_CONNECT_EP));
	struct ib_uverbs_bulk_connect_resp resp = {};
	struct ib_uverbs_bulk_connect cmd;
	struct ib_bulk_conn_uobj *uconn;
	struct sockaddr_storage addr = {};
	struct ib_bulk_conn *conn;
	size_t alen;
	int ret;

	ret = uverbs_copy_from_or_zero(&cmd, attrs,
				       UVERBS_ATTR_BULK_CONN_CONNECT_CMD);
	if (ret)
		return ret;
	if (cmd.comp_mask)
		return -EINVAL;
	alen = uverbs_attr_get_len(attrs, UVERBS_ATTR_BULK_CONN_CONNECT_ADDR);
	if (alen > sizeof(addr))
		return -EINVAL;
	ret = uverbs_copy_from(&addr, attrs, UVERBS_ATTR_BULK_CONN_CONNECT_ADDR);
	if (ret)
		return ret;
	/* The family's whole address, not a prefix padded with our zeros. */
	if (addr.ss_family == AF_INET6 && alen < sizeof(struct sockaddr_in6))
		return -EINVAL;

	uconn = kzalloc(sizeof(*uconn), GFP_KERNEL);
	if (!uconn)
		return -ENOMEM;

	ret = uverbs_bulk_ep_lock_pin(uep);
	if (ret)
		goto err_free;
	conn = uep->ops->conn_create(uep->ep, (struct sockaddr *)&addr, &cmd,
				     &resp);
	if (IS_ERR(conn)) {
		ret = PTR_ERR(conn);
		module_put(uep->ops->owner);
		goto err_unlock;
	}
	uconn->ops = uep->ops;
	uconn->conn = conn;
	up_read(&uep->lock);

	/* From here a failure aborts the uobject, which disconnects. */
	uobj->object = uconn;
	uverbs_finalize_uobj_create(attrs, UVERBS_ATTR_BULK_CONN_CONNECT_HANDLE);
	return uverbs_copy_to_struct_or_zero(attrs,
					     UVERBS_ATTR_BULK_CONN_CONNECT_RESP,
					     &resp, sizeof(resp));

err_unlock:
	up_read(&uep->lock);
err_free:
	kfree(uconn);
	return ret;
}

static int
UVERBS_HANDLER(UVERBS_METHOD_BULK_CONN_GRANT)(struct uverbs_attr_bundle *attrs)
{
	struct ib_bulk_conn_uobj *uconn =
		uverbs_attr_get_obj(attrs, UVERBS_ATTR_BULK_CONN_GRANT_HANDLE);
	struct ib_bulk_mr_uobj *umr =
		uverbs_attr_get_obj(attrs, UVERBS_ATTR_BULK_CONN_GRANT_MR);
	struct ib_uverbs_bulk_grant_resp resp = {};
	struct ib_uverbs_bulk_grant cmd;
	int ret;

	ret = uverbs_copy_from_or_zero(&cmd, attrs,
				       UVERBS_ATTR_BULK_CONN_GRANT_CMD);
	if (ret)
		return ret;
	if (cmd.comp_mask || cmd.reserved)
		return -EINVAL;
	ret = uconn->ops->grant(uconn->conn, umr->mr, &cmd, &resp.grant_id);
	if (ret)
		return ret;
	return uverbs_copy_to_struct_or_zero(attrs,
					     UVERBS_ATTR_BULK_CONN_GRANT_RESP,
					     &resp, sizeof(resp));
}

static int
UVERBS_HANDLER(UVERBS_METHOD_BULK_CONN_REVOKE)(struct uverbs_attr_bundle *attrs)
{
	struct ib_bulk_conn_uobj *uconn =
		uverbs_attr_get_obj(attrs, UVERBS_ATTR_BULK_CONN_REVOKE_HANDLE);
	struct ib_uverbs_bulk_revoke cmd;
	int ret;

	ret = uverbs_copy_from_or_zero(&cmd, attrs,
				       UVERBS_ATTR_BULK_CONN_REVOKE_CMD);
	if (ret)
		return ret;
	if (cmd.comp_mask)
		return -EINVAL;
	return uconn->ops->revoke(uconn->conn, cmd.grant_id);
}

DECLARE_UVERBS_NAMED_METHOD(UVERBS_METHOD_BULK_CONN_CONNECT,
			    UVERBS_ATTR_IDR(UVERBS_ATTR_BULK_CONN_CONNECT_HANDLE,
					    UVERBS_OBJECT_BULK_CONN,
					    UVERBS_ACCESS_NEW,
					    UA_MANDATORY),
			    UVERBS_ATTR_FD(UVERBS_ATTR_BULK_CONN_CONNECT_EP,
					   UVERBS_OBJECT_BULK_EP,
					   UVERBS_ACCESS_READ,
					   UA_MANDATORY),
			    UVERBS_ATTR_PTR_IN(UVERBS_ATTR_BULK_CONN_CONNECT_ADDR,
					       UVERBS_ATTR_MIN_SIZE(sizeof(struct sockaddr_in)),
					       UA_MANDATORY),
			    UVERBS_ATTR_PTR_IN(UVERBS_ATTR_BULK_CONN_CONNECT_CMD,
					       UVERBS_ATTR_STRUCT(struct ib_uverbs_bulk_connect,
								  timeout_ms),
					       UA_MANDATORY),
			    UVERBS_ATTR_PTR_OUT(UVERBS_ATTR_BULK_CONN_CONNECT_RESP,
						UVERBS_ATTR_STRUCT(BULK_CONNECT_RESP,
								   reserved),
						UA_MANDATORY));

DECLARE_UVERBS_NAMED_METHOD_DESTROY(UVERBS_METHOD_BULK_CONN_DISCONNECT,
				    UVERBS_ATTR_IDR(UVERBS_ATTR_BULK_CONN_DISCONNECT_HANDLE,
						    UVERBS_OBJECT_BULK_CONN,
						    UVERBS_ACCESS_DESTROY,
						    UA_MANDATORY));

DECLARE_UVERBS_NAMED_METHOD(UVERBS_METHOD_BULK_CONN_GRANT,
			    UVERBS_ATTR_IDR(UVERBS_ATTR_BULK_CONN_GRANT_HANDLE,
					    UVERBS_OBJECT_BULK_CONN,
					    UVERBS_ACCESS_READ,
					    UA_MANDATORY),
			    UVERBS_ATTR_IDR(UVERBS_ATTR_BULK_CONN_GRANT_MR,
					    UVERBS_OBJECT_BULK_MR,
					    UVERBS_ACCESS_READ,
					    UA_MANDATORY),
			    UVERBS_ATTR_PTR_IN(UVERBS_ATTR_BULK_CONN_GRANT_CMD,
					       UVERBS_ATTR_STRUCT(struct ib_uverbs_bulk_grant,
								  reserved),
					       UA_MANDATORY),
			    UVERBS_ATTR_PTR_OUT(UVERBS_ATTR_BULK_CONN_GRANT_RESP,
						UVERBS_ATTR_STRUCT(struct ib_uverbs_bulk_grant_resp,
								   grant_id),
						UA_MANDATORY));

DECLARE_UVERBS_NAMED_METHOD(UVERBS_METHOD_BULK_CONN_REVOKE,
			    UVERBS_ATTR_IDR(UVERBS_ATTR_BULK_CONN_REVOKE_HANDLE,
					    UVERBS_OBJECT_BULK_CONN,
					    UVERBS_ACCESS_READ,
					    UA_MANDATORY),
			    UVERBS_ATTR_PTR_IN(UVERBS_ATTR_BULK_CONN_REVOKE_CMD,
					       UVERBS_ATTR_STRUCT(struct ib_uverbs_bulk_revoke,
								  grant_id),
					       UA_MANDATORY));

DECLARE_UVERBS_NAMED_OBJECT(UVERBS_OBJECT_BULK_CONN,
			    UVERBS_TYPE_ALLOC_IDR(bulk_conn_destroy_uobj),
			    &UVERBS_METHOD(UVERBS_METHOD_BULK_CONN_CONNECT),
			    &UVERBS_METHOD(UVERBS_METHOD_BULK_CONN_DISCONNECT),
			    &UVERBS_METHOD(UVERBS_METHOD_BULK_CONN_GRANT),
			    &UVERBS_METHOD(UVERBS_METHOD_BULK_CONN_REVOKE));

const struct uapi_definition uverbs_def_obj_bulk_conn[] = {
	UAPI_DEF_CHAIN_OBJ_TREE_NAMED(UVERBS_OBJECT_BULK_CONN),
	{}
};
