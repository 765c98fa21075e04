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

/*
 * struct proto lost ->sendpage in 6.5, in the same series that removed the
 * flag only the sendpage path used.  Where it exists a ULP must override it
 * too, or sendfile()/splice() would write around the record layer.
 */
#ifdef MSG_SENDPAGE_NOTLAST
#define SDRP_HAVE_PROTO_SENDPAGE 1
#endif

#endif /* _SDRP_COMPAT_H */
