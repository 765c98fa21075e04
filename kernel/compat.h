/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only place that knows kernel versions.  sdrp supports Debian 12's 6.1
 * and the 6.12 LTS from bookworm-backports; every difference between the two
 * that the module touches is named here, detected from the headers rather
 * than from version numbers (Debian's stable kernels carry backports).
 */
#ifndef _SDRP_COMPAT_H
#define _SDRP_COMPAT_H

#include <linux/socket.h>
#include <linux/sysctl.h>

/*
 * struct proto lost ->sendpage in 6.5, in the same series that removed the
 * flag only the sendpage path used.  Where it exists a ULP must override it
 * too, or sendfile()/splice() would write around the record layer.  Newer
 * kernels splice through sendmsg() with MSG_SPLICE_PAGES instead.
 */
#ifdef MSG_SENDPAGE_NOTLAST
#define SDRP_HAVE_PROTO_SENDPAGE 1
#endif

#ifdef MSG_SPLICE_PAGES
#define SDRP_MSG_SPLICE	MSG_SPLICE_PAGES
#else
#define SDRP_MSG_SPLICE	0
#endif

/*
 * 6.11 dropped the empty entry that ended every sysctl table; register_sysctl
 * became a macro taking the table's size at the same time.  Until then the
 * terminator is required.
 */
#ifdef register_sysctl
#define SDRP_SYSCTL_END
#else
#define SDRP_SYSCTL_END	{ }
#endif

#endif /* _SDRP_COMPAT_H */
