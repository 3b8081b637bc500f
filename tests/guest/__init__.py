# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""rdma-bulk's guest tests as a package in rdma-core's test layout.

rdma-core's run_tests.py loads the __init__.py beside it as the package
`tests` and lets unittest ask it for the tests (load_tests). The runner
stages this directory beside Debian's copy of rdma-core's framework
(tests/lib/pyverbs_suite.py does it), so `from .base import
RDMATestCase` in our modules is rdma-core's own base class.

The default set is every test_*.py, as in rdma-core. Modules named
fault_*.py and large_*.py are importable by name only: they need a
guest of their own (a device removed) or the kernel without KASAN.
"""

import importlib
import os

from args_parser import parser

_HERE = os.path.dirname(__file__)
_BY_NAME_ONLY = ('fault_', 'large_')


def _modules(prefixes):
    return [importlib.import_module('.' + fn[:-3], __name__)
            for fn in sorted(os.listdir(_HERE))
            if fn.endswith('.py') and fn.startswith(prefixes)]


_DEFAULT = _modules(('test_',))
_modules(_BY_NAME_ONLY)
# unittest resolves names from this package: `tests.test_bulk_ops` (as -v
# prints it) must name the same module as `test_bulk_ops`.
tests = importlib.import_module('.', __name__)


def load_tests(loader, standard_tests, pattern):
    """The default set (or, with --list-tests, its names printed)."""
    for mod in _DEFAULT:
        found = loader.loadTestsFromModule(mod, pattern=pattern)
        if parser.args['list_tests']:
            for case in _cases(found):
                print(case.id())
            continue
        standard_tests.addTests(found)
    return standard_tests


def _cases(suite):
    for t in suite:
        if isinstance(t, type(suite)) or hasattr(t, '__iter__'):
            yield from _cases(t)
        else:
            yield t
