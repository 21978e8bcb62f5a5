#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test-architecture.py SRCDIR LIBHUSK_A: the structural rules of src/ (issue 10's
# "done when"), checked on every build:
#   1. no source file in src/ over MAX_FILE lines;
#   2. no function over MAX_FUNC lines (K&R layout: the body runs from a "{"
#      in column 0 to the next "}" in column 0);
#   3. no code inspects an error's message text (strstr/strcmp/strncmp on a
#      ->msg or .msg): callers test the error's kind;
#   4. no circle of files in libhusk: file A uses a symbol defined in B and B
#      (directly or through others) one defined in A. The graph comes from
#      `nm` of the archive's members, so it sees real calls, not includes.
#   5. no writable static storage in libhusk (DESIGN: "no global mutable
#      state outside cli/main.c") but the documented exceptions in
#      GLOBAL_STATE; from `objdump -t`: .data and .bss symbols, not .rodata
#      nor .data.rel.ro (const tables).
# ALLOW lists the offenders known when the rule was written. An entry that no
# longer offends is an error too, so the list only ever shrinks: whoever fixes
# an offender deletes its entry in the same commit. Never add to it.
# Output is TAP.

import os
import re
import subprocess
import sys

MAX_FILE = 1000
MAX_FUNC = 80

ALLOW = {
    'file': set(),
    'func': set(),
    'msg': set(),
    'state': set(),
    'cycle': set(),
}

# The exceptions by design, each explained where it is defined: the log sink
# (util/log.c, set once by cli/main.c), the libraries loaded on first use
# (util/dl.h: one table per library, filled once) and the fault-injection
# seam of the tests (util/failpoint.c). Not an allowlist of offenders: a new
# entry needs the same kind of reason in its file's header.
GLOBAL_STATE = {
    'util/log.c': {'sink', 'husk_log_debug'},
    'util/failpoint.c': {'failpoint_active', 'mode', 'target', 'owner', 'stage_fd', 'counter'},
    'cgroup/sdbus-dl.c': {'sdbus_lib', 'sdbus_table'},
    'linux/selinux-dl.c': {'selinux_lib', 'selinux_table'},
    'criu/criu-dl.c': {'criu_lib', 'criu_table'},
}

