package dev.portcullis.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Finds, for a repository name, the pattern zot would choose — the longest matching pattern in
 * bytes, ties broken by fewer wildcards and then lexicographically — without testing every pattern.
 *
 * <p>Every pattern (per brace expansion) has a literal prefix that all names it matches start
 * with. The prefixes live in a character trie. A lookup walks the trie along the name, then tests
 * only the patterns hanging on the nodes it passed, deepest node first, each node's patterns in
 * precedence order, skipping any that could not beat the best match found so far. The cost grows
 * with the name's length and the number of patterns sharing its prefixes, not with the policy.
 */
final class PatternIndex {
    /** zot's choice among matching patterns, plus Portcullis' deterministic tie-break. */
    static final Comparator<Glob> PRECEDENCE = Comparator.comparingInt(Glob::byteLength).reversed()
            .thenComparingInt(Glob::wildcards)
            .thenComparing(Glob::pattern);

    /** Sorted by precedence: the position in this array is a pattern's rank, lower is better. */
    private final Glob[] ranked;
    private final Node root;

    PatternIndex(Collection<Glob> globs) {
        ranked = globs.toArray(new Glob[0]);
        Arrays.sort(ranked, PRECEDENCE);
        Builder rootBuilder = new Builder();
        for (int rank = 0; rank < ranked.length; rank++) {
            for (String prefix : ranked[rank].prefixes()) {
                Builder b = rootBuilder;
                for (int k = 0; k < prefix.length(); k++) {
                    b = b.children.computeIfAbsent(prefix.charAt(k), c -> new Builder());
                }
                if (b.ranks.isEmpty() || b.ranks.get(b.ranks.size() - 1) != rank) {
                    b.ranks.add(rank);
                }
            }
        }
        root = rootBuilder.freeze(null);
    }

    /** The patterns in precedence order. */
    List<Glob> ranked() {
        return List.of(ranked);
    }

    /** The rank of the pattern that applies to {@code name}, or -1 if none matches. */
    int find(String name) {
        Node node = root;
        int depth = 0;
        while (depth < name.length()) {
            Node child = node.child(name.charAt(depth));
            if (child == null) {
                break;
            }
            node = child;
            depth++;
        }
        int best = Integer.MAX_VALUE;
        for (Node n = node.withRules; n != null; n = n.parent == null ? null : n.parent.withRules) {
            for (int rank : n.ranks) {
                if (rank >= best) {
                    break;
                }
                if (ranked[rank].matches(name)) {
                    best = rank;
                    break;
                }
            }
        }
        return best == Integer.MAX_VALUE ? -1 : best;
    }

    Glob glob(int rank) {
        return ranked[rank];
    }

    private static final class Builder {
        final TreeMap<Character, Builder> children = new TreeMap<>();
        final List<Integer> ranks = new ArrayList<>();

        Node freeze(@Nullable Node parent) {
            Node n = new Node(parent, ranks.stream().mapToInt(Integer::intValue).sorted().distinct().toArray(), children.size());
            int k = 0;
            for (var e : children.entrySet()) {
                n.keys[k] = e.getKey();
                n.children[k] = e.getValue().freeze(n);
                k++;
            }
            return n;
        }
    }

    private static final class Node {
        final @Nullable Node parent;
        final int[] ranks;
        final char[] keys;
        final Node[] children;
        /** This node if it holds patterns, else the nearest ancestor that does (or null). */
        final @Nullable Node withRules;

        Node(@Nullable Node parent, int[] ranks, int childCount) {
            this.parent = parent;
            this.ranks = ranks;
            this.keys = new char[childCount];
            this.children = new Node[childCount];
            this.withRules = ranks.length > 0 ? this : parent == null ? null : parent.withRules;
        }

        @Nullable Node child(char c) {
            int i = Arrays.binarySearch(keys, c);
            return i >= 0 ? children[i] : null;
        }
    }
}
