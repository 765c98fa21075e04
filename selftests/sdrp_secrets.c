// SPDX-License-Identifier: GPL-2.0
/*
 * No copy of a session's keys outlives its use: the guest's whole memory
 * (/proc/kcore, the direct map of every RAM page) is searched for known
 * keys set with SDRP_KEYS.
 *
 *   session A: epoch-0 keys, then rekeys (interval 1); still open
 *   session B: epoch-0 keys, a few exchanges, closed on both ends
 *   session C: epoch-0 keys, open: the control, its AES keys must be
 *              found (an expanded AES-256 key starts with the raw key),
 *              or the search proves nothing
 *   session D: keys set right before the search, nothing else: a copy
 *              that setsockopt left behind has had little time to be
 *              reused (B closes right before the search too)
 *
 * A's and B's AES keys, GCM IVs, HMAC keys and chain key must appear
 * nowhere: not in the setsockopt copy, not in a freed epoch or crypto
 * transform.  Not even a live session keeps its raw HMAC keys (the hmac
 * transform keeps only the hashed pads): C's and D's must be absent too.
 * The keys are never in the kernel log, /proc/net/sdrp_stat, SDRP_INFO
 * or `sdrpctl sessions` either.  (sdrp_secrets_sdrpd.sh does the same for
 * keys from a handshake through sdrpd, with the raw SESSIONS dump and
 * the daemons' logs.)
 *
 * The test's own copies: the keys are generated into one locked page,
 * which the search skips (its physical page comes from
 * /proc/self/pagemap), as it skips the pages it reads /proc/kcore into;
 * every other user copy is wiped before the search.
 */
#include <elf.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "sdrp_test.h"

#define PAGE		4096UL
#define PAIRS		4	/* sessions A, B, C, D */
#define CHUNK		(1UL << 20)

/* The secrets of one struct sdrp_keys, by name. */
#define SECRETS		7
static const char *const secret_names[SECRETS] = {
	"c2s key", "c2s iv", "c2s mac", "s2c key", "s2c iv", "s2c mac",
	"chain key",
};

static void secret_span(const struct sdrp_keys *k, unsigned int i,
			const uint8_t **p, size_t *len)
{
	const struct sdrp_dir_keys *d = i < 3 ? &k->c2s : &k->s2c;

	switch (i) {
	case 0: case 3:	*p = d->key; *len = sizeof(d->key); break;
	case 1: case 4:	*p = d->iv; *len = sizeof(d->iv); break;
	case 2: case 5:	*p = d->mac; *len = sizeof(d->mac); break;
	default:	*p = k->chain_key; *len = sizeof(k->chain_key); break;
	}
}

/* Physical page of a (locked, present) user page, or 0. */
static uint64_t phys_page(const void *va)
{
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &entry, sizeof(entry),
		  (off_t)((uintptr_t)va / PAGE * sizeof(entry))) !=
	    sizeof(entry))
		entry = 0;
	close(fd);
	if (!(entry >> 63))
		return 0;
	return (entry & ((1ULL << 55) - 1)) * PAGE;
}

/*
 * Needles and what the search found.  A match at any byte alignment is
 * found through one of four probes per needle: the aligned 4-byte word
 * that a match at that alignment must contain.
 */
#define NEEDLES_MAX	(PAIRS * SECRETS)

struct search {
	unsigned int n;
	const uint8_t *needle[NEEDLES_MAX];
	size_t len[NEEDLES_MAX];
	unsigned long hits[NEEDLES_MAX];	/* distinct places */
	uint64_t at[NEEDLES_MAX][4];		/* the first ones' addresses */
	uint8_t filter[65536 / 8];		/* low 16 bits of probes */
	uint64_t skip[1 + CHUNK / PAGE];	/* our own pages */
	unsigned int nskip;
	uint64_t bytes;
};

static uint32_t probe_word(const uint8_t *needle, unsigned int shift)
{
	uint32_t w;

	memcpy(&w, needle + shift, sizeof(w));
	return w;
}

static void search_add(struct search *s, const uint8_t *needle, size_t len)
{
	unsigned int k;

	s->needle[s->n] = needle;
	s->len[s->n] = len;
	for (k = 0; k < 4; k++) {
		uint32_t w = probe_word(needle, k) & 0xffff;

		s->filter[w / 8] |= 1 << (w % 8);
	}
	s->n++;
}

