#!/usr/bin/env python3
"""check_layers.py: the include rules of ../shared/STYLE.md, checked.

Two rules, both from the layering of net/ (see the README's ARCHITECTURE):

1. A file includes only project headers its folder may use. Linking already
   refuses a call that points up a layer; a header-only include (a struct, a
   macro, an inline function) would still slip through, so it is checked here.
2. No big header (more than BIG_LINES lines) is seen, directly or through
   other headers, by more than a third of the .c files: no god header.

Prints each violation and exits 1 when there is one. Run from anywhere:
    python3 scripts/check_layers.py
"""
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BIG_LINES = 150

# Folder -> the project folders its files may include (its own included).
# net/ layers, bottom to top: core, wire, persist, commands, repl, server.
NET = ["net/core", "net/wire", "net/persist", "net/commands", "net/repl", "net/server"]
ALLOWED = {
    "engine": ["engine"],
    "uring": ["uring"],
    "net/core": ["engine", "net/core"],
    "net/wire": ["engine", "uring", "net/core", "net/wire"],
    "net/persist": ["engine", "uring", "net/core", "net/wire", "net/persist"],
    "net/commands": ["engine", "uring", "net/core", "net/wire", "net/persist", "net/commands"],
    "net/repl": ["engine", "uring", "net/core", "net/wire", "net/persist", "net/commands",
                 "net/repl"],
    "net/server": ["engine", "uring"] + NET,
    "tools": ["engine", "uring"] + NET,
    # The load generator speaks RESP over sockets and nothing else.
    "bench": ["net/core", "net/wire"],
    # Unit tests: the library under test and what it may use; tests/unit.h.
    "tests/engine": ["engine", "tests"],
    "tests/uring": ["uring", "tests"],
    "tests/core": ["engine", "net/core", "tests"],
    "tests/wire": ["engine", "uring", "net/core", "net/wire", "tests"],
    "tests/persist": ["engine", "uring", "net/core", "net/wire", "net/persist", "tests"],
    "tests/commands": ["engine", "uring", "net/core", "net/wire", "net/persist", "net/commands",
                       "tests"],
    "tests/repl": ["engine", "uring", "net/core", "net/wire", "net/persist", "net/commands",
                   "net/repl", "tests"],
    "tests/server": ["engine", "uring"] + NET + ["tests"],
    # Black-box tests talk to the binary; the harness reads replies with the
    # wire's scanner and replays power cuts with tests/fault.
    "tests/blackbox": ["net/core", "net/wire", "tests"],
    "tests/fault": ["tests"],
    # Fuzz targets: the parsers of outside input (engine/, net/core, net/wire).
    "tests/fuzz": ["engine", "net/core", "net/wire", "tests"],
    "tests": ["tests"],
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def sources():
    out = []
    for top in ["engine", "uring", "net", "tools", "bench", "tests"]:
        for dirpath, _, names in os.walk(os.path.join(ROOT, top)):
            for n in names:
                if n.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(dirpath, n), ROOT))
    return sorted(out)


def includes(path):
    with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
        return [m.group(1) for line in f if (m := INCLUDE.match(line))]


def folder_rule(path):
    d = os.path.dirname(path)
    while d and d not in ALLOWED:
        d = os.path.dirname(d)
    return d


def main():
    files = sources()
    graph = {f: [i for i in includes(f) if os.path.exists(os.path.join(ROOT, i))] for f in files}
    problems = []

    for f, incs in graph.items():
        rule = folder_rule(f)
        if not rule:
            problems.append(f"{f}: no include rule for its folder (add one to {__file__})")
            continue
        for inc in incs:
            inc_dir = os.path.dirname(inc)
            if not any(inc_dir == a or inc_dir.startswith(a + "/") for a in ALLOWED[rule]):
                problems.append(f"{f}: includes {inc}, which {rule}/ may not use")

    # Rule 2: who sees each big header, through any chain of includes.
    def closure(f, seen):
        for inc in graph.get(f, []):
            if inc not in seen:
                seen.add(inc)
                closure(inc, seen)
        return seen

    c_files = [f for f in files if f.endswith(".c")]
    seen_by = {}
    for c in c_files:
        for h in closure(c, set()):
            seen_by.setdefault(h, []).append(c)
    for h, users in sorted(seen_by.items()):
        with open(os.path.join(ROOT, h), encoding="utf-8", errors="replace") as fh:
            lines = sum(1 for _ in fh)
        if lines > BIG_LINES and len(users) * 3 > len(c_files):
            problems.append(f"{h}: {lines} lines, seen by {len(users)} of {len(c_files)} .c files "
                            f"(a big header may be seen by at most a third)")

    for p in problems:
        print("layers:", p)
    if problems:
        return 1
    print(f"layers: {len(files)} files follow the include rules; no big header is seen by more "
          f"than a third of the {len(c_files)} .c files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
