#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""rdma-bulk's whole test suite (started by tests/run after set-up).

usage: tests/run [--write-baseline] [STAGE...]

Every stage but the last runs on Linux 6.12, the default kernel (or on
RDMA_BULK_KERNEL_VERSION when set); the 6.1 stage runs the checks that
keep the 6.1 backport alive. Stages, in order (all by default):
  unit       build the userspace (cmake, build/) and run the C tests (ctest)
  package    tests/package/run: the Debian packages built, lintian-clean,
             symbols as mapped, installed into an empty root, a program
             built from them and run on the stock (vanilla) kernel
  kernel-check  checkpatch --strict, W=1 and sparse on our kernel code
             (buildlib/kernel-check)
  series     buildlib/export-series --check: the kernel side as a
             format-patch series against 6.12, each patch checkpatch-clean,
             with kernel-doc on its exports, building with W=1 on its own
  harness    host-side tests of buildlib/vm-run; they boot guests
  guest      the Python suite under tests/guest on rxe0, in one guest, run
             by rdma-core's own run_tests.py (tests/lib/pyverbs_suite.py)
  siw        the transport's guest tests again on siw0, in a guest without
             rxe0 (RDMA CM would resolve the shared address to rxe0)
  removal    tests/guest/fault_device_removal.py: `rdma link del` under
             operations in flight, once on rxe0 and once on siw0, each in a
             guest and a Python process of its own
  large      tests/guest/large_bulk_ops.py (64 MiB operations) on the kernel
             without KASAN,
             once on rxe0 and once on siw0
  pair       tests/pair/run-pair: rdma-bulk between two guests, IPv4 and IPv6
  pair-siw   the same on siw0, in guests without rxe0; by name only (not
             in the default run): its first step, both nodes connecting
             to each other at once, failed in 1 of 2 runs on siw (both
             connections reset; Documentation/testing.md)
  load       tests/pair/load-pair: 32 processes x 4 endpoints a side over
             the pair's one connection, every byte and completion checked
  faults     tests/pair/faults-pair: a peer's process killed, its transport
             restarted and the whole peer guest stopped under WRITEs in flight
  hostile    tests/pair/hostile-pair: a node whose kernel misuses the keys
             it was granted (the debug kernel's hostile-peer hook) against
             the owner's device, once on rxe0 and once on siw0
  fabric     tests/pair/fabric-pair: the libfabric provider (prov/bulk) in
             two guests: its capability tests, fi_pingpong (msg, tagged)
             and an MPI program under Open MPI's mpirun over it
  rdma-core  rdma-core's own tests on rxe0 in one guest, compared with
             tests/rdma-core/baseline-rxe0-<kernel>.txt (its counts are
             reported on their own; one regression check joins ours). With
             --write-baseline they run on the unpatched (vanilla) kernel
             and rewrite that kernel's baseline instead.
  6.1        on Linux 6.1 (the backport: kernel/patches/6.1): kernel-check,
             series, the transport's, io_uring's and raw input's guest
             tests on rxe0 (test_bulk_ep, _mr, _ops, _uring, _raw_input,
             and test_rxe_ud_send_error and test_rxe_qp_destroy_race, the
             rxe fixes' own tests), the
             rdma-core suite against its 6.1 baseline and
             `faults-pair partition` (the reconnect that 0005 fixes)

tests/run installs missing packages first (buildlib/setup-host); this
builds the test kernel (buildlib/kernel-build). Logs go to build/test-logs/. The last line is
`N passed, N failed, N skipped`; the exit status is 0 only when nothing
failed.

Each guest stage runs under a vm-run timeout of a few times its usual
length, cut to what is left of RDMA_BULK_TEST_BUDGET seconds (default 82
minutes, counted from tests/run's start, set-up included): a hung guest
fails its own stage and the run still ends with its counts. The summary
before the counts names each failed stage with the lines of its output
that say why (vm-run's reasons, with the hung guest's process list and
blocked tasks, and unittest's failure lines).
"""

import os
import re
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, 'tests', 'rdma-core'))
import baseline  # noqa: E402

PY = '/usr/bin/python3'  # Debian's, the one with pyverbs
LOGS = os.path.join(TOP, 'build', 'test-logs')
KERNEL = os.environ.get('RDMA_BULK_KERNEL_VERSION', '6.12')
OLD_KERNEL = '6.1'


FLAKY = os.path.join(TOP, 'tests', 'rdma-core', 'flaky.txt')


def baseline_path(kver):
    return os.path.join(TOP, 'tests', 'rdma-core', f'baseline-rxe0-{kver}.txt')
# A runner's counts line; in a multi-guest run vm-run prefixes it with the node.
COUNTS = re.compile(r'^(?:\[node\d+\] )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$',
                    re.M)
VM_REASONS = {122: 'a guest or qemu failed', 123: "a guest's kernel log shows a report",
              124: 'a guest timed out'}

totals = {'passed': 0, 'failed': 0, 'skipped': 0}
failures = []   # (stage, why, the lines of its output that say why)
# CI stops the whole run at 90 minutes and then shows only its tail: the
# stages share a budget (set-up included), so that a hung guest costs its
# own stage's time, never the summary.
BUDGET = int(os.environ.get('RDMA_BULK_TEST_BUDGET', 82 * 60))
started = float(os.environ.get('RDMA_BULK_RUN_START', time.time()))
# What explains a failed stage in the summary: vm-run's reasons (with their
# indented kernel report), unittest's failure headers and last lines.
EVIDENCE = re.compile(r'^(?:\[node\d+\] )?(?:vm-run: |(?:FAIL|ERROR): |\w*(?:Error|Exception): |    )')


def say(msg):
    print(f'==> {msg}', flush=True)


def run(name, argv, env=None):
    """Run argv with its output shown and logged; return (rc, output)."""
    os.makedirs(LOGS, exist_ok=True)
    path = os.path.join(LOGS, f'{name}.log')
    start = time.monotonic()
    out = []
    with open(path, 'w') as logf:
        proc = subprocess.Popen(argv, cwd=TOP, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True,
                                env={**os.environ, 'PYTHONUNBUFFERED': '1', **(env or {})})
        for line in proc.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            logf.write(line)
            out.append(line)
        rc = proc.wait()
    say(f'{name}: exit {rc} in {time.monotonic() - start:.0f}s (log: {path})')
    return rc, ''.join(out)


def add(stage, passed, failed, skipped):
    totals['passed'] += passed
    totals['failed'] += failed
    totals['skipped'] += skipped
    say(f'{stage}: {passed} passed, {failed} failed, {skipped} skipped')


def evidence(out, limit=30, per_reason=12):
    """The lines of a stage's output that say why it failed.

    Each reason keeps its first per_reason lines (a kernel report's
    stack, a stall dump), and all of them their first limit: CI shows the
    tail of the run, so this must stay short.
    """
    lines, keep, taken = [], False, 0
    for line in out.splitlines():
        m = EVIDENCE.match(line)
        indented = bool(m) and m.group(0).endswith('    ')
        # Indented lines count only right after a line that counted.
        keep = bool(m) and (not indented or keep)
        taken = taken + 1 if indented else 1
        if keep and taken <= per_reason:
            lines.append(line)
    return lines[:limit]


def fail(stage, why, out=''):
    failures.append((stage, why, evidence(out)))
    add(stage, 0, 1, 0)


def timeout(wanted):
    """A stage's vm-run timeout: what it wants, within what is left of BUDGET."""
    left = BUDGET - (time.time() - started) - 60
    return str(int(max(min(wanted, left), 60)))


def add_counts_from(stage, rc, out):
    found = COUNTS.findall(out)
    if not found:
        why = f'no counts line (exit {rc}' + (f': {VM_REASONS[rc]})' if rc in VM_REASONS else ')')
        fail(stage, why, out)
        return
    p, f, s = (int(x or 0) for x in found[-1])
    add(stage, p, f, s)
    if f:
        failures.append((stage, f'{f} test(s) failed', evidence(out)))
    if rc in VM_REASONS:
        fail(stage, VM_REASONS[rc], out)
    elif rc != 0 and f == 0:
        fail(stage, f'exit {rc} without a failed test', out)


BUILD = os.path.join(TOP, 'build')
built = []


def build_userspace():
    """cmake into build/, once per run; the guest tests use its output."""
    if not built:
        rc, _ = run('cmake-configure', ['cmake', '-S', TOP, '-B', BUILD, '-Wno-dev'])
        if rc == 0:
            rc, _ = run('cmake-build', ['cmake', '--build', BUILD, '-j', str(os.cpu_count())])
        built.append(rc == 0)
    return built[0]


def stage_unit():
    if not build_userspace():
        fail('unit', 'userspace build failed')
        return
    rc, out = run('ctest', ['ctest', '--test-dir', BUILD, '--output-on-failure'])
    m = re.search(r'(\d+)% tests passed, (\d+) tests failed out of (\d+)', out)
    if m:
        total, failed = int(m.group(3)), int(m.group(2))
        skipped = len(re.findall(r'\*\*\*Skipped', out))
        add('unit', total - failed - skipped, failed, skipped)
    elif 'No tests were found' in out:
        add('unit', 0, 0, 0)
    else:
        fail('unit', f'ctest printed no summary (exit {rc})')


def stage_package():
    rc, _ = run('kernel-build-vanilla', ['buildlib/kernel-build', '--flavor', 'vanilla'])
    if rc != 0:
        fail('package', 'the vanilla kernel does not build')
        return
    rc, out = run('package', ['tests/package/run'])
    add_counts_from('package', rc, out)


def stage_kernel_check(kver=KERNEL, name='kernel-check'):
    rc, out = run(name, ['buildlib/kernel-check', '--kernel', kver])
    add_counts_from(name, rc, out)


def stage_series(kver=KERNEL, name='series'):
    rc, out = run(name, ['buildlib/export-series', '--kernel', kver, '--check'])
    add_counts_from(name, rc, out)


def stage_harness():
    # One of its tests boots the 6.1 kernel; a first build of it (about 10
    # minutes) would eat that test's timeout, so it is built here.
    rc, _ = run(f'kernel-build-{OLD_KERNEL}', ['buildlib/kernel-build', '--kernel', OLD_KERNEL])
    if rc != 0:
        fail('harness', f'the {OLD_KERNEL} test kernel does not build')
        return
    rc, out = run('harness', [PY, 'tests/lib/suite.py', 'tests/harness'])
    add_counts_from('harness', rc, out)


def stage_guest():
    if not build_userspace():
        fail('guest', 'userspace build failed')
        return
    rc, out = run('guest', ['buildlib/vm-run', '--timeout', timeout(1500), '--',
                            *guest_suite('rxe0')])
    add_counts_from('guest', rc, out)


# The guest tests that exercise the transport rather than rxe itself.
SIW_TESTS = ['test_bulk_ep', 'test_bulk_mr', 'test_bulk_ops', 'test_bulk_raw_input',
             'test_bulk_uring', 'test_bulk_isolation', 'test_bulk_fuzz', 'test_bulk_bad_peer',
             'test_pyverbs_bulk', 'test_devices', 'test_bulk_ipv6', 'test_rc_read_checks']


def guest_suite(device, *names):
    """The guest command that runs tests/guest (all, or NAMES) on DEVICE."""
    return [PY, 'tests/lib/pyverbs_suite.py', '--dev', device, '-v', *names]


def stage_on_device(name, device, secs, names, env=None):
    """A guest with DEVICE alone, whose tests must all run: a skip means a
    missing device."""
    links = {'rxe0': 'rxe0:rxe', 'siw0': 'siw0:siw'}[device]
    rc, out = run(name, ['buildlib/vm-run', '--timeout', timeout(secs), '--',
                         *guest_suite(device, *names)],
                  env={'VM_RDMA_LINKS': links, **(env or {})})
    add_counts_from(name, rc, out)
    m = COUNTS.findall(out)
    if m and m[-1][2] not in ('', '0'):
        fail(name, f'{m[-1][2]} test(s) skipped on {device}: the stage needs every one')


def stage_siw():
    if not build_userspace():
        fail('siw', 'userspace build failed')
        return
    stage_on_device('siw', 'siw0', 1200, SIW_TESTS)


def stage_removal():
    """rdma link del under operations in flight, in a guest per device."""
    if not build_userspace():
        fail('removal', 'userspace build failed')
        return
    for device in ('rxe0', 'siw0'):
        stage_on_device(f'removal-{device}', device, 600, ['fault_device_removal'])


def stage_large():
    """64 MiB operations need the kernel without KASAN (perf flavour)."""
    if not build_userspace():
        fail('large', 'userspace build failed')
        return
    rc, _ = run('kernel-build-perf', ['buildlib/kernel-build', '--flavor', 'perf'])
    if rc != 0:
        fail('large', 'the perf kernel does not build')
        return
    for device in ('rxe0', 'siw0'):
        stage_on_device(f'large-{device}', device, 600, ['large_bulk_ops'],
                        env={'RDMA_BULK_KERNEL_FLAVOR': 'perf'})


def stage_two_guests(name, script, secs, *args, env=None, device=None):
    """A tests/pair script in both guests of vm-run --nodes 2; node 0 counts.
    DEVICE: the one it runs on (PAIR_DEVICE), when not rxe0."""
    if not build_userspace():
        fail(name, 'userspace build failed')
        return
    dev = ['env', f'PAIR_DEVICE={device}'] if device else []
    rc, out = run(name, ['buildlib/vm-run', '--nodes', '2', '--timeout', timeout(secs), '--',
                         *dev, f'tests/pair/{script}', *args], env=env)
    add_counts_from(name, rc, out)


def stage_rdma_core(write, kver=KERNEL, name='rdma-core'):
    """rdma-core's suite on rxe0; with write, on the unpatched kernel."""
    flavor = 'vanilla' if write else 'debug'
    baseline_file = baseline_path(kver)
    rc, out = run(f'{name}-{flavor}', ['buildlib/vm-run', '--timeout', timeout(900), '--',
                                       'tests/rdma-core/run-suite', 'rxe0'],
                  env={'RDMA_BULK_KERNEL_FLAVOR': flavor, 'RDMA_BULK_KERNEL_VERSION': kver})
    try:
        ran, outcomes = baseline.parse_log(out)
    except ValueError as e:
        fail(name, str(e))
        return
    c = baseline.counts(ran, outcomes)
    say(f'rdma-core suite on rxe0, {kver} {flavor} kernel (reported apart from ours): '
        f'{baseline.format_counts(c)}')
    if write:
        if rc in VM_REASONS:
            fail(name, f'baseline not written: {VM_REASONS[rc]}')
            return
        ver = subprocess.run(['dpkg-query', '-W', '-f=${Version}', 'python3-pyverbs'],
                             stdout=subprocess.PIPE, text=True).stdout
        krel = subprocess.run(['dpkg-query', '-W', '-f=${Version}', f'linux-source-{kver}'],
                              stdout=subprocess.PIPE, text=True).stdout
        baseline.write_baseline(baseline_file, ran, outcomes, [
            f"rdma-core's tests (python3-pyverbs {ver}) on rxe0 in a vm-run guest, on the",
            f'unpatched kernel: linux-source-{kver} {krel} with the debug config and none of',
            'our code (buildlib/kernel-build --flavor vanilla).',
            f'Made by: RDMA_BULK_KERNEL_VERSION={kver} tests/run --write-baseline rdma-core',
            'Reasons: the last line of the traceback (FAIL, ERROR) or the skip reason.'])
        say(f'baseline written to {baseline_file}')
        add(f'{name} baseline recorded', 1, 0, 0)
        return
    if not os.path.exists(baseline_file):
        fail(name, f'no baseline {baseline_file}')
        return
    base = baseline.read_baseline(baseline_file)
    flaky = baseline.read_flaky(FLAKY, kver)
    worse = baseline.regressions(base, outcomes)
    for t in [t for t in worse if t in flaky]:
        say(f'rdma-core: {t} failed, not counted: flaky on the unpatched kernel '
            f'(tests/rdma-core/flaky.txt: {flaky[t]})')
    worse = [t for t in worse if t not in flaky]
    better = baseline.fixed(base, outcomes)
    for t in better:
        say(f'rdma-core: now passes (failed in the baseline): {t}')
    if worse:
        for t in worse:
            say(f'rdma-core: REGRESSION {t}: {outcomes[t][1]}')
        fail(name, f'{len(worse)} test(s) regressed against the baseline')
    elif rc in VM_REASONS:
        fail(name, VM_REASONS[rc])
    else:
        add(f'{name} baseline check', 1, 0, 0)


# What the 6.1 stage runs in its guest: the transport, io_uring, raw input.
OLD_KERNEL_TESTS = ['test_bulk_ep', 'test_bulk_mr', 'test_bulk_ops', 'test_bulk_uring',
                    'test_bulk_raw_input', 'test_rxe_ud_send_error',
                    'test_rxe_qp_destroy_race', 'test_bulk_ipv6']


def stage_old_kernel(kver=OLD_KERNEL):
    """The 6.1 backport: its checks, the core guest tests and rdma-core's suite."""
    env = {'RDMA_BULK_KERNEL_VERSION': kver}
    rc, _ = run(f'kernel-build-{kver}', ['buildlib/kernel-build', '--kernel', kver])
    if rc != 0:
        fail(kver, f'the {kver} test kernel does not build')
        return
    stage_kernel_check(kver, f'kernel-check-{kver}')
    stage_series(kver, f'series-{kver}')
    if build_userspace():
        rc, out = run(f'guest-{kver}', ['buildlib/vm-run', '--timeout', timeout(1200), '--',
                                        *guest_suite('rxe0', *OLD_KERNEL_TESTS)], env=env)
        add_counts_from(f'guest-{kver}', rc, out)
    else:
        fail(f'guest-{kver}', 'userspace build failed')
    stage_rdma_core(False, kver, f'rdma-core-{kver}')
    # The reconnect after a partition, which the rxe patch fixes (6.1's
    # 0005, 6.12's 0003).
    stage_two_guests(f'faults-partition-{kver}', 'faults-pair', 600, 'partition', env=env)


def main():
    args = sys.argv[1:]
    write = '--write-baseline' in args
    args = [a for a in args if a != '--write-baseline']
    stages = ['unit', 'package', 'kernel-check', 'series', 'harness', 'guest', 'siw',
              'removal', 'large', 'pair', 'load', 'faults', 'hostile', 'fabric', 'rdma-core',
              OLD_KERNEL]
    # By name only: its first step fails now and then on siw (see pair-siw).
    by_name = ['pair-siw']
    unknown = [a for a in args if a not in stages + by_name]
    if unknown:
        print(__doc__, file=sys.stderr)
        return 2
    chosen = args or stages
    start = time.monotonic()

    if any(s != 'unit' for s in chosen):
        flavor = ['--flavor', 'vanilla'] if write and chosen == ['rdma-core'] else []
        rc, _ = run('kernel-build', [os.path.join(TOP, 'buildlib', 'kernel-build'), *flavor])
        if rc != 0:
            print('tests/run: the test kernel does not build')
            print('0 passed, 1 failed, 0 skipped')
            return 1

    for s in chosen:
        say(f'stage {s}')
        if s == 'unit':
            stage_unit()
        elif s == 'package':
            stage_package()
        elif s == 'kernel-check':
            stage_kernel_check()
        elif s == 'series':
            stage_series()
        elif s == 'harness':
            stage_harness()
        elif s == 'guest':
            stage_guest()
        elif s == 'siw':
            stage_siw()
        elif s == 'removal':
            stage_removal()
        elif s == 'large':
            stage_large()
        elif s == 'pair':
            stage_two_guests('pair', 'run-pair', 1200)
        elif s == 'pair-siw':
            stage_two_guests('pair-siw', 'run-pair', 1200, env={'VM_RDMA_LINKS': 'siw0:siw'},
                             device='siw0')
        elif s == 'load':
            stage_two_guests('load', 'load-pair', 900)
        elif s == 'faults':
            stage_two_guests('faults', 'faults-pair', 900)
            stage_two_guests('faults-partition', 'faults-pair', 600, 'partition')
        elif s == 'hostile':
            stage_two_guests('hostile-rxe0', 'hostile-pair', 600)
            stage_two_guests('hostile-siw0', 'hostile-pair', 600,
                             env={'VM_RDMA_LINKS': 'siw0:siw'}, device='siw0')
        elif s == 'fabric':
            stage_two_guests('fabric', 'fabric-pair', 1500)
        elif s == 'rdma-core':
            stage_rdma_core(write)
        elif s == OLD_KERNEL:
            stage_old_kernel()

    say(f'all stages in {time.monotonic() - start:.0f}s')
    for stage, why, lines in failures:
        say(f'FAILED {stage}: {why}')
        for line in lines:
            print(f'    {line}')
    print(f"{totals['passed']} passed, {totals['failed']} failed, "
          f"{totals['skipped']} skipped", flush=True)
    return 0 if totals['failed'] == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
