// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * The configuration file (sdrpd.conf(5)): INI sections
 *
 *   [identity]    name, private-key, certificate, ca-certificate
 *   [handshake]   rekey-interval, workers, replay-cache
 *   [peer NAME]   s0-file, identities
 *
 * Parsing (sdrpd_config_parse) only reads text, so that tests can drive
 * every error; loading (sdrpd_config_load) then opens what the text names.
 * Relative file names are relative to the configuration file's directory.
 * A loaded configuration is immutable and reference counted: SIGHUP loads
 * a new one and swaps it in only if it loaded completely.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sdrpd.h"

#define CONFIG_MAX_SIZE		(1 << 20)

enum section { SEC_NONE, SEC_IDENTITY, SEC_HANDSHAKE, SEC_PEER };

struct parser {
	struct sdrpd_config *c;
	const char *path;
	unsigned int line;
	char **errmsg;
	enum section sec;
	struct sdrpd_peer *peer;	/* current [peer] */
	unsigned int seen;		/* keys seen in the current section */
};

__attribute__((format(printf, 3, 4)))
static int fail(char **errmsg, int rc, const char *fmt, ...)
{
	va_list ap;

	if (errmsg) {
		free(*errmsg);
		*errmsg = NULL;
		va_start(ap, fmt);
		if (vasprintf(errmsg, fmt, ap) < 0)
			*errmsg = NULL;
		va_end(ap);
	}
	return rc;
}

#define parse_fail(p, fmt, ...) \
	fail((p)->errmsg, -EINVAL, "%s:%u: " fmt, (p)->path, (p)->line, \
	     ##__VA_ARGS__)

static void peer_clear(struct sdrpd_peer *peer)
{
	size_t i;

	free(peer->name);
	free(peer->s0_file);
	for (i = 0; i < peer->n_identities; i++)
		free(peer->identities[i]);
	free(peer->identities);
	sdrp_wipe(peer->s0, sizeof(peer->s0));
}

static void config_free(struct sdrpd_config *c)
{
	size_t i;

	for (i = 0; i < c->n_peers; i++) {
		peer_clear(&c->peers[i]);
		if (c->psks)
			sdrp_wipe(c->psks[i].s0, sizeof(c->psks[i].s0));
	}
	free(c->peers);
	free(c->psks);
	free(c->path);
	free(c->identity);
	free(c->key_file);
	free(c->cert_file);
	free(c->ca_file);
	sdrp_privkey_free(c->key);
	sdrp_cert_free(c->cert);
	sdrp_cert_free(c->ca);
	free(c);
}

struct sdrpd_config *sdrpd_config_get(struct sdrpd_config *c)
{
	__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
	return c;
}

void sdrpd_config_put(struct sdrpd_config *c)
{
	if (c && __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0)
		config_free(c);
}

const struct sdrpd_peer *sdrpd_config_peer(const struct sdrpd_config *c,
					   const char *identity)
{
	size_t i, j;

	for (i = 0; i < c->n_peers; i++)
		for (j = 0; j < c->peers[i].n_identities; j++)
			if (!strcmp(c->peers[i].identities[j], identity))
				return &c->peers[i];
	return NULL;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* A file name relative to the configuration's directory. */
static char *resolve(const char *base, const char *name)
{
	const char *slash = strrchr(base, '/');
	char *out;

	if (name[0] == '/' || !slash)
		return strdup(name);
	if (asprintf(&out, "%.*s/%s", (int)(slash - base), base, name) < 0)
		return NULL;
	return out;
}

static int set_string(struct parser *p, char **dst, const char *val,
		      bool is_file)
{
	if (!*val)
		return parse_fail(p, "empty value");
	*dst = is_file ? resolve(p->path, val) : strdup(val);
	return *dst ? 0 : -ENOMEM;
}

static int set_number(struct parser *p, const char *key, const char *val,
		      unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)val[0]))
		return parse_fail(p, "%s: not a number: \"%s\"", key, val);
	v = strtoul(val, &end, 10);
	if (errno || *end || v < min || v > max)
		return parse_fail(p, "%s: \"%s\" is not in %lu..%lu", key, val,
				  min, max);
	*out = v;
	return 0;
}

