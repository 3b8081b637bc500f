# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""Call buildlib/vm-run from host-side tests and keep what it printed."""

import os
import subprocess
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VM_RUN = os.path.join(TOP, 'buildlib', 'vm-run')


class Result:
    def __init__(self, rc, out, err, seconds):
        self.rc = rc
        self.out = out
        self.err = err
        self.seconds = seconds

    def __str__(self):
        return (f'exit {self.rc} after {self.seconds:.0f}s\n--- stdout\n{self.out}'
                f'--- stderr\n{self.err}')


def vm_run(*command, nodes=1, timeout=600, env=None, host_timeout=None, cwd=TOP):
    """Run COMMAND in guests from cwd; host_timeout bounds vm-run itself."""
    argv = [VM_RUN, '--nodes', str(nodes), '--timeout', str(timeout), '--', *command]
    start = time.monotonic()
    res = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, cwd=cwd, env={**os.environ, **(env or {})},
                         timeout=host_timeout or timeout + 120)
    return Result(res.returncode, res.stdout, res.stderr, time.monotonic() - start)


def qemu_pids_for(share):
    """Processes whose command line names a vm-run share directory."""
    out = subprocess.run(['pgrep', '-f', f'qemu-system.*{share}'],
                         stdout=subprocess.PIPE, text=True).stdout
    return [int(p) for p in out.split()]


def share_of(result):
    for line in result.err.splitlines():
        if line.startswith('vm-run: share: '):
            return line.split()[2]
    return None
