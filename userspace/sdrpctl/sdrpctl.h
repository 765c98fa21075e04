/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * sdrpctl: what the subcommand files share.  Everything cryptographic or
 * about file formats is libsdrp's (<sdrp/sdrp.h>); this header holds only
 * command-line plumbing: dispatch, messages, option values, and placing
 * output files without overwriting by accident.
 */
#ifndef SDRPCTL_H
#define SDRPCTL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit status of every command (documented in sdrpctl(8)). */
enum {
	SDRPCTL_EXIT_OK = 0,		/* done; cert verify: valid */
	SDRPCTL_EXIT_FAIL = 1,		/* the operation failed */
	SDRPCTL_EXIT_USAGE = 2,		/* bad command line */
};

/*
 * One entry of a subcommand table.  @run gets argv with argv[0] set to the
 * full command name ("sdrpctl cert issue") so that getopt's messages and
 * the usage line name the command the user typed.
 */
struct sdrpctl_cmd {
	const char *name;
	int (*run)(int argc, char *argv[]);
	const char *summary;
};

#define SDRPCTL_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/**
 * sdrpctl_dispatch() - run the subcommand named by argv[1]
 * @prefix:	command so far ("sdrpctl", "sdrpctl cert")
 * @cmds:	table
 * @n:		entries
 * @argc:	arguments, argv[0] is the group's own name
 * @argv:	arguments
 *
 * With no subcommand, an unknown one or "help", prints the table on stderr
 * (stdout for help) and returns SDRPCTL_EXIT_USAGE (SDRPCTL_EXIT_OK).
 */
int sdrpctl_dispatch(const char *prefix, const struct sdrpctl_cmd *cmds,
		     size_t n, int argc, char *argv[]);

/* Messages on stderr, prefixed "sdrpctl: " / "sdrpctl: warning: ". */
void sdrpctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sdrpctl_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * sdrpctl_usage() - print "Usage: <argv0> <synopsis>"
 * @out:	stdout for --help, stderr for a usage error
 * @argv0:	full command name
 * @synopsis:	the command's arguments
 *
 * Return: SDRPCTL_EXIT_OK if @out is stdout, else SDRPCTL_EXIT_USAGE.
 */
int sdrpctl_usage(FILE *out, const char *argv0, const char *synopsis);

/* Strict number and time parsing: 0, or -EINVAL / -ERANGE. */
int sdrpctl_parse_u64(const char *s, uint64_t *v);
int sdrpctl_parse_uint(const char *s, unsigned int min, unsigned int max,
		       unsigned int *v);

/**
 * sdrpctl_parse_time() - parse a point in time, always UTC
 * @s:		"@SECONDS" (Unix time), "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS"
 *		or "YYYY-MM-DD HH:MM:SS", optionally ending in 'Z'
 * @t:		Unix seconds
 *
 * Return: 0; -EINVAL.
 */
int sdrpctl_parse_time(const char *s, uint64_t *t);

/* "YYYY-MM-DD HH:MM:SS UTC" into @buf. */
#define SDRPCTL_TIME_LEN	32
void sdrpctl_format_time(uint64_t t, char buf[SDRPCTL_TIME_LEN]);

/* Validity options shared by "ca init" and "cert issue". */
struct sdrpctl_validity {
	const char *not_before;		/* --not-before TIME, default now */
	const char *not_after;		/* --not-after TIME */
	const char *days;		/* --days N */
};

/**
 * sdrpctl_validity_resolve() - turn the validity options into times
 * @v:		options as given
 * @default_days: validity when neither --days nor --not-after is given
 * @not_before:	out, Unix seconds
 * @not_after:	out, Unix seconds
 *
 * Prints its own error.  Return: 0; -EINVAL (bad value, both --days and
 * --not-after, or not_after before not_before): a usage error.
 */
int sdrpctl_validity_resolve(const struct sdrpctl_validity *v,
			     unsigned int default_days, uint64_t *not_before,
			     uint64_t *not_after);

/*
 * An output file staged under a temporary name in its final directory and
 * put in place only once everything it belongs with is written, so that a
 * failure leaves no half-made key or certificate and, without --force, an
 * existing file is never replaced (link(2) refuses atomically).
 */