static int add_identities(struct parser *p, const char *val)
{
	struct sdrpd_peer *peer = p->peer;
	char *copy, *tok, *save = NULL;
	char **grown;
	int rc = 0;

	copy = strdup(val);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, " \t,", &save); tok;
	     tok = strtok_r(NULL, " \t,", &save)) {
		if (!sdrp_identity_valid(tok)) {
			rc = parse_fail(p, "identities: \"%s\" is not a valid identity (1..255 printable ASCII characters, no space)",
					tok);
			break;
		}
		if (sdrpd_config_peer(p->c, tok)) {
			rc = parse_fail(p, "identities: \"%s\" is already listed for peer \"%s\"",
					tok, sdrpd_config_peer(p->c, tok)->name);
			break;
		}
		grown = realloc(peer->identities,
				(peer->n_identities + 1) * sizeof(*grown));
		if (!grown) {
			rc = -ENOMEM;
			break;
		}
		peer->identities = grown;
		peer->identities[peer->n_identities] = strdup(tok);
		if (!peer->identities[peer->n_identities]) {
			rc = -ENOMEM;
			break;
		}
		peer->n_identities++;
	}
	free(copy);
	if (!rc && !peer->n_identities)
		rc = parse_fail(p, "identities: empty list");
	return rc;
}

/* Keys of each section, with their bit in parser.seen. */
struct key_def {
	enum section sec;
	const char *name;
};

static const struct key_def keys[] = {
	{ SEC_IDENTITY, "name" },
	{ SEC_IDENTITY, "private-key" },
	{ SEC_IDENTITY, "certificate" },
	{ SEC_IDENTITY, "ca-certificate" },
	{ SEC_HANDSHAKE, "rekey-interval" },
	{ SEC_HANDSHAKE, "workers" },
	{ SEC_HANDSHAKE, "replay-cache" },
	{ SEC_PEER, "s0-file" },
	{ SEC_PEER, "identities" },
};

static int set_key(struct parser *p, const char *key, const char *val)
{
	struct sdrpd_config *c = p->c;
	unsigned long v;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].sec == p->sec && !strcmp(keys[i].name, key))
			break;
	if (p->sec == SEC_NONE)
		return parse_fail(p, "\"%s\" outside of any section", key);
	if (i == sizeof(keys) / sizeof(keys[0]))
		return parse_fail(p, "unknown key \"%s\" in this section", key);
	if (p->seen & (1u << i))
		return parse_fail(p, "\"%s\" given twice", key);
	p->seen |= 1u << i;

	if (!strcmp(key, "name")) {
		if (!sdrp_identity_valid(val))
			return parse_fail(p, "name: \"%s\" is not a valid identity",
					  val);
		return set_string(p, &c->identity, val, false);
	}
	if (!strcmp(key, "private-key"))
		return set_string(p, &c->key_file, val, true);
	if (!strcmp(key, "certificate"))
		return set_string(p, &c->cert_file, val, true);
	if (!strcmp(key, "ca-certificate"))
		return set_string(p, &c->ca_file, val, true);
	if (!strcmp(key, "rekey-interval")) {
		rc = set_number(p, key, val, 0, UINT32_MAX, &v);
		c->rekey_interval = (uint32_t)v;
		return rc;
	}
	if (!strcmp(key, "workers")) {
		rc = set_number(p, key, val, 1, SDRPD_MAX_WORKERS, &v);
		c->workers = (unsigned int)v;
		return rc;
	}
	if (!strcmp(key, "replay-cache")) {
		rc = set_number(p, key, val, 16, 1ul << 24, &v);
		c->replay_max = v;
		return rc;
	}
	if (!strcmp(key, "s0-file"))
		return set_string(p, &p->peer->s0_file, val, true);
	return add_identities(p, val);
}

/* The section just closed has everything it needs. */
static int section_end(struct parser *p)
{
	if (p->sec == SEC_PEER) {
		if (!p->peer->s0_file)
			return parse_fail(p, "peer \"%s\": no s0-file",
					  p->peer->name);
		if (!p->peer->n_identities)
			return parse_fail(p, "peer \"%s\": no identities",
					  p->peer->name);
	}
	return 0;
}

