// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * io_uring on the bulk endpoint's file: IORING_OP_URING_CMD posts one
 * operation per SQE, and the operation's completion is the SQE's CQE.
 *
 * The command area lives in the ring's shared memory, so it is copied
 * once and only the copy is checked and used. Completions reach the
 * submitting task through io_uring_cmd_complete_in_task(): the transport
 * finishes operations from CQ handlers, where io_uring_cmd_done() must not
 * run. WRITE, READ and SEND complete by themselves (the transport fails
 * them when a connection, the endpoint or the device goes away); a RECV
 * waits for a sender without bound, so it is cancelable: io_uring asks the
 * transport to cancel it when its ring closes or its task exits. io_uring
 * holds the endpoint's file, and with it this module, until every command
 * completed.
 */

#include <linux/io_uring/cmd.h>
#include <rdma/ib_bulk.h>
#include "uverbs_bulk.h"

/* What the completion carries from the transport to the task. */
struct bulk_uring_pdu {
	int res;
	u64 res2;
};

static void bulk_uring_done(struct io_uring_cmd *ucmd, unsigned int issue_flags)
{
	struct bulk_uring_pdu *pdu = (struct bulk_uring_pdu *)ucmd->pdu;

	io_uring_cmd_done(ucmd, pdu->res, pdu->res2, issue_flags);
}

/**
 * ib_bulk_uring_complete - complete an operation submitted through io_uring
 * @ucmd: the command the transport's uring_post accepted
 * @res: bytes moved, or a negative errno
 * @res2: the CQE's first extra word (src_ep << 32 | opcode)
 *
 * Any context: the CQE is posted from the submitting task.
 */
void ib_bulk_uring_complete(struct io_uring_cmd *ucmd, int res, u64 res2)
{
	struct bulk_uring_pdu *pdu = (struct bulk_uring_pdu *)ucmd->pdu;

	BUILD_BUG_ON(sizeof(*pdu) > sizeof(ucmd->pdu));
	pdu->res = res;
	pdu->res2 = res2;
	io_uring_cmd_complete_in_task(ucmd, bulk_uring_done);
}
EXPORT_SYMBOL(ib_bulk_uring_complete);

int uverbs_bulk_ep_uring_cmd(struct io_uring_cmd *ucmd,
			     unsigned int issue_flags)
{
	const unsigned int need = IO_URING_F_SQE128 | IO_URING_F_CQE32;
	struct ib_bulk_ep_uobj *uep = to_bulk_ep_uobj(ucmd->file->private_data);
	struct ib_uverbs_bulk_uring_cmd cmd;
	bool recv;
	int ret;

	BUILD_BUG_ON(sizeof(cmd) > 80);	/* the command area of a 128-byte SQE */
	if (issue_flags & IO_URING_F_CANCEL) {
		down_read(&uep->lock);
		if (uep->ep)
			uep->ops->uring_cancel(uep->ep, ucmd);
		up_read(&uep->lock);
		return 0;
	}
	/* A 64-byte SQE has 16 bytes of command area: do not read past it. */
	if ((issue_flags & need) != need)
		return -EINVAL;
	if (ucmd->cmd_op != IB_UVERBS_BULK_URING_POST)
		return -EOPNOTSUPP;
	memcpy(&cmd, io_uring_sqe_cmd(ucmd->sqe), sizeof(cmd));
	if (cmd.reserved[0] || cmd.reserved[1] || cmd.op.wr_id ||
	    cmd.op.length > S32_MAX)
		return -EINVAL;

	/*
	 * Marked before the transport sees it: once accepted, a RECV may
	 * complete at any time, also before this returns.
	 */
	recv = cmd.op.opcode == IB_UVERBS_BULK_OP_RECV;
	if (recv)
		io_uring_cmd_mark_cancelable(ucmd, issue_flags);
	down_read(&uep->lock);
	if (uep->ep)
		ret = uep->ops->uring_post(uep->ep, &cmd.op, ucmd);
	else
		ret = -ENODEV;
	up_read(&uep->lock);
	if (ret && recv) {
		/* Only io_uring_cmd_done() takes the mark off again. */
		io_uring_cmd_done(ucmd, ret, 0, issue_flags);
		return -EIOCBQUEUED;
	}
	return ret ?: -EIOCBQUEUED;
}