static bool skipped(const struct search *s, uint64_t phys)
{
	unsigned int i;

	for (i = 0; i < s->nskip; i++)
		if (phys / PAGE == s->skip[i] / PAGE)
			return true;
	return false;
}

/*
 * A match at @phys; kcore maps some RAM twice (the direct map and the
 * kernel image), and chunks overlap: count each place once.
 */
static void record_hit(struct search *s, unsigned int n, uint64_t phys)
{
	unsigned int i, known = s->hits[n] < 4 ? s->hits[n] : 4;

	for (i = 0; i < known; i++)
		if (s->at[n][i] == phys)
			return;
	if (s->hits[n] < 4)
		s->at[n][s->hits[n]] = phys;
	s->hits[n]++;
}

/* Look at every aligned word of @buf (physical address @phys). */
static void search_chunk(struct search *s, const uint8_t *buf, size_t len,
			 uint64_t phys)
{
	const uint32_t *w = (const uint32_t *)buf;
	size_t i, words = len / 4;
	unsigned int n, k;

	for (i = 0; i < words; i++) {
		uint32_t lo = w[i] & 0xffff;

		if (!(s->filter[lo / 8] & (1 << (lo % 8))))
			continue;
		for (n = 0; n < s->n; n++) {
			for (k = 0; k < 4; k++) {
				size_t start = i * 4 - k;

				if (i * 4 < k || start + s->len[n] > len ||
				    w[i] != probe_word(s->needle[n], k) ||
				    memcmp(buf + start, s->needle[n],
					   s->len[n]) ||
				    skipped(s, phys + start))
					continue;
				record_hit(s, n, phys + start);
			}
		}
	}
}

/*
 * Search every RAM segment of /proc/kcore.  Chunks overlap by a page, so
 * a match across a chunk boundary is seen (and one inside the overlap
 * twice: counts are "at least").  0 or -errno.
 */
static int search_kcore(struct search *s, uint8_t *buf)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	unsigned int i;
	int fd = open("/proc/kcore", O_RDONLY);

	if (fd < 0)
		return -errno;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG)) {
		close(fd);
		return -EINVAL;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		uint64_t off;

		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) !=
		    sizeof(ph))
			break;
		/* RAM and kernel text have a physical address; vmalloc
		 * and vmemmap do not, and their pages are RAM anyway */
		if (ph.p_type != PT_LOAD || ph.p_paddr == (Elf64_Addr)-1)
			continue;
		for (off = 0; off < ph.p_memsz; off += CHUNK - PAGE) {
			size_t want = ph.p_memsz - off < CHUNK ?
				      ph.p_memsz - off : CHUNK;
			ssize_t got = pread(fd, buf, want, ph.p_offset + off);

			if (got <= 0)
				continue;	/* a hole */
			search_chunk(s, buf, (size_t)got, ph.p_paddr + off);
			s->bytes += (uint64_t)got;
			if ((size_t)got < CHUNK)
				break;
		}
	}
	close(fd);
	return 0;
}

/* Exchanges on a keyed pair, each byte checked. */
static int exchanges(int c, int sv, unsigned int n)
{
	char req[64], resp[64];
	unsigned int i;

	for (i = 0; i < n; i++) {
		sdrp_fill((unsigned char *)req, sizeof(req), 2 * i);
		if (send(c, req, sizeof(req), 0) != sizeof(req) ||
		    recv(sv, req, sizeof(req), 0) != sizeof(req) ||
		    sdrp_check((unsigned char *)req, sizeof(req), 2 * i) != -1)
			return -1;
		sdrp_fill((unsigned char *)resp, sizeof(resp), 2 * i + 1);
		if (send(sv, resp, sizeof(resp), 0) != sizeof(resp) ||
		    recv(c, resp, sizeof(resp), 0) != sizeof(resp))
			return -1;
	}
	return 0;
}

/* Does any 8-byte window of a secret occur in @text, raw or as hex? */
static bool leaks_into(const struct sdrp_keys *k, const char *text,
		       size_t len)
{
	static const char *const fmt[2] = { "%02x", "%02X" };
	unsigned int i, f, b;
	char hex[17];

	for (i = 0; i < SECRETS; i++) {
		const uint8_t *p;
		size_t n;

		secret_span(k, i, &p, &n);
		if (memmem(text, len, p, 8))
			return true;
		for (f = 0; f < 2; f++) {
			for (b = 0; b < 8; b++)
				snprintf(hex + 2 * b, 3, fmt[f], p[b]);
			if (memmem(text, len, hex, 16))
				return true;
		}
	}
	return false;
}

