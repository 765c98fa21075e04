# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The benchmark's guest setup (tools/bench/bench-vm.sh for make bench and
# make bench-profile, tools/bench/bench_smoke.sh for make check); sourced
# after lib/tap.sh, lib/two_hosts.sh and lib/sdrpd_hosts.sh.
#
#   bench_guest_modules     # the crypto drivers a real boot would load,
#                           # kTLS, AF_ALG; sysctls the measurements need
#   bench_hosts_setup       # two hosts, an sdrpd each, RSA-3072 credentials;
#                           # $BENCH_HS_ARGS: sdrp-bench's options for them
#
# The handshakes of sdrp-bench then run between the hosts: the client in
# sdrp-a ($SDRP_ID_A), the server in sdrp-b ($SDRP_ID_B, $ADDR_B), over
# their veth pair.  The keys are sdrp-bench's own (made on the build host
# by tools/bench/mkcerts.sh: an RSA-3072 key takes minutes under TCG),
# given to sdrpd_hosts.sh through its key cache, so that its usual setup
# (certificates, s0, configs, daemons) serves unchanged.

bench_guest_modules()
{
	# The accelerated crypto drivers first (as a real machine's boot
	# would load them), so that kTLS, sdrp and AF_ALG all get the same
	# gcm(aes); kTLS and AF_ALG autoload too, loading them here keeps
	# that out of the first measurement.
	for m in aesni_intel ghash_clmulni_intel sha512_ssse3 tls algif_aead \
		algif_hash; do
		modprobe "$m" 2>/dev/null || echo "# modprobe $m failed"
	done
	# AF_ALG builds a 1 MiB request's scatterlists in option memory.
	echo 4194304 >/proc/sys/net/core/optmem_max
	# Closed connections leave no TIME_WAIT sockets behind, which would
	# otherwise expire (and free slab) in the middle of a memory reading.
	echo 0 >/proc/sys/net/ipv4/tcp_max_tw_buckets
}

bench_hosts_setup()
{
	# Named even if the setup fails: the handshake through sdrpd then
	# fails with the reason instead of being left out.
	# shellcheck disable=SC2034 # for the caller
	BENCH_HS_ARGS="--hs-netns $NS_A,$NS_B --hs-addr $ADDR_B --hs-ids $SDRP_ID_A,$SDRP_ID_B"
	# A cache of its own: the other tests' keys are RSA 2048.
	SDRP_PKI_CACHE=/tmp/sdrp-bench-pki-cache
	# shellcheck disable=SC2034 # read by sdrpd_hosts.sh
	SDRP_PKI_BITS=3072
	bench_keys=$SDRP_PKI_CACHE/from-sdrp-bench
	rm -rf "$bench_keys"
	mkdir -p "$bench_keys" || return 1
	if ! sdrp-bench --write-keys "$bench_keys"; then
		sdrpd_hosts_fail "sdrp-bench --write-keys failed"
		return 1
	fi
	# key 1 for host a (the client), key 2 for host b (the server)
	pki_cache_seed "$bench_keys/ca.key" "$bench_keys/ca.crt" \
		"$bench_keys/client.key" "$bench_keys/server.key" || return 1
	rm -rf "$bench_keys"
	sdrpd_hosts_setup
}