static int section_start(struct parser *p, char *name)
{
	struct sdrpd_config *c = p->c;
	struct sdrpd_peer *grown;
	size_t i;

	p->seen = 0;
	p->peer = NULL;
	if (!strcmp(name, "identity") || !strcmp(name, "handshake")) {
		p->sec = name[0] == 'i' ? SEC_IDENTITY : SEC_HANDSHAKE;
		return 0;
	}
	if (strncmp(name, "peer", 4) || !isspace((unsigned char)name[4]))
		return parse_fail(p, "unknown section [%s]", name);
	name = trim(name + 4);
	if (!sdrp_identity_valid(name))
		return parse_fail(p, "[peer %s]: the name must be 1..255 printable ASCII characters",
				  name);
	for (i = 0; i < c->n_peers; i++)
		if (!strcmp(c->peers[i].name, name))
			return parse_fail(p, "[peer %s] given twice", name);
	grown = realloc(c->peers, (c->n_peers + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	c->peers = grown;
	p->peer = &c->peers[c->n_peers];
	memset(p->peer, 0, sizeof(*p->peer));
	p->peer->name = strdup(name);
	if (!p->peer->name)
		return -ENOMEM;
	c->n_peers++;
	p->sec = SEC_PEER;
	return 0;
}

int sdrpd_config_parse(const char *text, size_t len, const char *path,
		       struct sdrpd_config **out, char **errmsg)
{
	unsigned int sections_seen = 0;
	struct parser p = { .path = path, .errmsg = errmsg };
	const char *pos = text, *end = text + len;
	char *line = NULL, *s, *eq;
	int rc = 0;

	*out = NULL;
	p.c = calloc(1, sizeof(*p.c));
	if (!p.c)
		return -ENOMEM;
	p.c->refs = 1;
	p.c->workers = SDRPD_DEFAULT_WORKERS;
	p.c->replay_max = SDRPD_DEFAULT_REPLAY_MAX;
	p.c->path = strdup(path);
	if (!p.c->path) {
		rc = -ENOMEM;
		goto out;
	}
	while (pos < end) {
		const char *nl = memchr(pos, '\n', (size_t)(end - pos));
		size_t n = nl ? (size_t)(nl - pos) : (size_t)(end - pos);

		p.line++;
		free(line);
		line = strndup(pos, n);
		if (!line) {
			rc = -ENOMEM;
			goto out;
		}
		if (strlen(line) != n) {
			rc = parse_fail(&p, "NUL byte in the file");
			goto out;
		}
		pos += n + (nl ? 1 : 0);
		s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');
			unsigned int bit;

			if (!close || *trim(close + 1)) {
				rc = parse_fail(&p, "malformed section header");
				goto out;
			}
			*close = '\0';
			rc = section_end(&p);
			if (!rc)
				rc = section_start(&p, trim(s + 1));
			if (rc)
				goto out;
			bit = p.sec == SEC_PEER ? 0 : 1u << p.sec;
			if (sections_seen & bit) {
				rc = parse_fail(&p, "section [%s] given twice",
						trim(s + 1));
				goto out;
			}
			sections_seen |= bit;
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			rc = parse_fail(&p, "expected \"key = value\" or \"[section]\"");
			goto out;
		}
		*eq = '\0';
		rc = set_key(&p, trim(s), trim(eq + 1));
		if (rc)
			goto out;
	}
	p.line++;
	rc = section_end(&p);
	if (rc)
		goto out;
	if (!p.c->identity || !p.c->key_file || !p.c->cert_file ||
	    !p.c->ca_file) {
		rc = fail(errmsg, -EINVAL,
			  "%s: [identity] needs name, private-key, certificate and ca-certificate",
			  path);
		goto out;
	}
	if (!p.c->n_peers) {
		rc = fail(errmsg, -EINVAL, "%s: no [peer NAME] section", path);
		goto out;
	}
out:
	free(line);
	if (rc) {
		if (rc == -ENOMEM)
			fail(errmsg, rc, "%s: out of memory", path);
		config_free(p.c);
		return rc;
	}
	*out = p.c;
	return 0;
}

/* A secret file: refuse it if group or others may read it. */
static int check_private(const char *what, const char *file, char **errmsg)
{
	int rc = sdrp_file_is_private(file);

	if (rc < 0)
		return fail(errmsg, rc, "%s %s: %s", what, file, strerror(-rc));
	if (rc == 0)
		return fail(errmsg, -EACCES,
			    "%s %s is readable by group or others: refused (chmod 600 it)",
			    what, file);
	return 0;
}

static int read_file(const char *path, char **text, size_t *len)
{
	struct stat st;
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		rc = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONFIG_MAX_SIZE) {
		rc = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
		goto out;
	}
	*text = malloc((size_t)st.st_size + 1);
	if (!*text) {
		rc = -ENOMEM;
		goto out;
	}
	n = read(fd, *text, (size_t)st.st_size);
	if (n != st.st_size) {
		rc = n < 0 ? -errno : -EIO;
		free(*text);
		*text = NULL;
		goto out;
	}
	(*text)[n] = '\0';
	*len = (size_t)n;
out:
	close(fd);
	return rc;
}

