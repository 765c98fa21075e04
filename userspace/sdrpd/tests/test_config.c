// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * The configuration parser and loader: a good file, each parse error with
 * its line, and each loading error (secret files readable by others,
 * missing files, a certificate for another key or by another CA).
 */
#include "tap.h"

static const char good[] =
	"# sdrpd test configuration\n"
	"[identity]\n"
	"name = server.example\n"
	"private-key = server.key\n"
	"certificate = server.crt\n"
	"ca-certificate = ca.crt\n"
	"\n"
	"[handshake]\n"
	"rekey-interval = 5\n"
	"workers = 3\n"
	"replay-cache = 1024\n"
	"\n"
	"; two peers\n"
	"[peer collectors]\n"
	"s0-file = a.s0\n"
	"identities = client.example, collector-2\n"
	"[peer backup]\n"
	"s0-file = b.s0\n"
	"identities = backup.example\n";

static void test_good(struct fx *f)
{
	struct sdrpd_config *c = fx_load(f, "good.conf", good);
	const struct sdrpd_peer *p;
	uint8_t a[SDRP_S0_LEN];

	IS(strcmp(c->identity, "server.example"), 0, "good: identity");
	OK(strstr(c->key_file, f->dir) == c->key_file,
	   "good: relative file names resolve against the file's directory");
	IS(c->rekey_interval, 5, "good: rekey-interval");
	IS(c->workers, 3, "good: workers");
	IS(c->replay_max, 1024, "good: replay-cache");
	IS(c->n_peers, 2, "good: two peers");
	p = sdrpd_config_peer(c, "collector-2");
	OK(p && !strcmp(p->name, "collectors") && p->n_identities == 2,
	   "good: identities list (comma and space separated)");
	sdrp_s0_parse(S0_A, strlen(S0_A), a);
	OK(p && !memcmp(p->s0, a, SDRP_S0_LEN), "good: s0 loaded");
	OK(c->psks && c->psks[1].n_identities == 1 &&
	   !strcmp(c->psks[1].identities[0], "backup.example"),
	   "good: psks for the server handshake");
	OK(c->key && c->cert && c->ca, "good: credentials loaded");
	OK(sdrpd_config_peer(c, "nobody") == NULL, "good: unknown identity");
	OK(sdrpd_config_get(c) == c, "good: reference");
	sdrpd_config_put(c);
	sdrpd_config_put(c);
}

/* Parse @text; the error must mention @want and line @line (0: any). */
static void parse_error_len(const char *name, const char *text, size_t len,
			    const char *want, unsigned int line)
{
	struct sdrpd_config *c = NULL;
	char *err = NULL, at[32] = "";
	int rc;

	rc = sdrpd_config_parse(text, len, "t.conf", &c, &err);
	if (line)
		snprintf(at, sizeof(at), "t.conf:%u:", line);
	if (!tap_ok(rc == -EINVAL && !c && err && strstr(err, want) &&
		    strstr(err, at), "parse error: %s", name))
		printf("# rc %d, message: %s\n", rc, err ? err : "(none)");
	free(err);
}

static void parse_error(const char *name, const char *text, const char *want,
			unsigned int line)
{
	parse_error_len(name, text, strlen(text), want, line);
}

#define ID "[identity]\nname = a\nprivate-key = k\ncertificate = c\nca-certificate = ca\n"
#define PEER "[peer p]\ns0-file = s\nidentities = x\n"

static void test_parse_errors(void)
{
	parse_error("unknown section", ID PEER "[bogus]\n", "unknown section",
		    9);
	parse_error("unknown key", ID "colour = blue\n" PEER, "unknown key",
		    6);
	parse_error("key outside a section", "name = a\n" ID PEER,
		    "outside of any section", 1);
	parse_error("key given twice", ID "name = b\n" PEER, "given twice", 6);
	parse_error("section given twice", ID "[identity]\n" PEER,
		    "section [identity] given twice", 6);
	parse_error("peer given twice", ID PEER "[peer p]\n", "given twice", 9);
	parse_error("not a number", ID "[handshake]\nworkers = many\n" PEER,
		    "not a number", 7);
	parse_error("number out of range",
		    ID "[handshake]\nworkers = 1000\n" PEER, "not in 1..64", 7);
	parse_error("rekey-interval out of range",
		    ID "[handshake]\nrekey-interval = 99999999999\n" PEER,
		    "not in 0..4294967295", 7);
	parse_error("invalid identity",
		    "[identity]\nname = bad\x01name\n", "not a valid identity",
		    2);
	parse_error("invalid peer identity",
		    ID "[peer p]\ns0-file = s\nidentities = ok caf\xc3\xa9\n",
		    "not a valid identity", 8);
	parse_error("identity in two peers",
		    ID PEER "[peer q]\ns0-file = t\nidentities = x\n",
		    "already listed for peer \"p\"", 11);
	parse_error("peer without s0-file",
		    ID "[peer p]\nidentities = x\n[peer q]\n",
		    "no s0-file", 8);
	parse_error("peer without identities", ID "[peer p]\ns0-file = s\n",
		    "no identities", 8);
	parse_error("empty value", ID "[peer p]\ns0-file =\n", "empty value",
		    7);
	parse_error("malformed section header", ID "[peer p\n",
		    "malformed section header", 6);
	parse_error("line without =", ID "just words\n", "expected", 6);
	parse_error("missing identity keys",
		    "[identity]\nname = a\n" PEER, "[identity] needs", 0);
	parse_error("no peer", ID, "no [peer NAME] section", 0);
	parse_error_len("NUL byte", "[identity]\nname = a\0b\n", 20,
			"NUL byte", 2);
}

