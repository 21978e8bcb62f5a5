#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# `features`: the runtime-spec features document.

load helpers

@test "features prints the runtime-spec features JSON" {
        run runtime features
        assert_status 0
        echo "$output" | jq -e '
                (.ociVersionMin | test("^1\\.")) and
                (.ociVersionMax | test("^1\\.")) and
                (.hooks | sort) == (["createContainer", "createRuntime", "poststart", "poststop", "prestart", "startContainer"] | sort) and
                (.mountOptions | index("ro") != null and index("nosuid") != null and index("bind") != null and index("rbind") != null) and
                (.linux.namespaces | index("pid") != null and index("mount") != null and index("network") != null) and
                (.linux.capabilities | index("CAP_SYS_ADMIN") != null and index("CAP_KILL") != null) and
                .linux.seccomp.enabled == true and
                (.linux.seccomp.actions | index("SCMP_ACT_ERRNO") != null and index("SCMP_ACT_ALLOW") != null) and
                (.linux.seccomp.operators | index("SCMP_CMP_EQ") != null) and
                (.linux.seccomp.archs | index("SCMP_ARCH_X86_64") != null) and
                (.annotations | type == "object")'
}

@test "every namespace that features lists can be created" {
        run runtime features
        assert_status 0
        for ns in $(jq -r '.linux.namespaces[]' <<<"$output"); do
                case $ns in
                user|cgroup|time) continue ;; # need mappings / more config
                esac
                update_config '.linux.namespaces |= (map(select(.type != $n)) + [{"type": $n}])' --arg n "$ns"
        done
        set_args true
        run runtime run "$CID" </dev/null
        assert_status 0
}

@test "features: ociVersionMax 1.3.0 and the seccomp library version (husk)" {
        husk_only 'husk targets runtime-spec 1.3.0'
        run runtime features
        assert_status 0
        echo "$output" | jq -e '.ociVersionMax == "1.3.0" and
                (.annotations["io.github.seccomp.libseccomp.version"] | type == "string")'
}

@test "features: intelRdt (with schemata and monitoring) and netDevices are implemented, any namespace may be left out" {
        husk_only 'runc 1.1.5 predates netDevices and the intelRdt schemata/monitoring fields'
        run runtime features
        assert_status 0
        echo "$output" | jq -e '.linux.intelRdt == {"enabled": true, "schemata": true, "monitoring": true} and
                .linux.netDevices == {"enabled": true} and
                (.annotations["io.github.husk.linux.namespaces.inheritable"] | split(",") | index("mount") != null)'
}
