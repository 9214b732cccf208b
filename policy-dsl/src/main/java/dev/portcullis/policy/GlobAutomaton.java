package dev.portcullis.policy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Exact questions about sets of names, answered on the patterns' automata rather than by
 * sampling: "is there a name that all of these patterns match and none of those?" — with an
 * example name when there is. Used by lint (ties, shadowing); {@link NameWalk} walks the same
 * automata a segment at a time for diff.
 */
final class GlobAutomaton {
    /** A character set: {@code negated} complements the ranges; {@code '/'} is excluded when {@code noSlash}. */
    record CharSet(boolean negated, int[] ranges, boolean noSlash) {
        static final CharSet ANY = new CharSet(true, new int[0], false);
        static final CharSet NOT_SLASH = new CharSet(true, new int[0], true);

        static CharSet of(int c) {
            return new CharSet(false, new int[] {c, c}, false);
        }

        boolean contains(int c) {
            if (noSlash && c == '/') {
                return false;
            }
            boolean in = false;
            for (int k = 0; k < ranges.length; k += 2) {
                if (ranges[k] <= c && c <= ranges[k + 1]) {
                    in = true;
                    break;
                }
            }
            return in != negated;
        }

        /** Where membership may change: each range start and the code point after each range end. */
        void boundaries(TreeSet<Integer> out) {
            for (int k = 0; k < ranges.length; k += 2) {
                out.add(ranges[k]);
                out.add(ranges[k + 1] + 1);
            }
        }
    }

    record Edge(CharSet set, int to) {
    }

    /** All patterns' states in one numbering. */
    private final List<List<Edge>> edges = new ArrayList<>();
    private final List<List<Integer>> epsilons = new ArrayList<>();
    private final BitSet accepting = new BitSet();

    int newState() {
        edges.add(new ArrayList<>());
        epsilons.add(new ArrayList<>());
        return edges.size() - 1;
    }

    private void edge(int from, CharSet set, int to) {
        edges.get(from).add(new Edge(set, to));
    }

    private void epsilon(int from, int to) {
        epsilons.get(from).add(to);
    }

    /** Adds a pattern's automaton; returns its start state. */
    private int add(Glob glob) {
        int start = newState();
        for (List<List<Glob.Node>> expansion : glob.expansions()) {
            List<List<Glob.Node>> segments = withoutRepeatedGlobstars(expansion);
            int cur = newState();
            epsilon(start, cur);
            int last = segments.size() - 1;
            boolean separatorAbsorbed = true;
            for (int s = 0; s <= last; s++) {
                List<Glob.Node> segment = segments.get(s);
                if (Glob.isGlobstar(segment)) {
                    if (s < last) { // (?:.*/)?
                        if (!separatorAbsorbed) {
                            int n = newState();
                            edge(cur, CharSet.of('/'), n);
                            cur = n;
                        }
                        int loop = newState();
                        int after = newState();
                        epsilon(cur, after);
                        epsilon(cur, loop);
                        edge(loop, CharSet.ANY, loop);
                        edge(loop, CharSet.of('/'), after);
                        cur = after;
                        separatorAbsorbed = true;
                    } else if (separatorAbsorbed) { // .*
                        int loop = newState();
                        epsilon(cur, loop);
                        edge(loop, CharSet.ANY, loop);
                        cur = loop;
                    } else { // (?:/.*)?
                        int loop = newState();
                        int end = newState();
                        epsilon(cur, end);
                        edge(cur, CharSet.of('/'), loop);
                        edge(loop, CharSet.ANY, loop);
                        epsilon(loop, end);
                        cur = end;
                    }
                    continue;
                }
                if (!separatorAbsorbed) {
                    int n = newState();
                    edge(cur, CharSet.of('/'), n);
                    cur = n;
                }
                cur = segment(cur, segment);
                separatorAbsorbed = false;
            }
            accepting.set(cur);
        }
        return start;
    }

    /** Two "**" segments in a row match what one does; as one, a trailing pair also matches the bare parent, as {@link Glob#matches} says. */
    static List<List<Glob.Node>> withoutRepeatedGlobstars(List<List<Glob.Node>> expansion) {
        List<List<Glob.Node>> segments = new ArrayList<>();
        for (List<Glob.Node> segment : expansion) {
            if (!Glob.isGlobstar(segment) || segments.isEmpty() || !Glob.isGlobstar(segments.get(segments.size() - 1))) {
                segments.add(segment);
            }
        }
        return segments;
    }

    /** Adds the states of one path segment's pattern after {@code cur}; returns its last state. */
    int segment(int cur, List<Glob.Node> segment) {
        for (Glob.Node node : segment) {
            if (node instanceof Glob.Star) {
                int loop = newState();
                epsilon(cur, loop);
                edge(loop, CharSet.NOT_SLASH, loop);
                cur = loop;
            } else {
                CharSet set;
                if (node instanceof Glob.Lit lit) {
                    set = CharSet.of(lit.codePoint());
                } else if (node instanceof Glob.AnyChar) {
                    set = CharSet.NOT_SLASH;
                } else {
                    Glob.CharClass cls = (Glob.CharClass) node;
                    set = new CharSet(cls.negated(), cls.ranges(), true);
                }
                int n = newState();
                edge(cur, set, n);
                cur = n;
            }
        }
        return cur;
    }

    void accept(int state) {
        accepting.set(state);
    }

    List<Edge> edges(int state) {
        return edges.get(state);
    }

    BitSet closure(BitSet states) {
        BitSet out = (BitSet) states.clone();
        ArrayDeque<Integer> work = new ArrayDeque<>();
        states.stream().forEach(work::add);
        while (!work.isEmpty()) {
            for (int t : epsilons.get(work.pop())) {
                if (!out.get(t)) {
                    out.set(t);
                    work.add(t);
                }
            }
        }
        return out;
    }

