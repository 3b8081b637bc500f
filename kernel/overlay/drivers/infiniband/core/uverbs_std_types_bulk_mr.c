// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * uverbs MR object of the bulk zero-copy transport: user memory that the
 * kernel pins and registers for an endpoint. The handle is an ordinary IDR
 * uobject; the key of the registration stays in the kernel.
 */

#include <linux/module.h>
#include <rdma/uverbs_std_types.h>
#include "rdma_core.h"
#include "uverbs.h"
#include "uverbs_bulk.h"

static int bulk_mr_destroy_uobj(struct ib_uobject *uobj,
				enum rdma_remove_reason why,
				struct uverbs_attr_bundle *attrs)
{
	struct ib_bulk_mr_uobj *umr = uobj->object;
	int ret;

	/* Refused only when the process asks while a grant covers it. */
	ret = umr->ops->mr_dereg(umr->mr, why);
	if (ret)
		return ret;
	module_put(umr->ops->owner);
	return 0;
}

static int
UVERBS_HANDLER(UVERBS_METHOD_BULK_MR_REG)(struct uverbs_attr_bundle *attrs)
{
	struct ib_uobject *uobj =
		uverbs_attr_get_uobject(attrs, UVERBS_ATTR_BULK_MR_REG_HANDLE);
	struct ib_bulk_ep_uobj *uep = to_bulk_ep_uobj(uverbs_attr_get_uobject(attrs,
						UVERBS_ATTR_BULK_MR_REG_EP));
	struct ib_uverbs_bulk_mr_resp resp = {};
	struct ib_uverbs_bulk_mr_reg cmd;
	struct ib_bulk_mr_uobj *umr =
		container_of(uobj, struct ib_bulk_mr_uobj, uobj);
	struct ib_bulk_mr *mr;
	int ret;

	ret = uverbs_copy_from_or_zero(&cmd, attrs, UVERBS_ATTR_BULK_MR_REG_CMD);
	if (ret)
		return ret;
	if (cmd.comp_mask || cmd.reserved)
		return -EINVAL;

	ret = uverbs_bulk_ep_lock_pin(uep);
	if (ret)
		return ret;
	mr = uep->ops->mr_reg(uep->ep, &cmd, &resp);
	if (IS_ERR(mr)) {
		module_put(uep->ops->owner);
		up_read(&uep->lock);
		return PTR_ERR(mr);
	}
	umr->ops = uep->ops;
	umr->mr = mr;
	up_read(&uep->lock);

	/* From here a failure aborts the uobject, which deregisters. */
	uobj->object = umr;
	uverbs_finalize_uobj_create(attrs, UVERBS_ATTR_BULK_MR_REG_HANDLE);
	return uverbs_copy_to_struct_or_zero(attrs, UVERBS_ATTR_BULK_MR_REG_RESP,
					     &resp, sizeof(resp));
}

DECLARE_UVERBS_NAMED_METHOD(UVERBS_METHOD_BULK_MR_REG,
			    UVERBS_ATTR_IDR(UVERBS_ATTR_BULK_MR_REG_HANDLE,
					    UVERBS_OBJECT_BULK_MR,
					    UVERBS_ACCESS_NEW,
					    UA_MANDATORY),
			    UVERBS_ATTR_FD(UVERBS_ATTR_BULK_MR_REG_EP,
					   UVERBS_OBJECT_BULK_EP,
					   UVERBS_ACCESS_READ,
					   UA_MANDATORY),
			    UVERBS_ATTR_PTR_IN(UVERBS_ATTR_BULK_MR_REG_CMD,
					       UVERBS_ATTR_STRUCT(struct ib_uverbs_bulk_mr_reg,
								  reserved),
					       UA_MANDATORY),
			    UVERBS_ATTR_PTR_OUT(UVERBS_ATTR_BULK_MR_REG_RESP,
						UVERBS_ATTR_STRUCT(struct ib_uverbs_bulk_mr_resp,
								   reserved),
						UA_MANDATORY));

DECLARE_UVERBS_NAMED_METHOD_DESTROY(UVERBS_METHOD_BULK_MR_DEREG,
				    UVERBS_ATTR_IDR(UVERBS_ATTR_BULK_MR_DEREG_HANDLE,
						    UVERBS_OBJECT_BULK_MR,
						    UVERBS_ACCESS_DESTROY,
						    UA_MANDATORY));

DECLARE_UVERBS_NAMED_OBJECT(UVERBS_OBJECT_BULK_MR,
			    UVERBS_TYPE_ALLOC_IDR_SZ(sizeof(struct ib_bulk_mr_uobj),
						     bulk_mr_destroy_uobj),
			    &UVERBS_METHOD(UVERBS_METHOD_BULK_MR_REG),
			    &UVERBS_METHOD(UVERBS_METHOD_BULK_MR_DEREG));

const struct uapi_definition uverbs_def_obj_bulk_mr[] = {
	UAPI_DEF_CHAIN_OBJ_TREE_NAMED(UVERBS_OBJECT_BULK_MR),
	{}
};