FUNC_NAME = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)\s*\(')
MSG_MATCH = re.compile(r'\b(?:strstr|strcmp|strncmp|strcasestr|memcmp)\s*\([^;]*(?:->|\.)msg\b[^;]*?"([^"]*)"')


def sources(srcdir):
    for root, _, files in os.walk(os.path.join(srcdir, 'src')):
        for f in sorted(files):
            if f.endswith(('.c', '.h')):
                full = os.path.join(root, f)
                yield os.path.relpath(full, srcdir), full


def functions(lines):
    """(name, length) of each top-level function body in K&R layout: the
    name is the identifier before the first "(" of the declaration that
    starts in column 0 above the body's "{"."""
    start, head, name = None, '', '?'
    for i, line in enumerate(lines):
        if start is None and line.startswith('{'):
            m = FUNC_NAME.search(head)
            name = m.group(1) if m else '?'
            start = i
        elif start is not None:
            if line.startswith('}'):
                yield name, i - start
                start, head = None, ''
        elif not line.strip():
            head = ''
        elif re.match(r'[A-Za-z_]', line):
            head = line
        elif head and line[:1] in ' \t':
            head += line


def cycles(archive):
    out = subprocess.run(['nm', '-A', archive], capture_output=True, text=True,
                         check=True).stdout
    defs, uses = {}, {}
    for line in out.splitlines():
        where, _, rest = line.rpartition(':')
        if not where:
            continue
        member = os.path.basename(where.split(':')[-1])
        name = member.replace('src_lib_', '', 1).replace('.c.o', '.c')
        name = name.replace('_', '/', 1)
        uses.setdefault(name, set())
        parts = rest.split()
        if len(parts) == 3 and parts[1] in 'TDBRV':
            defs[parts[2]] = name
        elif len(parts) == 2 and parts[0] == 'U':
            uses[name].add(parts[1])
    graph = {f: {defs[s] for s in u if s in defs and defs[s] != f}
             for f, u in uses.items()}
    index, low, stack, onstack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        onstack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in onstack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                onstack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(' '.join(sorted(comp)))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return set(found)


def member_source(member):
    name = os.path.basename(member).replace('src_lib_', '', 1).replace('.c.o', '.c')
    return name.replace('_', '/', 1)


def global_state(archive):
    """(file, symbol) of every object in a writable data section."""
    out = subprocess.run(['objdump', '-t', archive], capture_output=True, text=True,
                         check=True).stdout
    found, member = set(), None
    for line in out.splitlines():
        if line.endswith('.o:') or ':     file format' in line:
            member = line.split(':')[0].split('(')[-1].rstrip(')')
            continue
        parts = line.split()
        if member is None or len(parts) < 5 or 'O' not in parts[1:-3]:
            continue
        section, sym = parts[-3], parts[-1]
        # -fsanitize=address: one ODR indicator per instrumented global,
        # the instrumentation's, not ours (the global itself is checked)
        if sym.startswith('__odr_asan'):
            continue
        if re.match(r'\.(data|bss)\b', section) and not section.startswith('.data.rel.ro'):
            found.add((member_source(member), sym))
    return found


def main():
    srcdir, archive = sys.argv[1], sys.argv[2]
    seen = {k: set() for k in ALLOW}
    problems = {k: [] for k in ALLOW}
    for rel, full in sources(srcdir):
        with open(full, encoding='utf-8') as fh:
            lines = fh.read().split('\n')
        if len(lines) - 1 > MAX_FILE:
            seen['file'].add(rel)
            problems['file'].append((rel, f'{rel}: {len(lines) - 1} lines (max {MAX_FILE})'))
        if rel.endswith('.c'):
            for name, length in functions(lines):
                if length > MAX_FUNC:
                    key = f'{rel}:{name}'
                    seen['func'].add(key)
                    problems['func'].append((key, f'{key}: {length} lines (max {MAX_FUNC})'))
            text = '\n'.join(lines)
            for m in MSG_MATCH.finditer(text):
                key = f'{rel}:{m.group(1)}'
                seen['msg'].add(key)
                problems['msg'].append((key, f'{key}: matches an error message\'s text'))
    for c in cycles(archive):
        seen['cycle'].add(c)
        problems['cycle'].append((c, f'circle of files: {c}'))
    for f, sym in sorted(global_state(archive)):
        if sym.split('.')[0] not in GLOBAL_STATE.get(f, set()):
            key = f'{f}:{sym}'
            seen['state'].add(key)
            problems['state'].append((key, f'{key}: writable static storage (global mutable state)'))

    titles = {'file': f'no file over {MAX_FILE} lines',
              'func': f'no function over {MAX_FUNC} lines',
              'msg': 'no caller inspects an error message',
              'cycle': 'no circle of files in libhusk',
              'state': 'no global mutable state in libhusk but the documented exceptions'}
    print(f'1..{len(titles)}')
    failed = 0
    for n, kind in enumerate(titles, 1):
        bad = [text for key, text in problems[kind] if key not in ALLOW[kind]]
        stale = sorted(ALLOW[kind] - seen[kind])
        ok = not bad and not stale
        print(f'{"ok" if ok else "not ok"} {n} - {titles[kind]}')
        for text in bad:
            print(f'#   new offender: {text}')
        for key in stale:
            print(f'#   fixed, delete its ALLOW entry in tests/unit/test-architecture.py: {key}')
        for key, text in problems[kind]:
            if key in ALLOW[kind]:
                print(f'#   known (allowlisted): {text}')
        failed += not ok
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