/* Load a configuration and expect @want_rc and a message with @want. */
static void load_error(struct fx *f, const char *name, const char *text,
		       int want_rc, const char *want)
{
	struct sdrpd_config *c = NULL;
	char path[600], *err = NULL;
	int rc;

	fx_write(f, "bad.conf", text, 0644);
	fx_path(f, "bad.conf", path, sizeof(path));
	rc = sdrpd_config_load(path, &c, &err);
	if (!tap_ok(rc == want_rc && !c && err && strstr(err, want),
		    "load error: %s", name))
		printf("# rc %d (want %d), message: %s\n", rc, want_rc,
		       err ? err : "(none)");
	free(err);
}

static char *with(const char *key_file, const char *cert, const char *s0)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
		 "[identity]\nname = client.example\nprivate-key = %s\n"
		 "certificate = %s\nca-certificate = ca.crt\n"
		 "[peer s]\ns0-file = %s\nidentities = server.example\n",
		 key_file, cert, s0);
	return buf;
}

static void test_load_errors(struct fx *f)
{
	char path[600];

	fx_save_key(f, test_key_client_pem, "group.key");
	fx_path(f, "group.key", path, sizeof(path));
	chmod(path, 0640);
	load_error(f, "private key readable by group",
		   with("group.key", "client.crt", "a.s0"), -EACCES,
		   "readable by group or others: refused");
	fx_write(f, "world.s0", S0_A, 0644);
	load_error(f, "s0 file readable by others",
		   with("client.key", "client.crt", "world.s0"), -EACCES,
		   "s0 file");
	load_error(f, "missing private key",
		   with("none.key", "client.crt", "a.s0"), -ENOENT,
		   "No such file");
	load_error(f, "missing s0 file",
		   with("client.key", "client.crt", "none.s0"), -ENOENT,
		   "none.s0");
	fx_write(f, "short.s0", "0011\n", 0600);
	load_error(f, "bad s0 contents",
		   with("client.key", "client.crt", "short.s0"), -EINVAL,
		   "not 64 hex digits");
	load_error(f, "certificate of another key",
		   with("client.key", "server.crt", "a.s0"), -EINVAL,
		   "does not certify");
	load_error(f, "certificate by another CA",
		   with("client.key", "rogue.crt", "a.s0"), -EKEYREJECTED,
		   "unknown-ca");
	load_error(f, "certificate for another identity",
		   "[identity]\nname = other.example\nprivate-key = client.key\n"
		   "certificate = client.crt\nca-certificate = ca.crt\n"
		   "[peer s]\ns0-file = a.s0\nidentities = server.example\n",
		   -EKEYREJECTED, "identity");
	fx_write(f, "garbage.crt", "not a certificate\n", 0644);
	load_error(f, "CA file not a certificate",
		   "[identity]\nname = client.example\nprivate-key = client.key\n"
		   "certificate = client.crt\nca-certificate = garbage.crt\n"
		   "[peer s]\ns0-file = a.s0\nidentities = server.example\n",
		   -EPROTO, "CA certificate");
	fx_path(f, "absent.conf", path, sizeof(path));
	{
		struct sdrpd_config *c;
		char *err = NULL;
		int rc = sdrpd_config_load(path, &c, &err);

		OK(rc == -ENOENT && err && strstr(err, "absent.conf"),
		   "load error: missing configuration file");
		free(err);
	}
}

static void test_reload(struct fx *f)
{
	struct sdrpd_config *cur, *held;
	char path[600];

	cur = fx_load(f, "r.conf", good);
	held = sdrpd_config_get(cur);	/* a handshake in progress */
	fx_path(f, "r.conf", path, sizeof(path));
	fx_write(f, "r.conf", "[identity]\nname = broken\n", 0644);
	OK(sdrpd_config_reload(&cur, path) == -EINVAL && cur == held &&
	   cur->rekey_interval == 5,
	   "reload: an invalid file keeps the running configuration");
	fx_write(f, "r.conf", good, 0644);
	fx_write(f, "b.s0", S0_B, 0644);
	OK(sdrpd_config_reload(&cur, path) == -EACCES && cur == held,
	   "reload: a secret file readable by others keeps it too");
	fx_write(f, "b.s0", S0_B, 0600);
	OK(sdrpd_config_reload(&cur, path) == 0 && cur != held &&
	   cur->n_peers == 2,
	   "reload: a valid file replaces it");
	OK(held->identity && !strcmp(held->identity, "server.example"),
	   "reload: a handshake in progress keeps the old one until done");
	sdrpd_config_put(held);
	sdrpd_config_put(cur);
}

int main(void)
{
	struct fx f;

	fx_setup(&f);
	test_good(&f);
	test_reload(&f);
	test_parse_errors();
	test_load_errors(&f);
	fx_teardown(&f);
	return tap_done();
}