struct sdrpctl_out {
	const char *path;		/* final name */
	char tmp[PATH_MAX];		/* staged name; "" when none */
	bool force;			/* replace an existing file */
	bool placed;			/* now at @path */
};

/**
 * sdrpctl_out_check() - refuse early if @path exists and --force is not set
 * @o:		output; prints its own error
 *
 * Saves generating a key only to find the file exists; placing the file
 * checks again, atomically.
 *
 * Return: 0; -EEXIST; -errno of lstat().
 */
int sdrpctl_out_check(struct sdrpctl_out *o);

/*
 * A libsdrp save function (sdrp_privkey_save, sdrp_s0_save, sdrp_cert_save)
 * behind a common signature.  @excl: the save creates its file with O_EXCL
 * (it must not exist); otherwise it replaces a file (ours, made by
 * mkstemp).
 */
struct sdrpctl_saver {
	int (*save)(const void *obj, const char *path);
	bool excl;
};

extern const struct sdrpctl_saver sdrpctl_save_privkey;
extern const struct sdrpctl_saver sdrpctl_save_s0;
extern const struct sdrpctl_saver sdrpctl_save_cert;

/**
 * sdrpctl_out_stage() - write @obj to a temporary file next to o->path
 * @o:		output
 * @s:		how to write it
 * @obj:	what to write
 *
 * Prints its own error.  Return: 0; -errno.
 */
int sdrpctl_out_stage(struct sdrpctl_out *o, const struct sdrpctl_saver *s,
		      const void *obj);

/**
 * sdrpctl_out_place() - move a staged file to its final name
 * @o:		output after sdrpctl_out_stage()
 *
 * Without force: link(2), which fails with EEXIST if the name exists.
 * With force: rename(2), atomic replacement.  Prints its own error.
 *
 * Return: 0; -EEXIST; -errno.
 */
int sdrpctl_out_place(struct sdrpctl_out *o);

/**
 * sdrpctl_out_discard() - remove a staged file, and a placed one
 * @o:		output
 * @unplace:	also remove o->path if this run placed it (a later output
 *		of the same command failed)
 */
void sdrpctl_out_discard(struct sdrpctl_out *o, bool unplace);

/**
 * sdrpctl_warn_if_exposed() - warn if a secret file can be read by others
 * @path:	file just written
 *
 * The file is created 0600, but a filesystem without Unix modes, a mount
 * option or an ACL can still expose it; a directory writable by others
 * (without the sticky bit) lets them replace it.  Like "wg genkey".
 */
void sdrpctl_warn_if_exposed(const char *path);

struct sdrp_privkey;
struct sdrp_cert;

/**
 * sdrpctl_privkey_generate() - generate an RSA key for --bits
 * @bits:	the option's value, NULL for SDRP_DEFAULT_RSA_BITS
 * @k:		the key
 *
 * Prints its own error.  Return: an exit status.
 */
int sdrpctl_privkey_generate(const char *bits, struct sdrp_privkey **k);

/**
 * sdrpctl_privkey_load() - read a PEM private key file
 * @path:	file name
 * @what:	"key", "CA key": for the error message
 *
 * Prints its own error.  Return: the key, NULL on failure.
 */
struct sdrp_privkey *sdrpctl_privkey_load(const char *path, const char *what);

/**
 * sdrpctl_serial_resolve() - certificate serial from --serial
 * @s:		the option's value; NULL draws a random non-zero serial
 * @serial:	out
 *
 * Prints its own error.  Return: 0; -EINVAL (a usage error).
 */
int sdrpctl_serial_resolve(const char *s, uint64_t *serial);

/**
 * sdrpctl_cert_load() - read an armoured certificate file
 * @path:	file name
 * @what:	"certificate", "CA certificate": for the error message
 *
 * Prints its own error.  Return: the certificate, NULL on failure.
 */
struct sdrp_cert *sdrpctl_cert_load(const char *path, const char *what);

/* Subcommand groups, one file each. */
int sdrpctl_ca(int argc, char *argv[]);
int sdrpctl_key(int argc, char *argv[]);
int sdrpctl_cert(int argc, char *argv[]);
int sdrpctl_psk(int argc, char *argv[]);
int sdrpctl_sessions(int argc, char *argv[]);
int sdrpctl_status(int argc, char *argv[]);

#endif /* SDRPCTL_H */
