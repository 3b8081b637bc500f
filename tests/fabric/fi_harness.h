/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/* The provider's test programs' shared harness: fi_harness.c. */
#ifndef FI_HARNESS_H
#define FI_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <rdma/fabric.h>
#include <rdma/fi_cm.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_errno.h>
#include <rdma/fi_rma.h>
#include <rdma/fi_tagged.h>

#define EAGER_MAX	16288u	/* the inject size fi_bulk(7) states */
#define BIG		(1u << 20)
#define WAIT_MS		20000

struct comp {
	bool error;
	struct fi_cq_tagged_entry e;
	struct fi_cq_err_entry err;
	fi_addr_t src;
};

struct side {
	const char *name;
	struct fid_ep *ep;
	struct fid_cq *cq;
	fi_addr_t addr;		/* in the shared AV */
	struct comp queue[64];
	int count;
};

extern struct fi_info *info;
extern struct fid_fabric *fabric;
extern struct fid_domain *domain;
extern struct fid_av *av;
extern struct side sides[3];
extern struct side *const A, *const B, *const C;
extern int passed, failed;
extern char why[256];

bool __attribute__((format(printf, 1, 2))) fails(const char *fmt, ...);
void check(const char *name, bool ok);
long now_ms(void);
void pump(void);
bool next(struct side *s, struct comp *out);
bool quiet(struct side *s, int ms);
bool ok_comp(struct side *s, struct comp *c, uint64_t flags);
bool err_comp(struct side *s, struct comp *c, int err);
void fill(unsigned char *buf, size_t len, int seed);
bool same(const unsigned char *buf, size_t len, int seed);
int open_side(struct side *s, enum fi_cq_format format, uint64_t bind);
void close_side(struct side *s);
int open_all(const char *dev, enum fi_av_type av_type, uint64_t b_bind);
void close_all(void);
bool transfer(struct side *from, struct side *to, size_t len, bool tagged,
	      int seed);
/* Files in a directory both nodes see, for the two-node programs. */
bool await_file(const char *dir, const char *name, int secs);
int put_file(const char *dir, const char *name, const void *buf, size_t len);
ssize_t get_file(const char *dir, const char *name, void *buf, size_t size);

struct role {
	const char *name;
	int (*run)(const char *dir, const char *dev);
};

int run_role(int argc, char **argv, const struct role roles[2]);

#endif /* FI_HARNESS_H */
