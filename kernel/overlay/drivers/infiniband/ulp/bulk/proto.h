/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * ib_bulk's wire protocol between the kernels of two nodes: the private
 * data of the RDMA CM handshake and the control messages sent over the
 * shared RC connection. All fields are little endian and every message
 * fits one receive buffer; bulk data never travels in messages, it moves
 * by RDMA WRITE and READ.
 */
#ifndef _IB_BULK_PROTO_H
#define _IB_BULK_PROTO_H

#include <linux/types.h>

#define BULK_PROTO_MAGIC	0x424c4b31	/* "BLK1" */
/*
 * 2: grants and SENDs carry keys of their own (nkeys and key_shift in GRANT,
 * RTS and CTS; GRANT_KEY and SEND_KEY)
 */
#define BULK_PROTO_VERSION	2

/* Why a connection request was rejected (in the reject private data). */
enum bulk_cm_reject_reason {
	BULK_REJ_BAD_REQUEST = 1,
	/* Both nodes connected at once; the other node's request wins. */
	BULK_REJ_SIMULTANEOUS = 2,
};

struct bulk_cm_pdata {
	__le32 magic;
	u8 version;
	u8 reason;
	__le16 reserved;
};

enum bulk_msg_type {
	BULK_MSG_ACK = 1,	/* answers a request by its sequence */
	BULK_MSG_EP_CHECK,	/* does dst_ep exist? */
	BULK_MSG_GRANT,		/* src_ep lets dst_ep access a range */
	BULK_MSG_REVOKE,	/* drain and forget a grant */
	BULK_MSG_RTS,		/* src_ep has a SEND for dst_ep: read it */
	BULK_MSG_IMM,		/* a WRITE's immediate for dst_ep */
	/*
	 * src_ep has a SEND for dst_ep in memory without a key (an io_uring
	 * registered buffer): answer with a CTS. A node that does not know
	 * the type answers EOPNOTSUPP, which fails just that SEND.
	 */
	BULK_MSG_RTS_PUSH,
	/* Write RTS_PUSH @id into this range of the RECV, then ACK the CTS. */
	BULK_MSG_CTS,
	/*
	 * Nothing to do: sent while we wait for answers on a silent
	 * connection, so that a dead node fails it (keepalive.c).
	 */
	BULK_MSG_PING,
	/* Key @nkeys of grant @id, after its GRANT (which gave key 0). */
	BULK_MSG_GRANT_KEY,
	/*
	 * Key @nkeys of the range an RTS or CTS (whose seq is @id) gave,
	 * after it (it gave key 0); the data phase starts with the last.
	 */
	BULK_MSG_SEND_KEY,
};

/**
 * struct bulk_msg - a control message
 * @type: enum bulk_msg_type
 * @seq: the request's sequence (ACK: the one acknowledged)
 * @src_ep: the sending endpoint (or 0 for the kernel itself)
 * @dst_ep: the endpoint the message is for
 * @status: ACK: 0 or a positive errno; REVOKE: ECONNRESET when the owner
 *	endpoint is closing (its handles on the receiving node are reset)
 * @rkey: GRANT: the grant's first key; GRANT_KEY: key @nkeys of the grant;
 *	RTS: the first key of the SEND's range on the sender's node; CTS: of
 *	the RECV's range; SEND_KEY: key @nkeys of the RTS's or CTS's range
 * @id: GRANT, GRANT_KEY and REVOKE: the grant; CTS: the seq of the
 *	RTS_PUSH answered; SEND_KEY: the seq of the RTS or CTS
 * @addr: GRANT, RTS and CTS: where the range starts in its keys' address
 *	space (below one page)
 * @length: GRANT, RTS, RTS_PUSH and CTS: bytes; IMM and ACK: bytes moved
 * @access: GRANT: enum ib_uverbs_bulk_access_flags
 * @imm: IMM: the immediate
 * @nkeys: GRANT, RTS and CTS: how many keys the range has, key k covering
 *	bytes [k << @key_shift, (k + 1) << @key_shift) of its address space
 *	(the GRANT is answered, the RTS's or CTS's data moved, once
 *	GRANT_KEY or SEND_KEY gave the last); GRANT_KEY and SEND_KEY: which
 * @key_shift: GRANT, RTS and CTS: see @nkeys
 */
struct bulk_msg {
	__le16 type;
	__le16 reserved;
	__le32 seq;
	__le32 src_ep;
	__le32 dst_ep;
	__le32 status;
	__le32 rkey;
	__le64 id;
	__le64 addr;
	__le64 length;
	__le32 access;
	__le32 imm;
	__le32 nkeys;
	u8 key_shift;
	u8 reserved2[3];
};

/* Receive buffers per QP and send queue slots per QP. */
#define BULK_QP_RECV_DEPTH	128
#define BULK_QP_SEND_DEPTH	128

/* Bytes one RDMA work request moves at most, whatever the device says. */
#define BULK_MAX_CHUNK		(8U << 20)

#endif /* _IB_BULK_PROTO_H */
