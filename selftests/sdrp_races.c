// SPDX-License-Identifier: GPL-2.0
/*
 * Teardown races: sessions end while other threads, the module's work
 * items, timers and rekeys are busy with them.  Kernel client and kernel
 * server on loopback with directly-set keys (SDRP_KEYS), many iterations
 * per test, each bounded in time.  None may oops, leak or hang: every
 * blocked call returns within its bound, every session is released
 * (SdrpCurrSessions back to 0), and the console scanner and check-debug's
 * KASAN/kmemleak/lockdep see the rest.
 *
 *   close_during_exchanges  close() of one end at a random moment while
 *                           both ends' threads send and receive
 *   close_during_rekey      the same with a rekey after every response
 *   shutdown_wakes_recv     shutdown() from another thread wakes a recv()
 *                           blocked on the session
 *   netns_exit              a process with live sessions in its own
 *                           network namespace is killed: the namespace
 *                           goes away with them
 *   rmmod_under_load        delete_module() while sessions run: refused
 *                           (EBUSY / EWOULDBLOCK) or clean, never an oops
 */
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "sdrp_test.h"

/* Each race test runs for about this long. */
#define RACE_MS		2500
/* No blocked call may outlast this. */
#define CALL_BOUND_S	5

static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 +
	       (now.tv_nsec - start->tv_nsec) / 1000000;
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * A connected, keyed pair in the caller's namespace: *client, *server.
 * Calls on both are bounded by CALL_BOUND_S.  0 or -errno.
 */
static int keyed_pair(int lfd, unsigned int rekey_interval, int *client,
		      int *server)
{
	struct timeval tv = { .tv_sec = CALL_BOUND_S };
	struct sdrp_params p = {
		.rekey_interval = rekey_interval,
		.recv_timeout_ms = 2000,
		.close_timeout_ms = 300,
	};
	struct sockaddr_storage addr;
	socklen_t len = sizeof(addr);
	struct sdrp_keys keys;
	int fds[2] = { -1, -1 }, i, err = 0;

	*client = -1;
	*server = -1;
	if (getsockname(lfd, (struct sockaddr *)&addr, &len))
		return -errno;
	fds[0] = socket(addr.ss_family, SOCK_STREAM, 0);
	*client = fds[0];
	if (fds[0] < 0 || connect(fds[0], (struct sockaddr *)&addr, len))
		return -errno;
	fds[1] = accept(lfd, NULL, NULL);
	*server = fds[1];
	if (fds[1] < 0)
		return -errno;
	sdrp_random_keys(&keys);
	for (i = 0; i < 2 && !err; i++) {
		if (setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv,
			       sizeof(tv)) ||
		    setsockopt(fds[i], SOL_SOCKET, SO_SNDTIMEO, &tv,
			       sizeof(tv)) ||
		    sdrp_attach(fds[i]) || sdrp_set_params(fds[i], &p) ||
		    sdrp_set_keys(fds[i], &keys, i ? SDRP_ROLE_SERVER :
						     SDRP_ROLE_CLIENT))
			err = -errno;
	}
	memset(&keys, 0, sizeof(keys));
	return err;
}

static int loopback_listener(void)
{
	struct sockaddr_storage addr;
	socklen_t len;
	int lfd;

	if (sdrp_netns_loopback())
		return -1;
	len = sdrp_loopback_addr(AF_INET, &addr);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, len) ||
	    listen(lfd, 64))
		return -1;
	return lfd;
}

/* One end's application: exchanges until its session or socket ends. */
struct end {
	int fd;
	int role;
	int err;		/* errno that ended it, 0 for end of file */
	unsigned int done;	/* exchanges completed */
};

static void *end_main(void *arg)
{
	struct end *e = arg;
	unsigned char buf[2048];
	ssize_t n;
	int eor;

	for (e->done = 0;; e->done++) {
		size_t len = (e->done * 97) % sizeof(buf);

		if (e->role == SDRP_ROLE_CLIENT &&
		    send(e->fd, buf, len, MSG_NOSIGNAL) < 0)
			break;
		n = sdrp_recv(e->fd, buf, sizeof(buf), 0, &eor);
		if (n < 0)
			break;
		if (n == 0 && !eor) {
			e->err = 0;
			return NULL;
		}
		if (e->role == SDRP_ROLE_SERVER &&
		    send(e->fd, buf, len, MSG_NOSIGNAL) < 0)
			break;
	}
	e->err = errno;
	return NULL;
}

/* One recv() and nothing else: how a blocked call ends. */
static void *recv_main(void *arg)
{
	struct end *e = arg;
	char buf[16];
	int eor;

	e->err = sdrp_recv(e->fd, buf, sizeof(buf), 0, &eor) < 0 ? errno : 0;
	return NULL;
}

FIXTURE(race) {
	int lfd;
	uint64_t rng;
};

FIXTURE_VARIANT(race) {
	int closer;		/* the role whose socket is closed */
};

