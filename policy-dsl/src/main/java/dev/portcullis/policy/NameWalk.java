package dev.portcullis.policy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Walks the names every pattern at once, a path segment at a time. A name's state is the set of places the
 * patterns' segment sequences have reached; a step reads one segment, and the segments that lead on differently
 * from a state are found by walking the characters of only the segment patterns that state waits for. So the work
 * grows with the distinct states reached, not with pattern pairs, and the characters inside a segment never
 * multiply with the segments around it. Work counts the size of each state kept (memory) and, for each state
 * walked on from, its size times the ways on (time). Diff uses it for one example name per pair of rules that apply
 * together to some name.
 */
final class NameWalk<K> {
    private static final int GLOBSTAR = -1;
    private static final int END = -2;
    /** The work of keeping a state, beyond its places: about the memory of a small one, in units of four bytes. */
    private static final int STORED = 40;

    private final Function<BitSet, K> classOf;
    private final long limit;
    /** The characters of every distinct segment pattern; {@code segmentOfEnd} names the pattern a final state ends. */
    private final GlobAutomaton characters = new GlobAutomaton();
    private final List<Integer> segmentStarts = new ArrayList<>();
    private final Map<Integer, Integer> segmentOfEnd = new HashMap<>();
    /** Per place in a pattern's segment sequence: the segment id expected there, GLOBSTAR or END; and the pattern. */
    private final int[] expected;
    private final int[] patternAt;
    private final BitSet starts = new BitSet();
    private final Map<BitSet, List<SegmentClass>> segmentClasses = new HashMap<>();
    private long work;

    /** One example name per class found, and whether every state was visited (else some classes may be missing). */
    record Classes<K>(Map<K, String> examples, boolean complete) {
    }

    /** A set of states as a map key. */
    private record States(int[] ids) {
        @Override
        public boolean equals(Object o) {
            return o instanceof States other && Arrays.equals(ids, other.ids);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(ids);
        }
    }

    /**
     * One example name for every class of plausible repository names that {@code classOf} tells apart, where a
     * name's class depends only on the set of patterns (indices into {@code globs}) that match it, with
     * {@code complete} false if the walk stopped after {@code limit} units of work.
     */
    static <K> Classes<K> classes(List<Glob> globs, Function<BitSet, K> classOf, long limit) {
        return new NameWalk<>(globs, classOf, limit).run();
    }

    private NameWalk(List<Glob> globs, Function<BitSet, K> classOf, long limit) {
        this.classOf = classOf;
        this.limit = limit;
        Map<String, Integer> segmentIds = new HashMap<>();
        List<Integer> expectedList = new ArrayList<>();
        List<Integer> patternList = new ArrayList<>();
        for (int i = 0; i < globs.size(); i++) {
            for (List<List<Glob.Node>> expansion : globs.get(i).expansions()) {
                starts.set(expectedList.size());
                for (List<Glob.Node> segment : GlobAutomaton.withoutRepeatedGlobstars(expansion)) {
                    expectedList.add(Glob.isGlobstar(segment) ? GLOBSTAR : segmentIds.computeIfAbsent(key(segment), k -> addSegment(segment)));
                    patternList.add(i);
                }
                expectedList.add(END);
                patternList.add(i);
            }
        }
        expected = expectedList.stream().mapToInt(Integer::intValue).toArray();
        patternAt = patternList.stream().mapToInt(Integer::intValue).toArray();
    }

    private int addSegment(List<Glob.Node> segment) {
        int start = characters.newState();
        segmentStarts.add(start);
        int end = characters.segment(start, segment);
        characters.accept(end);
        segmentOfEnd.put(end, segmentStarts.size() - 1);
        return segmentStarts.size() - 1;
    }

    /** Equal for segment patterns that match the same strings node by node. */
    private static String key(List<Glob.Node> segment) {
        StringBuilder key = new StringBuilder();
        for (Glob.Node node : segment) {
            if (node instanceof Glob.CharClass cls) {
                key.append(cls.negated() ? "[!" : "[").append(Arrays.toString(cls.ranges())).append(']');
            } else if (node instanceof Glob.Lit lit) {
                key.append('\\').appendCodePoint(lit.codePoint());
            } else {
                key.append(node instanceof Glob.Star ? '*' : '?');
            }
        }
        return key.toString();
    }

    /** A state of a breadth-first walk and the text that reached it first. */
    private record Step(States states, String text) {
    }

