/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* util/passwd.c: passwd lines read by husk itself (no NSS). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "util/passwd.h"

static int eq(char *got, const char *want)
{
        int r = got && want ? strcmp(got, want) == 0 : got == want;
        if (!r)
                tap_diag("got \"%s\", want \"%s\"", got ? got : "(null)", want ? want : "(null)");
        free(got);
        return r;
}

int main(void)
{
        char path[] = "/tmp/husk-test-passwd.XXXXXX";
        int fd = mkstemp(path);
        if (fd < 0)
                tap_skip_all("no temporary file");
        char longline[1500];
        memset(longline, 'x', sizeof(longline) - 1);
        longline[sizeof(longline) - 1] = '\0';
        FILE *f = fdopen(fd, "w");
        fprintf(f, "root:x:0:0:root:/root:/bin/bash\n"
                   "short:x:7\n"
                   "nohome:x:8:8::\n"
                   "nohome2:x:8:8:g:/home/n2:/bin/sh\n"
                   ":x:9:9::/nine:/bin/sh\n"
                   "%s:x:10:10::/ten:/bin/sh\n"
                   "bad:x:1x:1::/bad:/bin/sh\n"
                   "last:x:11:11::/eleven",
                longline);
        fclose(f);

        CHECK(eq(passwd_lookup(path, 0, PASSWD_NAME), "root"));
        CHECK(eq(passwd_lookup(path, 0, PASSWD_HOME), "/root"));
        /* three fields are enough for a name, not for a home */
        CHECK(eq(passwd_lookup(path, 7, PASSWD_NAME), "short"));
        CHECK(eq(passwd_lookup(path, 7, PASSWD_HOME), NULL));
        /* the first line with a non-empty field wins */
        CHECK(eq(passwd_lookup(path, 8, PASSWD_NAME), "nohome"));
        CHECK(eq(passwd_lookup(path, 8, PASSWD_HOME), "/home/n2"));
        CHECK(eq(passwd_lookup(path, 9, PASSWD_NAME), NULL));
        CHECK(eq(passwd_lookup(path, 9, PASSWD_HOME), "/nine"));
        /* a line longer than the buffer does not match */
        CHECK(eq(passwd_lookup(path, 10, PASSWD_NAME), NULL));
        CHECK(eq(passwd_lookup(path, 1, PASSWD_NAME), NULL));
        /* the last line without a newline; no newline in the value */
        CHECK(eq(passwd_lookup(path, 11, PASSWD_HOME), "/eleven"));
        CHECK(eq(passwd_lookup(path, 12, PASSWD_NAME), NULL));
        CHECK(eq(passwd_lookup("/nonexistent/passwd", 0, PASSWD_NAME), NULL));
        unlink(path);
        return tap_done();
}