static size_t read_all(const char *path, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NONBLOCK);

	if (fd < 0)
		return 0;
	while (len < cap && (n = read(fd, buf + len, cap - len)) > 0)
		len += (size_t)n;
	close(fd);
	return len;
}

/* The output of a shell command, as read_all() for a file. */
static size_t read_cmd(const char *cmd, char *buf, size_t cap)
{
	FILE *f = popen(cmd, "r");
	size_t len;

	if (!f)
		return 0;
	len = fread(buf, 1, cap, f);
	pclose(f);
	return len;
}

/* Lines of @text that contain @word. */
static int count_lines(const char *text, size_t len, const char *word)
{
	const char *p = text, *end = text + len, *nl;
	int n = 0;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			nl = end;
		if (memmem(p, nl - p, word, strlen(word)))
			n++;
	}
	return n;
}

/*
 * Overwrite the vector registers that copied keys around: the kernel
 * saves them with the task's FPU state, which the search would find.
 */
static void clobber_registers(void)
{
	static uint8_t zero[8192], sink[8192];

	memcpy(sink, zero, sizeof(sink));
	__asm__ __volatile__("" : : "r"(sink) : "memory");
}

/* ULP, parameters and keys on both ends of a pair. */
static void set_pair_keys(struct __test_metadata *_metadata, int fd[2],
			  struct sdrp_keys *k, unsigned int rekey_interval)
{
	struct sdrp_params p = { .rekey_interval = rekey_interval };
	int j;

	for (j = 0; j < 2; j++) {
		ASSERT_EQ(sdrp_attach(fd[j]), 0);
		ASSERT_EQ(sdrp_set_params(fd[j], &p), 0);
		k->role = j ? SDRP_ROLE_SERVER : SDRP_ROLE_CLIENT;
		ASSERT_EQ(setsockopt(fd[j], SOL_SDRP, SDRP_KEYS, k,
				     sizeof(*k)), 0);
	}
}

/* Only for the timeout: a search of all RAM under TCG takes a while. */
FIXTURE(kcore) {
};

FIXTURE_SETUP(kcore)
{
}

FIXTURE_TEARDOWN(kcore)
{
}

static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