    private BitSet step(BitSet states, int c) {
        BitSet out = new BitSet();
        states.stream().forEach(s -> {
            for (Edge e : edges.get(s)) {
                if (e.set().contains(c)) {
                    out.set(e.to());
                }
            }
        });
        return closure(out);
    }

    /** The outcome of a bounded search. */
    enum Found { YES, NO, UNKNOWN }

    record Answer(Found found, @Nullable String example) {
    }

    private static final int[] READABLE = {'x', 'a', 'b', 'z', '0', '1', '-', '.', '_', 'y'};

    /**
     * Searches for a name that every pattern of {@code all} matches and no pattern of {@code none}
     * matches, exploring at most {@code limit} product states (then {@link Found#UNKNOWN}).
     */
    static Answer find(List<Glob> all, List<Glob> none, int limit) {
        return find(all, none, limit, false);
    }

    /**
     * Like {@link #find(List, List, int)}; with {@code plausible}, only names a repository can
     * have are considered: non-empty segments (no leading, trailing or double '/') of printable
     * characters.
     */
    static Answer find(List<Glob> all, List<Glob> none, int limit, boolean plausible) {
        GlobAutomaton a = new GlobAutomaton();
        List<BitSet> start = new ArrayList<>();
        for (Glob g : all) {
            start.add(a.closure(single(a.add(g))));
        }
        BitSet noneStart = new BitSet();
        for (Glob g : none) {
            noneStart.set(a.add(g));
        }
        start.add(a.closure(noneStart));
        // last element: the plausibility state, bit 0 = at a segment start, bit 1 = inside a segment
        start.add(single(0));
        Map<List<BitSet>, String> seen = new HashMap<>();
        ArrayDeque<List<BitSet>> queue = new ArrayDeque<>();
        seen.put(start, "");
        queue.add(start);
        while (!queue.isEmpty()) {
            List<BitSet> current = queue.pop();
            String name = seen.get(current);
            List<BitSet> automata = current.subList(0, current.size() - 1);
            boolean inSegment = current.get(current.size() - 1).get(1);
            if (a.accepts(automata) && (!plausible || inSegment)) {
                return new Answer(Found.YES, name);
            }
            if (automata.subList(0, automata.size() - 1).stream().anyMatch(BitSet::isEmpty)) {
                continue; // some required pattern can no longer match
            }
            for (int c : a.representatives(automata)) {
                if (plausible && (!plausible(c) || (c == '/' && !inSegment))) {
                    continue;
                }
                List<BitSet> next = new ArrayList<>();
                for (BitSet states : automata) {
                    next.add(a.step(states, c));
                }
                next.add(single(c == '/' ? 0 : 1));
                if (!seen.containsKey(next)) {
                    if (seen.size() >= limit) {
                        return new Answer(Found.UNKNOWN, null);
                    }
                    seen.put(next, name + new String(Character.toChars(c)));
                    queue.add(next);
                }
            }
        }
        return new Answer(Found.NO, null);
    }

    /** A plausible repository name matched by every pattern of {@code all} and none of {@code none}. */
    static Optional<String> example(List<Glob> all, List<Glob> none) {
        Answer answer = find(all, none, 20_000, true);
        return answer.found() == Found.YES ? Optional.ofNullable(answer.example()) : Optional.empty();
    }

    /** Position in {@link #READABLE}, so that breadth-first search finds readable examples first. */
    private static int readability(int c) {
        for (int k = 0; k < READABLE.length; k++) {
            if (READABLE[k] == c) {
                return k;
            }
        }
        return READABLE.length + (c == '/' ? 0 : 1);
    }

    private static BitSet single(int state) {
        BitSet b = new BitSet();
        b.set(state);
        return b;
    }

    private boolean accepts(List<BitSet> product) {
        for (int k = 0; k < product.size() - 1; k++) {
            if (!product.get(k).intersects(accepting)) {
                return false;
            }
        }
        return !product.get(product.size() - 1).intersects(accepting);
    }

    /** {@link #representatives(TreeSet)} for the edges of these states. */
    private List<Integer> representatives(List<BitSet> product) {
        TreeSet<Integer> bounds = new TreeSet<>();
        for (BitSet states : product) {
            states.stream().forEach(s -> edges.get(s).forEach(e -> e.set().boundaries(bounds)));
        }
        return representatives(bounds);
    }

    /** One character per interval on which every outgoing edge's membership is constant, readable where possible. */
    static List<Integer> representatives(TreeSet<Integer> bounds) {
        bounds.add(0);
        bounds.add((int) '/');
        bounds.add('/' + 1);
        // spaces and control characters in intervals of their own, so that a plausible character is never hidden behind one
        bounds.add(0x21);
        bounds.add(0x7f);
        bounds.add(0x80);
        List<Integer> out = new ArrayList<>();
        Integer[] b = bounds.toArray(new Integer[0]);
        for (int k = 0; k < b.length; k++) {
            int lo = b[k];
            int hi = k + 1 < b.length ? b[k + 1] - 1 : Character.MAX_CODE_POINT;
            if (lo > Character.MAX_CODE_POINT) {
                continue;
            }
            int pick = lo;
            for (int r : READABLE) {
                if (lo <= r && r <= hi) {
                    pick = r;
                    break;
                }
            }
            out.add(pick);
        }
        out.sort(java.util.Comparator.comparingInt(GlobAutomaton::readability));
        return out;
    }

    static boolean plausible(int c) {
        return c >= 0x21 && c != 0x7f;
    }
}
