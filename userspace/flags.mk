# SPDX-License-Identifier: (GPL-2.0 OR MIT)
#
# Compiler and flags shared by every userspace Makefile.  Include it after
# setting TOP (the repository) and PKGS (the pkg-config packages the
# directory builds and links with); add directory-specific flags after it.

CC	?= gcc
PKG_CONFIG ?= pkg-config

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS))

# libsdrp's public headers, the headers the tools share (userspace/common),
# then the shared wire format and uapi headers.
CPPFLAGS := -I$(TOP)/userspace/lib/include -I$(TOP)/userspace/common \
	    -I$(TOP)/include \
	    -I$(TOP)/include/uapi -D_GNU_SOURCE $(PKG_CFLAGS)
WFLAGS	:= -Wall -Wextra -Werror
CFLAGS	:= -std=gnu11 -O2 -g $(WFLAGS)
# Host tests: ASan + UBSan, the first report is fatal.
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -fno-omit-frame-pointer
# libFuzzer objects (clang), with the same sanitizers.
FUZZFLAGS := -fsanitize=fuzzer-no-link,address,undefined \
	     -fno-sanitize-recover=all -fno-omit-frame-pointer