FIXTURE_VARIANT_ADD(race, close_client) {
	.closer = SDRP_ROLE_CLIENT,
};

FIXTURE_VARIANT_ADD(race, close_server) {
	.closer = SDRP_ROLE_SERVER,
};

FIXTURE_SETUP(race)
{
	self->lfd = loopback_listener();
	ASSERT_GE(self->lfd, 0);
	self->rng = (uint64_t)time(NULL) * 2654435761u | 1;
	ksft_print_msg("rng start %llu\n", (unsigned long long)self->rng);
}

FIXTURE_TEARDOWN(race)
{
	close(self->lfd);
	EXPECT_EQ(sdrp_stat_wait("SdrpCurrSessions", 0, 10000), 0);
}

/*
 * Both ends exchange in threads of their own; the main thread closes
 * one end after a random delay.  The closed end's thread holds the file
 * until its call returns, so the release races the other end's CLOSE,
 * the work items and the timers.  Every thread must come back: EAGAIN
 * would mean a call slept through its whole bound.
 */
static void close_races(struct __test_metadata *_metadata,
			FIXTURE_DATA(race) *self, int closer,
			unsigned int rekey_interval)
{
	unsigned int iterations = 0, exchanges = 0, stalls = 0;
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (elapsed_ms(&start) < RACE_MS) {
		struct end c = { .role = SDRP_ROLE_CLIENT };
		struct end s = { .role = SDRP_ROLE_SERVER };
		struct end *victim = closer == SDRP_ROLE_CLIENT ? &c : &s;
		struct end *other = victim == &c ? &s : &c;
		pthread_t tc, ts;

		ASSERT_EQ(keyed_pair(self->lfd, rekey_interval, &c.fd, &s.fd),
			  0);
		ASSERT_EQ(pthread_create(&tc, NULL, end_main, &c), 0);
		ASSERT_EQ(pthread_create(&ts, NULL, end_main, &s), 0);
		sdrp_sleep_ms(rng_next(&self->rng) % 20);
		close(victim->fd);
		/* the other end learns of it through CLOSE, then closes */
		pthread_join(victim == &c ? tc : ts, NULL);
		pthread_join(victim == &c ? ts : tc, NULL);
		close(other->fd);
		stalls += c.err == EAGAIN || s.err == EAGAIN;
		exchanges += c.done;
		iterations++;
	}
	ksft_print_msg("%u sessions closed mid-flight, %u exchanges\n",
		       iterations, exchanges);
	EXPECT_EQ(stalls, 0);
	EXPECT_GT(iterations, 10);
}

TEST_F_TIMEOUT(race, close_during_exchanges, 60)
{
	close_races(_metadata, self, variant->closer, 10);
}

TEST_F_TIMEOUT(race, close_during_rekey, 60)
{
	unsigned int rekeys_before = sdrp_stat("SdrpRekeys");

	close_races(_metadata, self, variant->closer, 1);
	/*
	 * a rekey after every response: the closes met rekeys under way
	 * (how many depends on the machine: a debug kernel manages ~10)
	 */
	EXPECT_GT(sdrp_stat("SdrpRekeys") - rekeys_before, 0);
}

/*
 * A recv() blocked on the session is woken by shutdown() from another
 * thread: the local close runs the CLOSE exchange and the call returns
 * with EPIPE (or end of file if the peer's CLOSE overtook ours).
 */
TEST_F_TIMEOUT(race, shutdown_wakes_recv, 60)
{
	unsigned int iterations = 0, late = 0;
	struct timespec start, t0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (elapsed_ms(&start) < RACE_MS / 2) {
		struct end c = { .role = SDRP_ROLE_CLIENT };
		struct end s = { .role = SDRP_ROLE_SERVER };
		struct end *victim = variant->closer == SDRP_ROLE_CLIENT ?
				     &c : &s;
		pthread_t th;

		ASSERT_EQ(keyed_pair(self->lfd, 10, &c.fd, &s.fd), 0);
		/* the client waits for a response that will not come */
		if (victim == &c)
			ASSERT_EQ(send(c.fd, "q", 1, 0), 1);
		victim->err = -1;
		ASSERT_EQ(pthread_create(&th, NULL, recv_main, victim), 0);
		sdrp_sleep_ms(rng_next(&self->rng) % 10);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ASSERT_EQ(shutdown(victim->fd, SHUT_RDWR), 0);
		pthread_join(th, NULL);
		late += elapsed_ms(&t0) > 2000;
		EXPECT_TRUE(victim->err == EPIPE || victim->err == 0 ||
			    victim->err == ECONNRESET)
			TH_LOG("recv after shutdown: %s",
			       strerror(victim->err));
		close(c.fd);
		close(s.fd);
		iterations++;
	}
	ksft_print_msg("%u blocked calls woken\n", iterations);
	EXPECT_EQ(late, 0);
}

