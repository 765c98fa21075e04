# SPDX-License-Identifier: GPL-2.0
#
# sdrp top-level build.  `make help` lists the targets.
#
#   make                 sdrp.ko for KDIR (build/kmod/<release>/sdrp.ko) and userspace
#   make check           host tests + VM tests on every kernel in KERNELS
#   make demo            a VM with two hosts: CA, sdrpd, sensor and collector
#
# Kernel module builds never touch the source tree: each kernel release
# gets a copy under build/kmod/<release>/ (see scripts/build-kmod.sh).

SHELL		:= /bin/bash
.SHELLFLAGS	:= -o pipefail -c

# The two supported kernels: Debian 12's own and the 6.12 LTS from
# bookworm-backports.  KERNELS picks the VM test runs by short name; a full
# release name (uname -r of an installed cloud kernel) works too.
KVER_6.1	:= 6.1.0-56-cloud-amd64
KVER_6.12	:= 6.12.95+deb12-cloud-amd64
KERNELS		?= 6.1 6.12
KDIR		?= /lib/modules/$(KVER_6.1)/build

kver		= $(or $(KVER_$(1)),$(1))
KVERS		= $(foreach k,$(KERNELS),$(call kver,$(k)))

B		:= build
TAP		:= $(B)/tap
JOBS		?= 2
export JOBS

# Kernel source tarball that provides the kselftest harness and checkpatch.
LINUX_SOURCE	?= /usr/src/linux-source-6.12.tar.xz
KSRC_STAMP	:= $(B)/.ksrc-extracted

