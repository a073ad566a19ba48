#!/usr/bin/env bash
# Unmodified downstream libraries over mdlayher/netlink v1.11.2, and over
# nlring put in its place with one replace line, as a user would do it:
# ti-mo/conntrack v0.6.0 Dump of -n conntrack entries (default 100,000) and
# google/nftables v0.3.0 GetRules of -m rules (default 32,768), each a fresh
# process, in a network namespace this script creates and deletes. nlring
# runs with NLRING_BACKEND=syscall, =iouring, and unset (auto); all four
# variants run interleaved, REPS rounds, and every ratio is to mdlayher's
# time in the same round.
#
#	sudo bench/downstream/run.sh                 # nlring at HEAD, 5 rounds
#	sudo bench/downstream/run.sh -c 2a497a2 -r 7 # nlring at another commit
#
# The program (main.go next to this script) is built in a scratch module
# under -w (default /tmp/nlring-downstream), outside the repository: once
# plainly, once with
#	replace github.com/mdlayher/netlink => <nlring at COMMIT, renamed by compat/as-mdlayher>
# It times the library call only (Dial and setup are outside the time).
# To profile one variant, build as above and run in a namespace set up with
# `ds setup-ct N`: DS_CPUPROFILE=cpu.out DS_REPEAT=10 ds ct-dump.
set -euo pipefail

commit=HEAD reps=5 work=/tmp/nlring-downstream ct=100000 nft=32768
while getopts c:r:w:n:m: o; do
	case $o in
	c) commit=$OPTARG ;;
	r) reps=$OPTARG ;;
	w) work=$OPTARG ;;
	n) ct=$OPTARG ;;
	m) nft=$OPTARG ;;
	*) exit 2 ;;
	esac
done
here=$(cd "$(dirname "$0")" && pwd)
repo=$(git -C "$here" rev-parse --show-toplevel)
sha=$(git -C "$repo" rev-parse --short=12 "$commit")
mkdir -p "$work"
work=$(cd "$work" && pwd)

# nlring at $sha, renamed to github.com/mdlayher/netlink.
src=$work/nlring-$sha
lib=$work/as-mdlayher-$sha
rm -rf "$src" "$lib"
mkdir -p "$src"
git -C "$repo" archive "$sha" | tar -x -C "$src"
bash "$src/compat/as-mdlayher" "$lib"

build() { # build DIR [REPLACE]
	rm -rf "$1"
	mkdir -p "$1"
	grep -v '^//go:build ignore$' "$here/main.go" >"$1/main.go"
	(
		cd "$1"
		go mod init downstream >/dev/null 2>&1
		go mod edit -require github.com/mdlayher/netlink@v1.11.2 -require github.com/ti-mo/conntrack@v0.6.0 \
			-require github.com/google/nftables@v0.3.0
		if [ -n "${2:-}" ]; then go mod edit -replace "github.com/mdlayher/netlink=$2"; fi
		go mod tidy >/dev/null
		go build -o ds .
	)
}
build "$work/md"
build "$work/nl-$sha" "$lib"
md=$work/md/ds
nl=$work/nl-$sha/ds

ns=nlring-ds-$$
ip netns add "$ns"
trap 'ip netns delete "$ns"' EXIT
ip -n "$ns" link set lo up
echo "setting up $ct conntrack entries and $nft nftables rules in $ns" >&2
ip netns exec "$ns" "$md" setup-ct "$ct"
ip netns exec "$ns" "$md" setup-nft "$nft"

variants=(mdlayher nlring-syscall nlring-iouring nlring-auto)
runone() { # runone VARIANT CMD -> "ns count"
	case $1 in
	mdlayher) ip netns exec "$ns" env -u NLRING_BACKEND "$md" "$2" ;;
	nlring-syscall) ip netns exec "$ns" env NLRING_BACKEND=syscall "$nl" "$2" ;;
	nlring-iouring) ip netns exec "$ns" env NLRING_BACKEND=iouring "$nl" "$2" ;;
	nlring-auto) ip netns exec "$ns" env -u NLRING_BACKEND "$nl" "$2" ;;
	esac
}
out=$work/results-$sha-$(date -u +%Y%m%dT%H%M%SZ).txt
echo "# nlring $sha ($(git -C "$repo" log -1 --format=%s "$sha")); $reps rounds; load $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out"
for cmd in ct-dump nft-rules; do
	for v in "${variants[@]}"; do runone "$v" "$cmd" >/dev/null; done # warm-up
	for ((r = 0; r < reps; r++)); do
		for ((k = 0; k < ${#variants[@]}; k++)); do
			v=${variants[$(((k + r) % ${#variants[@]}))]}
			echo "$cmd $r $v $(runone "$v" "$cmd")" | tee -a "$out"
		done
	done
done
echo "# load at end $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"

# Per workload and variant: median time, and the median, min and max of the
# per-round ratio to mdlayher; every variant must count the same.
awk '
	/^#/ { next }
	{ t[$1, $2, $3] = $4; c[$1, $3] = $5; w[$1] = 1; v[$3] = 1; if ($2 + 1 > R) R = $2 + 1 }
	function med(a, n,   i, j, x) {
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	END {
		printf "%-10s %-15s %10s %8s %10s %s\n", "workload", "client", "median", "count", "×mdlayher", "(min–max)"
		split("mdlayher nlring-syscall nlring-iouring nlring-auto", order, " ")
		split("ct-dump nft-rules", wls, " ")
		for (wi = 1; wi <= 2; wi++) {
			wl = wls[wi]
			if (!(wl in w)) continue
			for (oi = 1; oi <= 4; oi++) {
				vn = order[oi]
				n = 0; m = 0; lo = 1e9; hi = 0
				for (r = 0; r < R; r++) {
					if (!((wl, r, vn) in t)) continue
					n++; ts[n] = t[wl, r, vn]; rt[n] = t[wl, r, vn] / t[wl, r, "mdlayher"]
					if (rt[n] < lo) lo = rt[n]; if (rt[n] > hi) hi = rt[n]
				}
				mt = med(ts, n); mr = med(rt, n)
				printf "%-10s %-15s %8.1fms %8d %10.2f (%.2f–%.2f)\n", wl, vn, mt / 1e6, c[wl, vn], mr, lo, hi
				if (c[wl, vn] != c[wl, "mdlayher"]) printf "  error: %s counted %d, mdlayher %d\n", vn, c[wl, vn], c[wl, "mdlayher"]
			}
		}
	}' "$out" | tee -a "$out"
echo "raw results: $out" >&2