/*
 * A child in a network namespace of its own runs sessions in threads and
 * is killed mid-flight; its sockets, and then the namespace, go away
 * under the module's feet.  The module must stay usable.
 */
static void netns_child(unsigned int sessions)
{
	struct end ends[2 * 16];
	pthread_t th[2 * 16];
	unsigned int i;
	int lfd = loopback_listener();

	if (lfd < 0)
		_exit(1);
	for (i = 0; i < sessions; i++) {
		ends[2 * i] = (struct end){ .role = SDRP_ROLE_CLIENT };
		ends[2 * i + 1] = (struct end){ .role = SDRP_ROLE_SERVER };
		if (keyed_pair(lfd, 1 + i % 3, &ends[2 * i].fd,
			       &ends[2 * i + 1].fd))
			_exit(1);
		pthread_create(&th[2 * i], NULL, end_main, &ends[2 * i]);
		pthread_create(&th[2 * i + 1], NULL, end_main,
			       &ends[2 * i + 1]);
	}
	/* the parent kills us while the exchanges run */
	pause();
	_exit(0);
}

TEST(netns_exit)
{
	uint64_t rng = (uint64_t)time(NULL) | 1;
	unsigned int iterations = 0;
	struct timespec start;
	int status, fd, srv, lfd = loopback_listener();

	ASSERT_GE(lfd, 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (elapsed_ms(&start) < RACE_MS) {
		pid_t pid = fork();

		ASSERT_GE(pid, 0);
		if (!pid)
			netns_child(1 + iterations % 16);
		sdrp_sleep_ms(20 + rng_next(&rng) % 60);
		ASSERT_EQ(kill(pid, SIGKILL), 0);
		ASSERT_EQ(waitpid(pid, &status, 0), pid);
		EXPECT_TRUE(WIFSIGNALED(status));
		iterations++;
	}
	ksft_print_msg("%u namespaces killed with live sessions\n",
		       iterations);
	/* still works here */
	ASSERT_EQ(keyed_pair(lfd, 10, &fd, &srv), 0);
	ASSERT_EQ(send(fd, "q", 1, 0), 1);
	EXPECT_EQ(recv(srv, &status, sizeof(status), 0), 1);
	close(fd);
	close(srv);
	close(lfd);
	EXPECT_EQ(sdrp_stat_wait("SdrpCurrSessions", 0, 10000), 0);
}

static long delete_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK);
}

/*
 * rmmod while sessions come and go in a child: every attempt either
 * fails with EBUSY / EWOULDBLOCK (a socket pins the module) or unloads a
 * module nobody uses; the next attach loads it again.
 */
TEST(rmmod_under_load)
{
	unsigned int refused = 0, unloaded = 0, other = 0;
	uint64_t rng = (uint64_t)time(NULL) | 1;
	int status, fd, srv, lfd;
	struct timespec start;
	pid_t pid;

	if (access("/sys/module/sdrp", F_OK))
		SKIP(return, "sdrp is not a loaded module here");
	lfd = loopback_listener();
	ASSERT_GE(lfd, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		/* sessions in a loop, so that the module is loaded again */
		clock_gettime(CLOCK_MONOTONIC, &start);
		while (elapsed_ms(&start) < RACE_MS) {
			struct end c = { .role = SDRP_ROLE_CLIENT };
			struct end s = { .role = SDRP_ROLE_SERVER };
			pthread_t tc, ts;

			if (keyed_pair(lfd, 2, &c.fd, &s.fd)) {
				/* unloaded between attach and keys */
				if (c.fd >= 0)
					close(c.fd);
				if (s.fd >= 0)
					close(s.fd);
				continue;
			}
			pthread_create(&tc, NULL, end_main, &c);
			pthread_create(&ts, NULL, end_main, &s);
			sdrp_sleep_ms(5);
			close(c.fd);
			pthread_join(tc, NULL);
			pthread_join(ts, NULL);
			close(s.fd);
		}
		_exit(0);
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (elapsed_ms(&start) < RACE_MS) {
		if (!delete_module("sdrp"))
			unloaded++;
		else if (errno == EBUSY || errno == EWOULDBLOCK)
			refused++;
		else if (errno != ENOENT)	/* not loaded right now */
			other++;
		sdrp_sleep_ms(rng_next(&rng) % 5);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	ksft_print_msg("rmmod: %u refused, %u unloaded, %u other errors\n",
		       refused, unloaded, other);
	EXPECT_EQ(other, 0);
	EXPECT_GT(refused + unloaded, 0);
	/* the module comes back on the next attach and works */
	ASSERT_EQ(keyed_pair(lfd, 10, &fd, &srv), 0);
	ASSERT_EQ(send(fd, "q", 1, 0), 1);
	EXPECT_EQ(recv(srv, &status, sizeof(status), 0), 1);
	close(fd);
	close(srv);
	close(lfd);
	EXPECT_EQ(sdrp_stat_wait("SdrpCurrSessions", 0, 10000), 0);
}

TEST_HARNESS_MAIN