# ---- VM test suite (see selftests/README.md) -----------------------------
#
# VM_TESTS: the suite, from selftests/vm/tests.list; T=name[,name] runs only
# those, in that order, listed or not (names resolve as vm_test_file says).
# VM_PROGS: host programs installed in the guest at the same path (relative
# paths go to /usr/bin/); their shared libraries follow.  Every byte costs
# boot time (the kernel inflates the initramfs under TCG): add debugging
# tools per run, e.g. make check-vm VM_PROGS+=/usr/bin/ss.
# VM_KMODS: kernel modules (or aliases) the guest needs besides sdrp.ko's
# own dependencies; crypto templates load on demand, so list them here.
VM_TESTS	?= $(shell sed -e 's/\#.*//' selftests/vm/tests.list)
VM_PROGS	?= /usr/sbin/ip /usr/sbin/tc \
		   $(wildcard $(B)/bin/* $(B)/tools/bench/sdrp-bench) \
		   $(wildcard $(B)/userspace/sdrpd/sdrpd $(B)/userspace/sdrpctl/sdrpctl \
			      $(B)/userspace/tools/sdrp-peer \
			      $(B)/selftests/sdrp_hs_tool \
			      $(B)/selftests/nltap_preload.so \
			      $(B)/userspace/examples/sdrp-sensor \
			      $(B)/userspace/examples/sdrp-collector \
			      $(B)/selftests/sdrp_soak_load)
VM_KMODS	?= veth sch_netem tls crypto-gcm crypto-ghash crypto-aes \
		   crypto-ctr crypto-sha512 crypto-hmac algif_aead algif_hash \
		   inet_diag tcp_diag nlmon
# Guards against a hung guest, not performance bounds: on a busy host
# (load 10-15 on 2 cores) single tests took up to 170 s and one kernel's
# suite over 600 s, runs that pass with these margins.
VM_TIMEOUT	?= 1200
VM_TEST_TIMEOUT	?= 300

comma		:= ,
empty		:=
space		:= $(empty) $(empty)
vm_run_names	= $(if $(T),$(subst $(comma),$(space),$(T)),$(VM_TESTS))
# name -> file: a path if it has a slash, else selftests/<name>.sh, else
# the C test build/selftests/<name>
vm_test_file	= $(if $(findstring /,$(1)),$(1),$(if $(wildcard selftests/$(1).sh),selftests/$(1).sh,$(B)/selftests/$(1)))
vm_run_files	= $(foreach t,$(vm_run_names),$(call vm_test_file,$(t)))

# Every dependency `make deps` installs (scripts/deps.sh).
DEPS_PACKAGES	:= \
	linux-image-$(KVER_6.1) linux-headers-$(KVER_6.1) \
	linux-image-$(KVER_6.12) linux-headers-$(KVER_6.12) \
	linux-source-6.1 linux-source-6.12 \
	gcc make libc6-dev binutils perl rsync \
	qemu-system-x86 busybox-static kmod cpio xz-utils zstd gzip \
	iproute2 ethtool sparse \
	libsodium-dev libssl-dev libnl-3-dev libnl-genl-3-dev pkg-config \
	clang libclang-rt-14-dev python3 python3-cryptography python3-yaml \
	python3-jsonschema openssl gnuplot-nox linux-perf \
	flex bison bc libelf-dev

HAVE_USERSPACE	= $(wildcard userspace/Makefile)

.PHONY: all module userspace selftests deps check check-unit check-vm check-debug soak \
	vm-prereqs demo guest-progs bench bench-profile fuzz style clean help

all: module userspace

module:
	@scripts/build-kmod.sh $(KDIR)

userspace:
ifneq ($(HAVE_USERSPACE),)
	@$(MAKE) --no-print-directory -C userspace
endif

# kselftest harness and checkpatch.pl, from one pass over the tarball
$(KSRC_STAMP): $(LINUX_SOURCE) scripts/extract-ksrc.sh
	@mkdir -p $(B)
	@echo "  EXTRACT kselftest harness, checkpatch from $(LINUX_SOURCE)"
	@scripts/extract-ksrc.sh $(LINUX_SOURCE) $(B)
	@touch $@

selftests: $(KSRC_STAMP)
	@$(MAKE) --no-print-directory -C selftests OUT=$(CURDIR)/$(B)/selftests \
		KSFT=$(CURDIR)/$(B)/ksft

deps:
	@scripts/deps.sh $(DEPS_PACKAGES)

# ---- tests ---------------------------------------------------------------
#
# Every test prints TAP; each suite's output is kept in $(TAP)/*.tap and
# scripts/tap-summary.sh prints the one-line count.  A suite that fails
# without printing "not ok" (build error, crash) gets a "not ok" line
# appended, so the count cannot miss it.

check: deps
	@rm -rf $(TAP)
	@rc=0; \
	$(MAKE) --no-print-directory check-unit NO_SUMMARY=1 || rc=1; \
	$(MAKE) --no-print-directory check-vm NO_SUMMARY=1 || rc=1; \
	scripts/tap-summary.sh $(TAP)/*.tap || rc=1; \
	exit $$rc

check-unit:
	@mkdir -p $(TAP); rm -f $(TAP)/unit-*.tap
	@rc=0; \
	echo "== host: console scanner"; \
	selftests/vm/test_scan_console.sh | tee $(TAP)/unit-scan-console.tap || \
		{ rc=1; echo "not ok - console scanner test exited with status $$?" >>$(TAP)/unit-scan-console.tap; }; \
	if [ -n "$(HAVE_USERSPACE)" ]; then \
		echo "== host: userspace"; \
		$(MAKE) --no-print-directory -C userspace check 2>&1 | tee $(TAP)/unit-userspace.tap || \
			{ rc=1; echo "not ok - make -C userspace check failed" >>$(TAP)/unit-userspace.tap; }; \
		echo "== host: selftests/lib/sdrpd_hosts.sh"; \
		SDRPCTL=$(B)/userspace/sdrpctl/sdrpctl SDRPD=$(B)/userspace/sdrpd/sdrpd \
			selftests/lib/test_sdrpd_hosts.sh | tee $(TAP)/unit-sdrpd-hosts.tap || \
			{ rc=1; echo "not ok - sdrpd_hosts.sh test exited with status $$?" >>$(TAP)/unit-sdrpd-hosts.tap; }; \
	fi; \
	[ -n "$(NO_SUMMARY)" ] || scripts/tap-summary.sh $(TAP)/unit-*.tap || rc=1; \
	exit $$rc

# Built before the VM suite: the directories whose programs tests use
# (each one's default target; userspace first, libsdrp is linked by some C
# selftests), then the C selftests (make -k).  A build failure is counted
# as a failure and the rest of the suite still runs.
VM_BUILD_DIRS	?= $(patsubst %/Makefile,%,$(wildcard userspace/Makefile tools/bench/Makefile))

vm-prereqs: $(KSRC_STAMP)
	@mkdir -p $(TAP); rm -f $(TAP)/vm-*.tap
	@for d in $(VM_BUILD_DIRS); do \
		$(MAKE) --no-print-directory -C $$d || \
			echo "not ok - build $$d (programs for the VM suite)" >>$(TAP)/vm-build.tap; \
	done; \
	$(MAKE) --no-print-directory -k selftests || \
		echo "not ok - build selftests" >>$(TAP)/vm-build.tap

# Settings of tests that read them from their environment (make check-vm
# SEED=123, SOAK=long): the guest kernel hands name=value parameters of
# its command line to init, whose children inherit them.
VM_TEST_VARS	:= SEED SDRP_HOSTILE_SECONDS SOAK SOAK_SECONDS SOAK_SESSIONS \
		   SOAK_RESET_MS
vm_test_env	= $(strip $(foreach v,$(VM_TEST_VARS),$(if $($(v)),$(v)=$($(v)))))

# Its recipe is expanded after vm-prereqs ran, so the wildcards in
# VM_PROGS see this run's build.
check-vm: vm-prereqs
	@rc=0; \
	[ ! -s $(TAP)/vm-build.tap ] || rc=1; \
	for kver in $(KVERS); do \
		tap=$(TAP)/vm-$$kver.tap; \
		echo "== vm: $$kver: $(vm_run_names)"; \
		if ! scripts/build-kmod.sh $${SDRP_VM_KDIR:-/lib/modules/$$kver/build}; then \
			echo "not ok - build sdrp.ko for $$kver" >$$tap; rc=1; continue; \
		fi; \
		SDRP_VM_CMDLINE="$${SDRP_VM_CMDLINE:-} $(vm_test_env)" \
		selftests/vm/run.sh -k $$kver -m $(B)/kmod/$$kver/sdrp.ko \
			-o $(B)/vm/$$kver -T $(VM_TIMEOUT) -P $(VM_TEST_TIMEOUT) \
			$(foreach f,$(vm_run_files),-t $(f)) \
			$(foreach p,$(VM_PROGS),-b $(p)) \
			$(foreach m,$(VM_KMODS),-M $(m)) || rc=1; \
		cp $(B)/vm/$$kver/results.tap $$tap 2>/dev/null || \
			echo "not ok - vm run for $$kver produced no results" >$$tap; \
	done; \
	[ -n "$(NO_SUMMARY)" ] || scripts/tap-summary.sh $(TAP)/vm-*.tap || rc=1; \
	exit $$rc

# The VM suite on a debug kernel (KASAN, kmemleak, lockdep, UBSAN; built
# once by scripts/debug-kernel.sh, cached outside the tree), then
# selftests/vm/debug_reports.sh: kmemleak scan, lockdep still on.
DEBUG_VM_TIMEOUT	?= 3600
DEBUG_VM_TEST_TIMEOUT	?= 600

# Built into the debug kernel, so no module file to install: sock_diag
# (the soak's connection resets) and nlmon (sdrp_secrets_sdrpd's raw
# SESSIONS dumps).
DEBUG_KERNEL_BUILTIN	:= inet_diag tcp_diag nlmon

check-debug: deps
	@dir=$$(scripts/debug-kernel.sh) || exit 1; \
	SDRP_VM_KDIR=$$dir/linux SDRP_VM_KERNEL=$$dir/bzImage \
	SDRP_VM_MODROOT=$$dir/modroot \
	SDRP_VM_CMDLINE="panic_on_warn=1 kasan.fault=panic $${SDRP_VM_CMDLINE:-}" \
	$(MAKE) --no-print-directory check-vm KERNELS=$$(cat $$dir/release) \
		VM_KMODS="$(filter-out $(DEBUG_KERNEL_BUILTIN),$(VM_KMODS))" \
		VM_TESTS="$(VM_TESTS) selftests/vm/debug_reports.sh" \
		$(if $(T),T=$(T)$(comma)selftests/vm/debug_reports.sh) \
		VM_TIMEOUT=$(DEBUG_VM_TIMEOUT) VM_TEST_TIMEOUT=$(DEBUG_VM_TEST_TIMEOUT)

# The long soak (selftests/sdrp_soak.sh): 200 sessions (SOAK_SESSIONS)
# for 2100 s (SOAK_SECONDS) on every kernel: on an idle host (~140
# exchanges/s in all) a session that lives the run does 1200-1900
# exchanges; make check runs a short one (20 sessions, 20 s).
soak_seconds	= $(or $(SOAK_SECONDS),2100)

soak: deps
	@$(MAKE) --no-print-directory check-vm T=sdrp_soak SOAK=long \
		SOAK_SECONDS=$(soak_seconds) \
		VM_TEST_TIMEOUT=$$(($(soak_seconds) + 300)) \
		VM_TIMEOUT=$$(($(soak_seconds) + 600))

DEMO_KERNEL	?= $(firstword $(KERNELS))

# The programs the demo and the benchmark run in the guest (sdrpctl,
# sdrpd, the examples) are built first, so that VM_PROGS, expanded with the
# recipe, finds them.
guest-progs: deps
	@$(MAKE) --no-print-directory userspace

demo: guest-progs
	@kver=$(call kver,$(DEMO_KERNEL)); \
	scripts/build-kmod.sh /lib/modules/$$kver/build && \
	selftests/vm/run.sh -k $$kver -m $(B)/kmod/$$kver/sdrp.ko -o $(B)/vm/demo-$$kver \
		-t selftests/vm/demo.sh $(foreach p,$(VM_PROGS),-b $(p)) \
		$(foreach m,$(VM_KMODS),-M $(m))

# sdrp-bench in one VM run (tools/bench/README.rst), with the host's native
# `make -C userspace bench`; writes Documentation/performance.rst and .png.
BENCH_KERNEL	?= $(firstword $(KERNELS))

bench: guest-progs
	@$(MAKE) --no-print-directory -C tools/bench bench KVER=$(call kver,$(BENCH_KERNEL)) \
		VM_PROGS="$(VM_PROGS)" VM_KMODS="$(VM_KMODS)" BENCH_ARGS="$(BENCH_ARGS)"

# One case of sdrp-bench under perf in the VM (tools/bench/README.rst).
bench-profile: guest-progs
	@$(MAKE) --no-print-directory -C tools/bench profile KVER=$(call kver,$(BENCH_KERNEL)) \
		VM_PROGS="$(VM_PROGS)" VM_KMODS="$(VM_KMODS)" BENCH_ARGS="$(BENCH_ARGS)"

# libFuzzer targets of libsdrp, sdrpd and sdrpctl, FUZZ_SECONDS each.
FUZZ_SECONDS	?= 10
fuzz: deps
	@$(MAKE) --no-print-directory -C userspace fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)

# ---- style ---------------------------------------------------------------

STYLE_FILES	= $(sort $(wildcard kernel/*.[ch] include/*/*.h include/*/*/*.h))

