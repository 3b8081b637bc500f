# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
# Build tree only (never installed): build/python/pyverbs holds nothing but
# providers/bulk, so this package hands every other pyverbs module over to
# the system's pyverbs further down sys.path (PYTHONPATH=build/python must
# not shadow it).
from pkgutil import extend_path
__path__ = extend_path(__path__, __name__)
