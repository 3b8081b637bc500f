// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * uverbs objects of the bulk zero-copy transport.
 *
 * The handlers here only marshal: the transport itself is the ib_bulk
 * module, reached through the ops it registers. Without the module every
 * method fails with EOPNOTSUPP. An endpoint is an FD object so that its
 * file, not the uverbs file, carries poll() and the io_uring fast path:
 * uverbs' own file operations stay as they are.
 */

#include <linux/module.h>
#include <linux/poll.h>
#include <rdma/ib_bulk.h>
#include <rdma/uverbs_std_types.h>
#include <rdma/uverbs_ioctl.h>
#include "rdma_core.h"
#include "uverbs.h"
#include "uverbs_bulk.h"

static DEFINE_MUTEX(bulk_ops_lock);
static const struct ib_bulk_ops *bulk_ops;

/**
 * ib_bulk_register_ops - make the bulk transport reachable from uverbs
 * @ops: the transport's ops, static for the life of the module
 *
 * Return: 0, or -EBUSY when another transport is registered.
 */
int ib_bulk_register_ops(const struct ib_bulk_ops *ops)
{
	int ret = 0;

	mutex_lock(&bulk_ops_lock);
	if (bulk_ops)
		ret = -EBUSY;
	else
		bulk_ops = ops;
	mutex_unlock(&bulk_ops_lock);
	return ret;
}
EXPORT_SYMBOL(ib_bulk_register_ops);

/**
 * ib_bulk_unregister_ops - undo ib_bulk_register_ops()
 * @ops: the ops registered before
 *
 * Called from module exit: no endpoint exists then, as each pins the module.
 */
void ib_bulk_unregister_ops(const struct ib_bulk_ops *ops)
{
	mutex_lock(&bulk_ops_lock);
	if (!WARN_ON(bulk_ops != ops))
		bulk_ops = NULL;
	mutex_unlock(&bulk_ops_lock);
}
EXPORT_SYMBOL(ib_bulk_unregister_ops);

/* The registered ops with a reference on their module, or NULL. */
const struct ib_bulk_ops *uverbs_bulk_ops_get(void)
{
	const struct ib_bulk_ops *ops;

	mutex_lock(&bulk_ops_lock);
	ops = bulk_ops;
	if (ops && !try_module_get(ops->owner))
		ops = NULL;
	mutex_unlock(&bulk_ops_lock);
	return ops;
}

/**
 * uverbs_bulk_ep_lock_pin - hold a live endpoint for a new child object
 * @uep: the endpoint's uobject
 *
 * A child of the endpoint (an MR, a connection handle) holds its own
 * reference on the transport's module: it may outlive the endpoint. On
 * success the endpoint is read-locked and the module pinned; the caller
 * unlocks, and drops the module reference if it made no child.
 *
 * Return: 0, -ENODEV when the endpoint was destroyed under its open file,
 * or -EOPNOTSUPP when the transport is going away.
 */
int uverbs_bulk_ep_lock_pin(struct ib_bulk_ep_uobj *uep)
{
	down_read(&uep->lock);
	if (!uep->ep) {
		up_read(&uep->lock);
		return -ENODEV;
	}
	if (!try_module_get(uep->ops->owner)) {
		up_read(&uep->lock);
		return -EOPNOTSUPP;
	}
	return 0;
}

static void bulk_ep_destroy_uobj(struct ib_uobject *uobj,
				 enum rdma_remove_reason why)
{
	struct ib_bulk_ep_uobj *uep = to_bulk_ep_uobj(uobj);
	const struct ib_bulk_ops *ops = uep->ops;

	/* Aborted before the handler created the endpoint. */
	if (!ops)
		return;

	down_write(&uep->lock);
	ops->ep_destroy(uep->ep, why);
	uep->ep = NULL;
	up_write(&uep->lock);
	/* Pollers learn that the endpoint is gone. */
	wake_up_poll(&uep->wq, EPOLLERR | EPOLLHUP);
	module_put(ops->owner);
}

static __poll_t bulk_ep_fop_poll(struct file *filp, poll_table *wait)
{
	struct ib_bulk_ep_uobj *uep = to_bulk_ep_uobj(filp->private_data);
	__poll_t mask = EPOLLERR | EPOLLHUP;

	poll_wait(filp, &uep->wq, wait);
	down_read(&uep->lock);
	if (uep->ep)
		mask = uep->ops->ep_poll_mask(uep->ep);
	up_read(&uep->lock);
	return mask;
}

