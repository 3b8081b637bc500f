# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
# Sourced by the tests/pair scripts (sh or bash) that pace the two nodes
# of `vm-run --nodes 2` with flag files in the shared directory.

# The other node's IPv4 address.
peer_of() { for a in $VM_ADDRS; do [ "$a" = "$VM_ADDR" ] || echo "$a"; done; }

# Raise flag NAME for the other node.
flag() { : >"$VM_SHARE/flag.$1"; }

# Wait up to SECONDS for the other node's flag NAME; 1 if it never came.
await() {	# NAME SECONDS
	local n=0
	while [ ! -e "$VM_SHARE/flag.$1" ]; do
		sleep 0.2
		n=$((n + 1))
		[ $n -lt $(($2 * 5)) ] || return 1
	done
}