TEST_F_TIMEOUT(kcore, keys_gone_after_rekey_and_close, 120)
{
	struct sdrp_keys *keys;		/* A..D in one locked page */
	struct sdrp_info info;
	struct search *s;
	uint8_t *buf;
	int lfd, fd[PAIRS][2], i, j;
	struct sockaddr_storage addr;
	socklen_t alen;
	char *text;
	size_t len;

	if (access("/proc/kcore", R_OK))
		SKIP(return, "no /proc/kcore in this kernel");
	ASSERT_EQ(sdrp_netns_loopback(), 0);

	/* shared: a child writing to it must not get a copy of the page */
	keys = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	buf = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	s = calloc(1, sizeof(*s));
	text = malloc(1 << 20);
	ASSERT_NE(keys, MAP_FAILED);
	ASSERT_NE(buf, MAP_FAILED);
	ASSERT_NE(s, NULL);
	ASSERT_NE(text, NULL);
	ASSERT_EQ(mlock(keys, PAGE), 0);
	ASSERT_EQ(mlock(buf, CHUNK), 0);
	ASSERT_EQ(madvise(buf, CHUNK, MADV_DONTFORK), 0);
	s->skip[s->nskip++] = phys_page(keys);
	ASSERT_NE(s->skip[0], 0);

	/* Four pairs; keys straight from getrandom into the locked page. */
	alen = sdrp_loopback_addr(AF_INET, &addr);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_GE(lfd, 0);
	ASSERT_EQ(bind(lfd, (struct sockaddr *)&addr, alen), 0);
	ASSERT_EQ(listen(lfd, PAIRS), 0);
	ASSERT_EQ(getsockname(lfd, (struct sockaddr *)&addr, &alen), 0);
	for (i = 0; i < PAIRS; i++) {
		fd[i][0] = socket(AF_INET, SOCK_STREAM, 0);
		ASSERT_EQ(connect(fd[i][0], (struct sockaddr *)&addr, alen),
			  0);
		fd[i][1] = accept(lfd, NULL, NULL);
		ASSERT_GE(fd[i][1], 0);
		sdrp_random_keys(&keys[i]);
	}
	close(lfd);
	for (i = 0; i < PAIRS - 1; i++)
		set_pair_keys(_metadata, fd[i], &keys[i], i == 0 ? 1 : 10);
	/* the physical pages the search reads into: skipped too */
	for (len = 0; len < CHUNK; len += PAGE)
		s->skip[s->nskip++] = phys_page(buf + len);
	for (i = 0; i < PAIRS; i++)
		for (j = 0; j < SECRETS; j++) {
			const uint8_t *p;
			size_t n;

			secret_span(&keys[i], j, &p, &n);
			search_add(s, p, n);
		}
	clobber_registers();

	/* A: three exchanges, a rekey after each: epoch 3 on both ends. */
	ASSERT_EQ(exchanges(fd[0][0], fd[0][1], 3), 0);
	ASSERT_EQ(sdrp_get_info(fd[0][1], &info), 0);
	ASSERT_GE(info.epoch, 2);
	/* C: the control, live. */
	ASSERT_EQ(exchanges(fd[2][0], fd[2][1], 1), 0);
	ASSERT_EQ(exchanges(fd[1][0], fd[1][1], 3), 0);
	/*
	 * The last steps on the other CPU, and right before the search: a
	 * copy freed there without wiping stays on that CPU's free list,
	 * where little takes (and overwrites) it while this CPU searches.
	 * D: keys set, nothing else.  B: both ends close and are released.
	 */
	pin_to_cpu(1);
	set_pair_keys(_metadata, fd[3], &keys[3], 10);
	close(fd[1][0]);
	close(fd[1][1]);
	ASSERT_EQ(sdrp_stat_wait("SdrpCurrSessions", 6, 10000), 6);
	pin_to_cpu(0);
	clobber_registers();

	ASSERT_EQ(search_kcore(s, buf), 0);
	ksft_print_msg("searched %llu MiB of RAM\n",
		       (unsigned long long)(s->bytes >> 20));
	for (i = 0; i < PAIRS; i++)
		for (j = 0; j < SECRETS; j++) {
			unsigned int n = i * SECRETS + j;
			bool live = i >= 2 && j != 2 && j != 5;

			if (s->hits[n])
				ksft_print_msg("session %c %s: %lu copies, at %#llx %#llx ...\n",
					       'A' + i, secret_names[j],
					       s->hits[n],
					       (unsigned long long)s->at[n][0],
					       (unsigned long long)s->at[n][1]);
			if (!live)
				EXPECT_EQ(s->hits[n], 0);
		}
	/* The controls: both ends of C and D hold their AES keys. */
	for (i = 2; i < PAIRS; i++) {
		EXPECT_GE(s->hits[i * SECRETS + 0], 2);
		EXPECT_GE(s->hits[i * SECRETS + 3], 2);
	}

	/* Never in the kernel log, the counters or SDRP_INFO. */
	len = read_all("/dev/kmsg", text, 1 << 20);
	for (i = 0; i < PAIRS; i++)
		EXPECT_FALSE(leaks_into(&keys[i], text, len));
	len = read_all(SDRP_STAT_FILE, text, 1 << 20);
	ASSERT_GT(len, 0);
	for (i = 0; i < PAIRS; i++)
		EXPECT_FALSE(leaks_into(&keys[i], text, len));
	for (i = 0; i < PAIRS; i++) {
		if (i == 1)
			continue;	/* B is closed */
		ASSERT_EQ(sdrp_get_info(fd[i][0], &info), 0);
		EXPECT_FALSE(leaks_into(&keys[i], (char *)&info,
					sizeof(info)));
	}
	/* The session dump: A, C and D, both ends of each, are listed. */
	len = read_cmd("sdrpctl sessions 2>&1", text, 1 << 20);
	EXPECT_EQ(count_lines(text, len, "127.0.0.1:"), 6)
		TH_LOG("sdrpctl sessions:\n%.*s", (int)len, text);
	for (i = 0; i < PAIRS; i++)
		EXPECT_FALSE(leaks_into(&keys[i], text, len));

	for (i = 0; i < PAIRS; i++) {
		if (i == 1)
			continue;
		close(fd[i][0]);
		close(fd[i][1]);
	}
	explicit_bzero(keys, PAGE);
	munmap(keys, PAGE);
	munmap(buf, CHUNK);
	free(s);
	free(text);
	EXPECT_EQ(sdrp_stat_wait("SdrpCurrSessions", 0, 10000), 0);
}

TEST_HARNESS_MAIN
