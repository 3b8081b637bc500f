// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * The uverbs driver id of a device, from RDMA netlink: the kernel rejects an
 * ioctl whose header carries another driver's id. The device's index comes
 * from a dump of the devices by name; its uverbs char device's information,
 * which holds the driver id, from RDMA_NLDEV_CMD_GET_CHARDEV.
 */
#include <errno.h>
#include <string.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <rdma/rdma_netlink.h>
#include "cmd_ioctl.h"

struct lookup {
	const char *name;
	uint32_t value;
	int found;
};

static int parse(struct nl_msg *msg, struct nlattr **tb)
{
	return nlmsg_parse(nlmsg_hdr(msg), 0, tb, RDMA_NLDEV_ATTR_MAX - 1, NULL);
}

static int on_device(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[RDMA_NLDEV_ATTR_MAX] = {};
	struct lookup *lk = arg;

	if (parse(msg, tb) || !tb[RDMA_NLDEV_ATTR_DEV_NAME] ||
	    !tb[RDMA_NLDEV_ATTR_DEV_INDEX] ||
	    strcmp(nla_get_string(tb[RDMA_NLDEV_ATTR_DEV_NAME]), lk->name))
		return NL_OK;
	lk->value = nla_get_u32(tb[RDMA_NLDEV_ATTR_DEV_INDEX]);
	lk->found = 1;
	return NL_OK;
}

static int on_chardev(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[RDMA_NLDEV_ATTR_MAX] = {};
	struct lookup *lk = arg;

	if (parse(msg, tb) || !tb[RDMA_NLDEV_ATTR_UVERBS_DRIVER_ID])
		return NL_OK;
	lk->value = nla_get_u32(tb[RDMA_NLDEV_ATTR_UVERBS_DRIVER_ID]);
	lk->found = 1;
	return NL_OK;
}

/* Send @msg, run @cb on every answer; 0 or a positive errno. */
static int transact(struct nl_sock *sk, struct nl_msg *msg,
		    nl_recvmsg_msg_cb_t cb, struct lookup *lk)
{
	if (nl_send_auto(sk, msg) < 0)
		return EIO;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, cb, lk);
	if (nl_recvmsgs_default(sk) < 0)
		return EIO;
	return 0;
}

int bulk_driver_id(const char *dev_name, uint32_t *driver_id)
{
	struct lookup dev = { .name = dev_name }, chardev = {};
	struct nl_msg *msg = NULL;
	struct nl_sock *sk;
	int ret;

	sk = nl_socket_alloc();
	if (!sk)
		return ENOMEM;
	if (nl_connect(sk, NETLINK_RDMA)) {
		ret = EOPNOTSUPP;	/* no RDMA netlink: no RDMA at all */
		goto out;
	}

	ret = ENOMEM;
	msg = nlmsg_alloc_simple(RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, RDMA_NLDEV_CMD_GET),
				 NLM_F_REQUEST | NLM_F_DUMP);
	if (!msg)
		goto out;
	ret = transact(sk, msg, on_device, &dev);
	nlmsg_free(msg);
	msg = NULL;
	if (ret)
		goto out;
	if (!dev.found) {
		ret = ENODEV;
		goto out;
	}

	ret = ENOMEM;
	msg = nlmsg_alloc_simple(RDMA_NL_GET_TYPE(RDMA_NL_NLDEV,
						  RDMA_NLDEV_CMD_GET_CHARDEV),
				 NLM_F_REQUEST);
	if (!msg || nla_put_u32(msg, RDMA_NLDEV_ATTR_DEV_INDEX, dev.value) ||
	    nla_put_string(msg, RDMA_NLDEV_ATTR_CHARDEV_TYPE, "uverbs"))
		goto out;
	ret = transact(sk, msg, on_chardev, &chardev);
	if (!ret && !chardev.found)
		ret = ENODEV;	/* removed between the two requests */
	if (!ret)
		*driver_id = chardev.value;
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	return ret;
}