static int load_credentials(struct sdrpd_config *c, char **errmsg)
{
	enum sdrp_err err = SDRP_ERR_NONE;
	uint64_t now_s = sdrp_now_ms() / 1000;
	size_t i;
	int rc;

	rc = check_private("private key", c->key_file, errmsg);
	if (rc)
		return rc;
	rc = sdrp_privkey_load(c->key_file, &c->key);
	if (rc)
		return fail(errmsg, rc, "private key %s: %s", c->key_file,
			    rc == -EINVAL ? "not an unencrypted RSA private key of 2048..8192 bits"
					  : strerror(-rc));
	rc = sdrp_cert_load(c->cert_file, &c->cert, &err);
	if (rc)
		return fail(errmsg, rc, "certificate %s: %s", c->cert_file,
			    err ? sdrp_err_name(err) : strerror(-rc));
	rc = sdrp_cert_load(c->ca_file, &c->ca, &err);
	if (rc)
		return fail(errmsg, rc, "CA certificate %s: %s", c->ca_file,
			    err ? sdrp_err_name(err) : strerror(-rc));
	rc = sdrp_cert_verify(c->ca, c->ca, NULL, now_s, &err);
	if (rc)
		return fail(errmsg, rc, "CA certificate %s: %s", c->ca_file,
			    sdrp_err_name(err));
	if (!sdrp_cert_matches_key(c->cert, c->key))
		return fail(errmsg, -EINVAL,
			    "certificate %s does not certify private key %s",
			    c->cert_file, c->key_file);
	rc = sdrp_cert_verify(c->cert, c->ca, c->identity, now_s, &err);
	if (rc)
		return fail(errmsg, rc,
			    "certificate %s for \"%s\" does not verify under CA %s: %s",
			    c->cert_file, c->identity, c->ca_file,
			    sdrp_err_name(err));

	c->psks = calloc(c->n_peers, sizeof(*c->psks));
	if (!c->psks)
		return -ENOMEM;
	for (i = 0; i < c->n_peers; i++) {
		struct sdrpd_peer *peer = &c->peers[i];

		rc = check_private("s0 file", peer->s0_file, errmsg);
		if (rc)
			return rc;
		rc = sdrp_s0_load(peer->s0_file, peer->s0);
		if (rc)
			return fail(errmsg, rc, "s0 file %s: %s", peer->s0_file,
				    rc == -EINVAL ? "not 64 hex digits"
						  : strerror(-rc));
		memcpy(c->psks[i].s0, peer->s0, SDRP_S0_LEN);
		c->psks[i].identities = (const char *const *)peer->identities;
		c->psks[i].n_identities = peer->n_identities;
	}
	return 0;
}

int sdrpd_config_reload(struct sdrpd_config **current, const char *path)
{
	struct sdrpd_config *c;
	char *errmsg = NULL;
	int rc;

	rc = sdrpd_config_load(path, &c, &errmsg);
	if (rc) {
		sdrpd_log(LOG_ERR, "reload: %s; keeping the previous configuration",
			  errmsg ? errmsg : strerror(-rc));
		free(errmsg);
		return rc;
	}
	/* Handshakes running hold their own reference to the old one. */
	sdrpd_config_put(*current);
	*current = c;
	sdrpd_log(LOG_INFO, "reload: configuration %s loaded (identity \"%s\", %zu peers)",
		  path, c->identity, c->n_peers);
	return 0;
}

int sdrpd_config_load(const char *path, struct sdrpd_config **out,
		      char **errmsg)
{
	struct sdrpd_config *c;
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	rc = read_file(path, &text, &len);
	if (rc)
		return fail(errmsg, rc, "%s: %s", path, strerror(-rc));
	rc = sdrpd_config_parse(text, len, path, &c, errmsg);
	free(text);
	if (rc)
		return rc;
	rc = load_credentials(c, errmsg);
	if (rc) {
		if (rc == -ENOMEM && errmsg && !*errmsg)
			fail(errmsg, rc, "%s: out of memory", path);
		config_free(c);
		return rc;
	}
	*out = c;
	return 0;
}
