#!/usr/bin/env python3
"""Class and package cycles among Portcullis's classes, from jdeps.

Usage: scripts/cycles.py DIR...   (class directories, e.g. */target/classes)

A class cycle is a strongly connected component of more than one top-level class (nested classes count as part of
their top-level class); a package cycle, one of packages. Prints each, or that there are none; exits 1 if any.
"""
import collections
import re
import subprocess
import sys
dirs = sys.argv[1:]
out = subprocess.run(["jdeps", "-verbose:class", "-filter:none", "--ignore-missing-deps", "--multi-release", "17"] + dirs,
                     capture_output=True, text=True).stdout
edges = collections.defaultdict(set)
pat = re.compile(r"^\s+(dev\.portcullis\.[\w.$]+)\s+->\s+(dev\.portcullis\.[\w.$]+)\s")
top = lambda c: c.split("$")[0]
for line in out.splitlines():
    m = pat.match(line)
    if m:
        a, b = top(m.group(1)), top(m.group(2))
        if a != b:
            edges[a].add(b)
def sccs(nodes, edges):
    index, low, stack, on, out, i = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(100000)
    def strong(v):
        index[v] = low[v] = i[0]; i[0] += 1; stack.append(v); on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                strong(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1: out.append(sorted(comp))
    for v in sorted(nodes):
        if v not in index: strong(v)
    return out
nodes = set(edges) | {b for s in edges.values() for b in s}
cls = sccs(nodes, edges)
pkg = lambda c: c.rsplit(".", 1)[0]
pedges = collections.defaultdict(set)
for a, bs in edges.items():
    for b in bs:
        if pkg(a) != pkg(b): pedges[pkg(a)].add(pkg(b))
pk = sccs(set(pedges) | {b for s in pedges.values() for b in s}, pedges)
for c in cls: print("class cycle:", ", ".join(c))
for c in pk: print("package cycle:", ", ".join(c))
if not cls and not pk: print("no class or package cycles among", len(nodes), "classes")
sys.exit(1 if cls or pk else 0)
