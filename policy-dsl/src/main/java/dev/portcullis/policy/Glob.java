package dev.portcullis.policy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One repository pattern with zot's (doublestar v4) glob syntax, parsed once into segments of
 * tokens and matched without backtracking blow-ups.
 *
 * <p>Syntax: {@code *} any run of characters but {@code /}; {@code ?} one character but {@code /};
 * {@code [abc]}, {@code [a-z]}, {@code [^a]}/{@code [!a]} classes (never matching {@code /});
 * {@code {a,b}} alternatives, nestable, expanded textually before matching; {@code \} escapes the next character; {@code **} as a whole
 * path segment matches zero or more segments, anywhere else it is a plain {@code *}. Matching is
 * case-sensitive and must cover the whole name.
 */
final class Glob {
    /** More alternatives than this, all braces multiplied out, is almost certainly a mistake. */
    static final int MAX_EXPANSIONS = 1024;

    private final String pattern;
    private final int byteLength;
    private final int wildcards;
    /** The unescaped text when the pattern has no wildcard at all, else null. */
    private final @Nullable String literal;
    /** A literal prefix that every matching name starts with, per brace expansion, without duplicates. */
    private final List<String> prefixes;
    /** {@code **} and the like: no need to run a matcher. */
    private final boolean matchesEverything;
    /** Per brace expansion, its path segments; for analysis (lint, diff), not for matching. */
    private final List<List<List<Node>>> expansions;

    private Glob(String pattern, int wildcards, @Nullable String literal, List<String> prefixes, List<List<List<Node>>> expansions) {
        this.pattern = pattern;
        this.byteLength = pattern.getBytes(StandardCharsets.UTF_8).length;
        this.wildcards = wildcards;
        this.literal = literal;
        this.prefixes = prefixes;
        this.expansions = expansions;
        this.matchesEverything = literal == null && expansions.stream().anyMatch(e -> e.size() == 1 && isGlobstar(e.get(0)));
    }