    /** The segment patterns that some segments match (and no others of those asked about), and one such segment. */
    private record SegmentClass(BitSet matched, String example) {
    }

    private Classes<K> run() {
        // the start is never in 'seen': a name needs a segment, so a state equal to the start is still a new one
        Set<States> seen = new HashSet<>();
        ArrayDeque<Step> queue = new ArrayDeque<>();
        queue.add(new Step(places(starts), ""));
        Map<K, String> examples = new HashMap<>();
        while (!queue.isEmpty()) {
            Step current = queue.pop();
            int[] places = current.states().ids();
            if (!current.text().isEmpty()) {
                BitSet matched = new BitSet();
                for (int p : places) {
                    if (expected[p] == END) {
                        matched.set(patternAt[p]);
                    }
                }
                examples.putIfAbsent(classOf.apply(matched), current.text());
            }
            if (work > limit) {
                continue; // only the states already found are still looked at
            }
            BitSet waitingFor = new BitSet();
            for (int p : places) {
                if (expected[p] >= 0) {
                    waitingFor.set(expected[p]);
                }
            }
            List<SegmentClass> segments = segmentClasses.computeIfAbsent(waitingFor, this::segmentClasses);
            work += (long) places.length * segments.size();
            for (SegmentClass segment : segments) {
                BitSet next = new BitSet();
                for (int p : places) {
                    int e = expected[p];
                    if (e == GLOBSTAR) {
                        next.set(p);
                    } else if (e >= 0 && segment.matched().get(e)) {
                        next.set(p + 1);
                    }
                }
                States successor = places(next);
                if (seen.add(successor)) {
                    work += successor.ids().length + STORED;
                    queue.add(new Step(successor, current.text().isEmpty() ? segment.example() : current.text() + "/" + segment.example()));
                }
            }
        }
        return new Classes<>(examples, work <= limit);
    }

    /** The places, and past each "**" the place after it too (it may match no segment). */
    private States places(BitSet reached) {
        for (int p = reached.nextSetBit(0); p >= 0; p = reached.nextSetBit(p + 1)) {
            if (expected[p] == GLOBSTAR) {
                reached.set(p + 1);
            }
        }
        return new States(reached.stream().toArray());
    }

    /**
     * For each distinct set of the given segment patterns that some segment matches, that set and an example
     * segment: breadth first over the subset automaton of those patterns' characters.
     */
    private List<SegmentClass> segmentClasses(BitSet segments) {
        BitSet startStates = new BitSet();
        segments.stream().forEach(id -> startStates.set(segmentStarts.get(id)));
        // as in run(), the start (no character yet) is never in 'seen'
        Set<States> seen = new HashSet<>();
        ArrayDeque<Step> queue = new ArrayDeque<>();
        queue.add(new Step(new States(characters.closure(startStates).stream().toArray()), ""));
        Map<BitSet, String> classes = new LinkedHashMap<>();
        while (!queue.isEmpty() && work <= limit) {
            Step current = queue.pop();
            if (!current.text().isEmpty()) {
                BitSet matched = new BitSet();
                for (int s : current.states().ids()) {
                    Integer id = segmentOfEnd.get(s);
                    if (id != null) {
                        matched.set(id);
                    }
                }
                classes.putIfAbsent(matched, current.text());
            }
            TreeSet<Integer> bounds = new TreeSet<>();
            for (int s : current.states().ids()) {
                characters.edges(s).forEach(e -> e.set().boundaries(bounds));
            }
            List<Integer> representatives = GlobAutomaton.representatives(bounds);
            work += (long) current.states().ids().length * representatives.size();
            for (int c : representatives) {
                if (!GlobAutomaton.plausible(c) || c == '/') {
                    continue;
                }
                BitSet next = new BitSet();
                for (int s : current.states().ids()) {
                    for (GlobAutomaton.Edge e : characters.edges(s)) {
                        if (e.set().contains(c)) {
                            next.set(e.to());
                        }
                    }
                }
                States successor = new States(characters.closure(next).stream().toArray());
                if (seen.add(successor)) {
                    work += successor.ids().length + STORED;
                    queue.add(new Step(successor, current.text() + new String(Character.toChars(c))));
                }
            }
        }
        return classes.entrySet().stream().map(c -> new SegmentClass(c.getKey(), c.getValue())).toList();
    }
}
