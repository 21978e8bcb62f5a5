/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A field of a user's line in a passwd file, read by husk itself: no NSS,
 * so a statically linked husk never loads glibc's NSS modules (a second,
 * shared libc) and the container's /etc/passwd is read as a file only.
 * runc reads /etc/passwd the same way for `list`'s OWNER and HOME.
 */
#pragma once

#include <sys/types.h>

enum passwd_field { PASSWD_NAME = 0, PASSWD_HOME = 5 };

/* The field of the first line of `path` (name:pw:uid:gid:gecos:home:shell)
 * with this uid and a non-empty field; NULL when there is none or the file
 * can't be read. Lines longer than 1023 bytes are not matched. */
char *passwd_lookup(const char *path, uid_t uid, enum passwd_field field);