static const struct file_operations bulk_ep_fops = {
	.owner = THIS_MODULE,
	.release = uverbs_uobject_fd_release,
	.poll = bulk_ep_fop_poll,
	.uring_cmd = uverbs_bulk_ep_uring_cmd,
};

static int
UVERBS_HANDLER(UVERBS_METHOD_BULK_EP_CREATE)(struct uverbs_attr_bundle *attrs)
{
	struct ib_uobject *uobj =
		uverbs_attr_get_uobject(attrs, UVERBS_ATTR_BULK_EP_CREATE_HANDLE);
	struct ib_bulk_ep_uobj *uep = to_bulk_ep_uobj(uobj);
	struct ib_uverbs_bulk_ep_resp resp = {};
	struct ib_uverbs_bulk_ep_attr attr = {};
	const struct ib_bulk_ops *ops;
	struct ib_bulk_ep *ep;
	int ret;

	/* Absent, the attribute means all defaults. */
	if (uverbs_attr_is_valid(attrs, UVERBS_ATTR_BULK_EP_CREATE_ATTR)) {
		ret = uverbs_copy_from_or_zero(&attr, attrs,
					       UVERBS_ATTR_BULK_EP_CREATE_ATTR);
		if (ret)
			return ret;
	}
	if (attr.comp_mask || attr.reserved)
		return -EINVAL;

	ops = uverbs_bulk_ops_get();
	if (!ops)
		return -EOPNOTSUPP;

	init_rwsem(&uep->lock);
	init_waitqueue_head(&uep->wq);
	ep = ops->ep_create(attrs->context->device, &attr, &uep->wq);
	if (IS_ERR(ep)) {
		module_put(ops->owner);
		return PTR_ERR(ep);
	}
	uep->ep = ep;
	uep->ops = ops;
	/* From here a failure aborts the uobject, which destroys ep. */
	uverbs_finalize_uobj_create(attrs, UVERBS_ATTR_BULK_EP_CREATE_HANDLE);

	ops->ep_query(ep, &resp);
	return uverbs_copy_to_struct_or_zero(attrs,
					     UVERBS_ATTR_BULK_EP_CREATE_RESP,
					     &resp, sizeof(resp));
}

DECLARE_UVERBS_NAMED_METHOD(UVERBS_METHOD_BULK_EP_CREATE,
			    UVERBS_ATTR_FD(UVERBS_ATTR_BULK_EP_CREATE_HANDLE,
					   UVERBS_OBJECT_BULK_EP,
					   UVERBS_ACCESS_NEW,
					   UA_MANDATORY),
			    UVERBS_ATTR_PTR_IN(UVERBS_ATTR_BULK_EP_CREATE_ATTR,
					       UVERBS_ATTR_STRUCT(struct ib_uverbs_bulk_ep_attr,
								  reserved),
					       UA_OPTIONAL),
			    UVERBS_ATTR_PTR_OUT(UVERBS_ATTR_BULK_EP_CREATE_RESP,
						UVERBS_ATTR_STRUCT(struct ib_uverbs_bulk_ep_resp,
								   cq_depth),
						UA_MANDATORY));

/*
 * Operations and completions travel as arrays whose attribute length gives
 * the count. POLL moves at most this many per call, so its bounce buffer
 * stays small.
 */
#define BULK_POLL_MAX	256
#define BULK_OP_SIZE	sizeof(struct ib_uverbs_bulk_op)
#define BULK_WC_SIZE	sizeof(struct ib_uverbs_bulk_wc)

static int
UVERBS_HANDLER(UVERBS_METHOD_BULK_EP_POST)(struct uverbs_attr_bundle *attrs)
{
	struct ib_bulk_ep_uobj *uep = to_bulk_ep_uobj(uverbs_attr_get_uobject(attrs,
						UVERBS_ATTR_BULK_EP_POST_HANDLE));
	const struct ib_uverbs_bulk_op *ops;
	u32 posted = 0;
	int num, ret, ret2;

	num = uverbs_attr_ptr_get_array_size(attrs, UVERBS_ATTR_BULK_EP_POST_OPS,
					     sizeof(*ops));
	if (num <= 0)
		return num ?: -EINVAL;
	ops = uverbs_attr_get_alloced_ptr(attrs, UVERBS_ATTR_BULK_EP_POST_OPS);

	down_read(&uep->lock);
	if (uep->ep)
		ret = uep->ops->post(uep->ep, ops, num, &posted);
	else
		ret = -ENODEV;
	up_read(&uep->lock);

	/* The count is written even when an operation was refused. */
	ret2 = uverbs_copy_to(attrs, UVERBS_ATTR_BULK_EP_POST_NUM_POSTED,
			      &posted, sizeof(posted));
	return ret ?: ret2;
}

