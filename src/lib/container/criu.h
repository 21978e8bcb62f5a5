/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What checkpoint.c and restore.c share. */
#pragma once

#include "config.h"
#include "container/container.h"

#if HAVE_CRIU
#include "criu/req.h"

/* runc's name, in the image directory: the init's stdio at dump. */
#define CRIU_DESCRIPTORS "descriptors.json"

/* Flag checks before any side effect (--parent-path, --page-server,
 * --status-fd, combinations). */
int criu_opts_validate(const struct husk_criu_opts *o, bool restore, struct husk_error *err);
const char *criu_image_path(const struct husk_criu_opts *o);
/* Absolute path of CRIU's log `file` (in --work-path, else the image dir). */
char *criu_log_path(const struct husk_criu_opts *o, const char *file);
/* An O_DIRECTORY fd of path (made 0700 first when create); errors name flag. */
int criu_open_dir(const char *path, bool create, const char *flag, struct husk_error *err);
/* The options dump and restore share (runc's set). */
void criu_common_opts(struct criu_build *b, const struct husk_criu_opts *o, const struct husk_spec *spec,
                      int image_fd, int work_fd, const char *log_file);
#endif
