/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * What two instances of the libfabric provider say to each other. Every
 * message is one rdma-bulk SEND into one of the receiver's bounce buffers:
 * a header, then (EAGER) the payload. Fields are little-endian.
 *
 *   EAGER  the whole payload follows the header
 *   RTS    the payload stays in the sender's memory, granted for READ to
 *          the receiving endpoint as grant_id; the receiver READs it into
 *          the matched buffer and answers FIN
 *   FIN    the READ of the RTS named by cookie is over (status 0 or an
 *          errno): the sender revokes the grant and completes the send
 *   PROBE  nothing for the receiver: a sender whose RTS has waited long
 *          for its FIN sends one to learn whether the receiving endpoint
 *          still exists (the SEND fails when it does not)
 *   GRANT_REQ  FI_RMA: the sender wants to use the receiver's MR whose
 *          libfabric key is tag; cookie names the request
 *   GRANT_ACK  the answer: status 0 and grant_id, a grant of the whole MR
 *          (length bytes) to the requesting endpoint, or an errno
 *          (ENOKEY: no such key)
 *
 * seq orders the messages of one sending endpoint to one receiving
 * endpoint: a SEND the receiver had no buffer for fails (ENOBUFS) and is
 * sent again, so messages may arrive out of order and are put back in
 * order before matching, as MPI's ordering rules need.
 */
#ifndef BULK_FI_PROTO_H
#define BULK_FI_PROTO_H

#include <endian.h>
#include <stdint.h>
#include <netinet/in.h>

#define BULK_FI_MAGIC 0x31494642u	/* "BFI1" */

enum bulk_fi_msg_type {
	BULK_FI_EAGER = 1,
	BULK_FI_RTS = 2,
	BULK_FI_FIN = 3,
	BULK_FI_PROBE = 4,
	BULK_FI_GRANT_REQ = 5,
	BULK_FI_GRANT_ACK = 6,
};

enum bulk_fi_msg_flags {
	BULK_FI_F_TAGGED = 1 << 0,	/* matched against tagged receives */
	BULK_FI_F_DATA = 1 << 1,	/* data carries remote CQ data */
};

/*
 * An endpoint's name (fi_getname(), the AV's addresses): the node as an
 * IPv6 address (IPv4 as v4-mapped) and the rdma-bulk endpoint id.
 */
struct bulk_fi_name {
	struct sockaddr_in6 node;
	uint32_t ep_id;
	uint32_t reserved;
};

struct bulk_fi_hdr {
	uint32_t magic;
	uint8_t type;
	uint8_t flags;
	uint16_t reserved;
	uint32_t seq;
	uint32_t status;	/* FIN */
	uint64_t tag;
	uint64_t data;
	uint64_t length;	/* of the payload, wherever it is */
	uint64_t grant_id;	/* RTS */
	uint64_t cookie;	/* RTS, FIN: the sender's operation */
	struct bulk_fi_name src;
};

#endif /* BULK_FI_PROTO_H */
