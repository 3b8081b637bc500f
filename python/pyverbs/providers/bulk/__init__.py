# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""pyverbs.providers.bulk: rdma-bulk's verbs-style transport for pyverbs."""
from .bulk import *  # noqa: F401,F403
from .bulk import cqe_to_wc  # noqa: F401