    /**
     * Parses and compiles a pattern.
     *
     * @throws IllegalArgumentException naming the pattern, the 1-based position and the problem
     */
    static Glob compile(String pattern) {
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("the empty pattern matches no repository name; use \"**\" for every repository");
        }
        if (pattern.charAt(0) == '/') {
            throw new IllegalArgumentException("pattern '" + pattern + "' starts with '/', but repository names never do,"
                    + " so it can never match; remove the leading '/'");
        }
        Parser parser = new Parser(pattern);
        List<Node> nodes = parser.sequence(false, -1);
        List<List<Node>> expansions = expand(pattern, nodes);
        Set<String> prefixes = new LinkedHashSet<>();
        List<List<List<Node>>> segmented = new ArrayList<>();
        for (List<Node> expansion : expansions) {
            List<List<Node>> segments = segments(expansion);
            segmented.add(segments);
            prefixes.add(prefix(segments));
        }
        if (parser.wildcards == 0) {
            String text = expansions.get(0).stream().map(Node::literalText).reduce("", String::concat);
            return new Glob(pattern, 0, text, List.of(text), segmented);
        }
        return new Glob(pattern, parser.wildcards, null, List.copyOf(prefixes), segmented);
    }

    boolean matches(String name) {
        if (literal != null) {
            return literal.equals(name);
        }
        if (matchesEverything) {
            return true;
        }
        int[] bounds = segmentBounds(name);
        for (List<List<Node>> expansion : expansions) {
            if (matchSegments(expansion, name, bounds)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- matching
    //
    // Greedy wildcard matching with a single backtrack point, at two levels: '**' over whole
    // segments, '*' over characters inside a segment. Both run in time proportional to the product
    // of the lengths, never exponential: a hostile repository name cannot make a policy pattern
    // (say "*-*-*-*-*-x") take seconds, as a backtracking regular expression would.

    /** Start and end (exclusive) of each '/'-separated segment of the name, as pairs. */
    private static int[] segmentBounds(String name) {
        int count = 1;
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) == '/') {
                count++;
            }
        }
        int[] bounds = new int[count * 2];
        int start = 0;
        int k = 0;
        for (int i = 0; i <= name.length(); i++) {
            if (i == name.length() || name.charAt(i) == '/') {
                bounds[k++] = start;
                bounds[k++] = i;
                start = i + 1;
            }
        }
        return bounds;
    }

    private static boolean matchSegments(List<List<Node>> pattern, String name, int[] bounds) {
        int segments = bounds.length / 2;
        int p = 0;
        int n = 0;
        int starP = -1;
        int starN = -1;
        while (n < segments) {
            if (p < pattern.size() && isGlobstar(pattern.get(p))) {
                starP = p++;
                starN = n;
                continue;
            }
            if (p < pattern.size() && matchSegment(pattern.get(p), name, bounds[2 * n], bounds[2 * n + 1])) {
                p++;
                n++;
                continue;
            }
            if (starP >= 0) {
                p = starP + 1;
                n = ++starN;
                continue;
            }
            return false;
        }
        while (p < pattern.size() && isGlobstar(pattern.get(p))) {
            p++;
        }
        return p == pattern.size();
    }

    private static boolean matchSegment(List<Node> pattern, String s, int from, int to) {
        int p = 0;
        int i = from;
        int starP = -1;
        int starI = -1;
        while (i < to) {
            if (p < pattern.size()) {
                Node node = pattern.get(p);
                if (node instanceof Star) {
                    starP = p++;
                    starI = i;
                    continue;
                }
                int cp = s.codePointAt(i);
                if (matchesOne(node, cp)) {
                    p++;
                    i += Character.charCount(cp);
                    continue;
                }
            }
            if (starP >= 0) {
                p = starP + 1;
                starI += Character.charCount(s.codePointAt(starI));
                i = starI;
                continue;
            }
            return false;
        }
        while (p < pattern.size() && pattern.get(p) instanceof Star) {
            p++;
        }
        return p == pattern.size();
    }

    /** One character against a literal, '?' or a class; none of them matches '/' (segments hold none). */
    private static boolean matchesOne(Node node, int cp) {
        if (node instanceof Lit lit) {
            return lit.codePoint() == cp;
        }
        if (node instanceof AnyChar) {
            return cp != '/';
        }
        CharClass cls = (CharClass) node;
        boolean in = false;
        int[] r = cls.ranges();
        for (int k = 0; k < r.length; k += 2) {
            if (r[k] <= cp && cp <= r[k + 1]) {
                in = true;
                break;
            }
        }
        return cp != '/' && in != cls.negated();
    }

    String pattern() {
        return pattern;
    }

    /** Length in UTF-8 bytes, zot's measure of "longest pattern". */
    int byteLength() {
        return byteLength;
    }

    /** Unescaped {@code * ? [ {} outside character classes; the tie-break prefers fewer. */
    int wildcards() {
        return wildcards;
    }

    boolean isLiteral() {
        return literal != null;
    }

    List<String> prefixes() {
        return prefixes;
    }

    List<List<List<Node>>> expansions() {
        return expansions;
    }

    // ---------------------------------------------------------------- syntax tree

    sealed interface Node permits Lit, Sep, AnyChar, Star, CharClass, Alternatives {
        default String literalText() {
            throw new IllegalStateException("not a literal: " + this);
        }
    }

    record Lit(int codePoint) implements Node {
        @Override
        public String literalText() {
            return new String(Character.toChars(codePoint));
        }
    }

    record Sep() implements Node {
        @Override
        public String literalText() {
            return "/";
        }
    }

    record AnyChar() implements Node {
    }

    record Star(int count) implements Node {
    }

    /** {@code ranges} holds pairs lo, hi (inclusive code points). */
    record CharClass(boolean negated, int[] ranges) implements Node {
    }

    record Alternatives(List<List<Node>> options) implements Node {
    }

    private static final class Parser {
        private final String p;
        private int i;
        int wildcards;

        Parser(String pattern) {
            this.p = pattern;
        }

        private IllegalArgumentException error(int at, String what) {
            return new IllegalArgumentException("invalid pattern '" + p + "' at position " + (at + 1) + ": " + what);
        }

        /** Parses until the end, or inside braces until an unescaped ',' or '}' (not consumed). */
        List<Node> sequence(boolean inBraces, int braceStart) {
            List<Node> out = new ArrayList<>();
            while (i < p.length()) {
                int c = p.codePointAt(i);
                if (inBraces && (c == ',' || c == '}')) {
                    return out;
                }
                switch (c) {
                    case '\\' -> {
                        if (i + 1 >= p.length()) {
                            throw error(i, "a trailing '\\' escapes nothing; write '\\\\' for a literal backslash");
                        }
                        int escaped = p.codePointAt(i + 1);
                        out.add(escaped == '/' ? new Sep() : new Lit(escaped));
                        i += 1 + Character.charCount(escaped);
                    }
                    case '/' -> {
                        out.add(new Sep());
                        i++;
                    }
                    case '?' -> {
                        wildcards++;
                        out.add(new AnyChar());
                        i++;
                    }
                    case '*' -> {
                        int start = i;
                        while (i < p.length() && p.charAt(i) == '*') {
                            i++;
                        }
                        wildcards += i - start;
                        out.add(new Star(i - start));
                    }
                    case '[' -> {
                        wildcards++;
                        out.add(charClass());
                    }
                    case '{' -> {
                        wildcards++;
                        out.add(alternatives());
                    }
                    default -> {
                        out.add(new Lit(c));
                        i += Character.charCount(c);
                    }
                }
            }
            if (inBraces) {
                throw error(braceStart, "'{' is never closed; add the matching '}' or escape it as '\\{'");
            }
            return out;
        }

        private Node alternatives() {
            int start = i;
            i++; // '{'
            List<List<Node>> options = new ArrayList<>();
            while (true) {
                options.add(sequence(true, start));
                char c = p.charAt(i++);
                if (c == '}') {
                    return new Alternatives(options);
                }
            }
        }

        private Node charClass() {
            int start = i;
            i++; // '['
            boolean negated = i < p.length() && (p.charAt(i) == '!' || p.charAt(i) == '^');
            if (negated) {
                i++;
            }
            if (i >= p.length()) {
                throw error(start, "'[' is never closed; add the matching ']' or escape it as '\\['");
            }
            if (p.charAt(i) == ']') {
                throw error(start, "empty character class '" + p.substring(start, i + 1) + "'; a class needs at least one character");
            }
            List<Integer> ranges = new ArrayList<>();
            while (i < p.length() && p.charAt(i) != ']') {
                int lo = classChar(start);
                int hi = lo;
                if (i + 1 < p.length() && p.charAt(i) == '-' && p.charAt(i + 1) != ']') {
                    int dash = i;
                    i++;
                    hi = classChar(start);
                    if (hi < lo) {
                        throw error(dash, "range '" + new String(Character.toChars(lo)) + "-" + new String(Character.toChars(hi))
                                + "' is backwards and matches nothing; write the smaller character first");
                    }
                }
                ranges.add(lo);
                ranges.add(hi);
            }
            if (i >= p.length()) {
                throw error(start, "'[' is never closed; add the matching ']' or escape it as '\\['");
            }
            i++; // ']'
            return new CharClass(negated, ranges.stream().mapToInt(Integer::intValue).toArray());
        }

        private int classChar(int classStart) {
            if (p.charAt(i) == '\\') {
                i++;
                if (i >= p.length()) {
                    throw error(classStart, "'[' is never closed; add the matching ']' or escape it as '\\['");
                }
            }
            int c = p.codePointAt(i);
            i += Character.charCount(c);
            return c;
        }
    }

    // ---------------------------------------------------------------- compilation

    private static List<List<Node>> expand(String pattern, List<Node> nodes) {
        List<List<Node>> results = new ArrayList<>();
        results.add(new ArrayList<>());
        for (Node node : nodes) {
            if (node instanceof Alternatives alt) {
                List<List<Node>> options = new ArrayList<>();
                for (List<Node> option : alt.options()) {
                    options.addAll(expand(pattern, option));
                }
                if ((long) results.size() * options.size() > MAX_EXPANSIONS) {
                    throw new IllegalArgumentException("invalid pattern '" + pattern + "': its {…} alternatives multiply out to more than "
                            + MAX_EXPANSIONS + " patterns; split it into several patterns");
                }
                List<List<Node>> next = new ArrayList<>();
                for (List<Node> head : results) {
                    for (List<Node> tail : options) {
                        List<Node> joined = new ArrayList<>(head);
                        joined.addAll(tail);
                        next.add(joined);
                    }
                }
                results = next;
            } else {
                for (List<Node> r : results) {
                    r.add(node);
                }
            }
        }
        return results;
    }

    private static List<List<Node>> segments(List<Node> expansion) {
        List<List<Node>> segments = new ArrayList<>();
        List<Node> current = new ArrayList<>();
        for (Node n : expansion) {
            if (n instanceof Sep) {
                segments.add(current);
                current = new ArrayList<>();
            } else if (n instanceof Star star && !current.isEmpty() && current.get(current.size() - 1) instanceof Star previous) {
                // alternatives expand textually: "*{,*}" is "**"
                current.set(current.size() - 1, new Star(previous.count() + star.count()));
            } else {
                current.add(n);
            }
        }
        segments.add(current);
        return segments;
    }

    static boolean isGlobstar(List<Node> segment) {
        return segment.size() == 1 && segment.get(0) instanceof Star s && s.count() == 2;
    }

    private static String prefix(List<List<Node>> segments) {
        StringBuilder prefix = new StringBuilder();
        for (int s = 0; s < segments.size(); s++) {
            List<Node> segment = segments.get(s);
            if (isGlobstar(segment)) {
                // "a/**" (and "a/**/**") also matches "a": the separator before final **s is optional, as in matches()
                if (segments.subList(s, segments.size()).stream().allMatch(Glob::isGlobstar) && prefix.length() > 0) {
                    prefix.setLength(prefix.length() - 1);
                }
                return prefix.toString();
            }
            for (Node n : segment) {
                if (!(n instanceof Lit)) {
                    return prefix.toString();
                }
                prefix.append(n.literalText());
            }
            if (s < segments.size() - 1) {
                prefix.append('/');
            }
        }
        return prefix.toString();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
