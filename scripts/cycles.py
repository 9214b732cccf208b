#!/usr/bin/env python3
"""Class and package cycles among Portcullis's classes, from jdeps.

Usage: scripts/cycles.py [--allow FROM->TO]... DIR...   (class directories, e.g. */target/classes)

--allow drops one named class-to-class edge before the search, for a dependency a public contract forces; the edge
is printed, and it is an error if it is not there (so an allowance cannot outlive its reason).

A class cycle is a strongly connected component of more than one top-level class (nested classes count as part of
their top-level class); a package cycle, one of packages. Prints each, or that there are none; exits 1 if any.
"""
import collections
import re
import subprocess
import sys
args = sys.argv[1:]
allowed = set()
while args and args[0] == "--allow":
    allowed.add(tuple(args[1].split("->")))
    args = args[2:]
dirs = args
if not dirs:
    sys.exit(__doc__)
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
for a, b in sorted(allowed):
    if b not in edges.get(a, ()):
        sys.exit("cycles.py: the allowed edge %s -> %s is not there: drop the --allow" % (a, b))
    edges[a].discard(b)
    print("allowed:", a, "->", b)
nodes = set(edges) | {b for s in edges.values() for b in s}
if not nodes:
    sys.exit("cycles.py: no Portcullis classes in %s: compile first" % " ".join(dirs))
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