# Both checks run; either failing fails the target.  checkpatch also reads
# .checkpatch.conf (the one type ignored, and why).
style: $(KSRC_STAMP)
	@rc=0; \
	echo "== checkpatch --strict: $(STYLE_FILES)"; \
	$(B)/checkpatch/checkpatch.pl --strict --no-tree --quiet --show-types \
		-f $(STYLE_FILES) || rc=1; \
	for kver in $(KVERS); do \
		echo "== sparse: $$kver"; \
		out=$$(scripts/build-kmod.sh /lib/modules/$$kver/build C=2 CHECK=sparse 2>&1) || rc=1; \
		echo "$$out" | grep -v '^make\|^  [A-Z]\|Skipping BTF' || true; \
		! echo "$$out" | grep -qE '(warning|error):' || rc=1; \
	done; exit $$rc

clean:
	rm -rf $(B)
ifneq ($(HAVE_USERSPACE),)
	@$(MAKE) --no-print-directory -C userspace clean
endif

help:
	@echo "make [all]      sdrp.ko for KDIR=$(KDIR), and userspace/ if present"
	@echo "make deps       install build and test dependencies (apt-get)"
	@echo "make check      check-unit + check-vm; ends with 'N passed, N failed, N skipped'"
	@echo "make check-unit host tests (no VM)"
	@echo "make check-vm   VM tests once per kernel in KERNELS=\"$(KERNELS)\"; T=name runs one test"
	@echo "make check-debug VM tests on a KASAN/kmemleak/lockdep/UBSAN kernel (built once, cached)"
	@echo "make soak       long soak: 200 sessions for SOAK_SECONDS=$(soak_seconds) s: handshakes, netem, resets, sdrpd restarts"
	@echo "make demo       boot a VM ($(DEMO_KERNEL)): two hosts, sdrpctl PKI, sdrpd, the example sensor and collector"
	@echo "make fuzz      every libFuzzer target for FUZZ_SECONDS=$(FUZZ_SECONDS) s"
	@echo "make style      checkpatch --strict on kernel/ include/, sparse build"
	@echo "make clean      remove build/"