static int
UVERBS_HANDLER(UVERBS_METHOD_BULK_EP_POLL)(struct uverbs_attr_bundle *attrs)
{
	struct ib_bulk_ep_uobj *uep = to_bulk_ep_uobj(uverbs_attr_get_uobject(attrs,
						UVERBS_ATTR_BULK_EP_POLL_HANDLE));
	struct ib_uverbs_bulk_wc *wc;
	int num, ret;
	u32 n = 0;

	num = uverbs_attr_ptr_get_array_size(attrs, UVERBS_ATTR_BULK_EP_POLL_WC,
					     sizeof(*wc));
	if (num <= 0)
		return num ?: -EINVAL;
	num = min(num, BULK_POLL_MAX);
	wc = uverbs_alloc(attrs, array_size(num, sizeof(*wc)));
	if (IS_ERR(wc))
		return PTR_ERR(wc);

	down_read(&uep->lock);
	if (uep->ep)
		ret = uep->ops->poll(uep->ep, wc, num);
	else
		ret = -ENODEV;
	up_read(&uep->lock);
	if (ret < 0)
		return ret;
	n = ret;

	ret = uverbs_copy_to(attrs, UVERBS_ATTR_BULK_EP_POLL_WC, wc,
			     array_size(n, sizeof(*wc)));
	if (ret)
		return ret;
	return uverbs_copy_to(attrs, UVERBS_ATTR_BULK_EP_POLL_NUM, &n,
			      sizeof(n));
}

DECLARE_UVERBS_NAMED_METHOD(UVERBS_METHOD_BULK_EP_POST,
			    UVERBS_ATTR_FD(UVERBS_ATTR_BULK_EP_POST_HANDLE,
					   UVERBS_OBJECT_BULK_EP,
					   UVERBS_ACCESS_READ,
					   UA_MANDATORY),
			    UVERBS_ATTR_PTR_IN(UVERBS_ATTR_BULK_EP_POST_OPS,
					       UVERBS_ATTR_MIN_SIZE(BULK_OP_SIZE),
					       UA_MANDATORY,
					       UA_ALLOC_AND_COPY),
			    UVERBS_ATTR_PTR_OUT(UVERBS_ATTR_BULK_EP_POST_NUM_POSTED,
						UVERBS_ATTR_TYPE(u32),
						UA_MANDATORY));

DECLARE_UVERBS_NAMED_METHOD(UVERBS_METHOD_BULK_EP_POLL,
			    UVERBS_ATTR_FD(UVERBS_ATTR_BULK_EP_POLL_HANDLE,
					   UVERBS_OBJECT_BULK_EP,
					   UVERBS_ACCESS_READ,
					   UA_MANDATORY),
			    UVERBS_ATTR_PTR_OUT(UVERBS_ATTR_BULK_EP_POLL_WC,
						UVERBS_ATTR_MIN_SIZE(BULK_WC_SIZE),
						UA_MANDATORY),
			    UVERBS_ATTR_PTR_OUT(UVERBS_ATTR_BULK_EP_POLL_NUM,
						UVERBS_ATTR_TYPE(u32),
						UA_MANDATORY));

DECLARE_UVERBS_NAMED_OBJECT(UVERBS_OBJECT_BULK_EP,
			    UVERBS_TYPE_ALLOC_FD(sizeof(struct ib_bulk_ep_uobj),
						 bulk_ep_destroy_uobj,
						 &bulk_ep_fops,
						 "[ib_bulk_ep]",
						 O_RDWR),
			    &UVERBS_METHOD(UVERBS_METHOD_BULK_EP_CREATE),
			    &UVERBS_METHOD(UVERBS_METHOD_BULK_EP_POST),
			    &UVERBS_METHOD(UVERBS_METHOD_BULK_EP_POLL));

const struct uapi_definition uverbs_def_obj_bulk[] = {
	UAPI_DEF_CHAIN_OBJ_TREE_NAMED(UVERBS_OBJECT_BULK_EP),
	UAPI_DEF_CHAIN(uverbs_def_obj_bulk_mr),
	UAPI_DEF_CHAIN(uverbs_def_obj_bulk_conn),
	{}
};
