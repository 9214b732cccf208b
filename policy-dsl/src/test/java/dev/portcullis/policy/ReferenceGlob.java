package dev.portcullis.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * The straightforward matcher the compiled {@link Glob} is proven equal to: brace alternatives
 * expanded textually, pattern and name split on '/', {@code **} segments matched by trying every
 * number of name segments, other segments by classic recursive wildcard matching. Slow and obvious
 * on purpose. Handles the syntax the property generators produce (no '/' inside classes or escapes).
 */
final class ReferenceGlob {
    private ReferenceGlob() {
    }

    static boolean matches(String pattern, String name) {
        for (String expansion : expand(pattern)) {
            if (matchSegments(split(expansion), 0, split(name), 0)) {
                return true;
            }
        }
        return false;
    }

    /** Unescaped '*', '?', '[' and '{' outside character classes. */
    static int wildcards(String pattern) {
        int count = 0;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '[') {
                count++;
                i = classEnd(pattern, i);
            } else if (c == '*' || c == '?' || c == '{') {
                count++;
            }
        }
        return count;
    }

    static List<String> expand(String pattern) {
        int open = -1;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '[') {
                i = classEnd(pattern, i);
            } else if (c == '{') {
                open = i;
                break;
            }
        }
        List<String> out = new ArrayList<>();
        if (open < 0) {
            out.add(pattern);
            return out;
        }
        int depth = 0;
        int start = open + 1;
        List<String> options = new ArrayList<>();
        int close = -1;
        for (int i = open; i < pattern.length() && close < 0; i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '[') {
                i = classEnd(pattern, i);
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
                if (depth == 0) {
                    options.add(pattern.substring(start, i));
                    close = i;
                }
            } else if (c == ',' && depth == 1) {
                options.add(pattern.substring(start, i));
                start = i + 1;
            }
        }
        for (String option : options) {
            out.addAll(expand(pattern.substring(0, open) + option + pattern.substring(close + 1)));
        }
        return out;
    }

    private static int classEnd(String p, int open) {
        int i = open + 1;
        if (i < p.length() && (p.charAt(i) == '!' || p.charAt(i) == '^')) {
            i++;
        }
        while (p.charAt(i) != ']') {
            if (p.charAt(i) == '\\') {
                i++;
            }
            i++;
        }
        return i;
    }

    private static List<String> split(String s) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\\') {
                i++;
            } else if (s.charAt(i) == '/') {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    private static boolean matchSegments(List<String> pattern, int pi, List<String> name, int ni) {
        if (pi == pattern.size()) {
            return ni == name.size();
        }
        if (pattern.get(pi).equals("**")) {
            for (int k = ni; k <= name.size(); k++) {
                if (matchSegments(pattern, pi + 1, name, k)) {
                    return true;
                }
            }
            return false;
        }
        return ni < name.size() && matchSegment(pattern.get(pi), 0, name.get(ni), 0) && matchSegments(pattern, pi + 1, name, ni + 1);
    }

    private static boolean matchSegment(String p, int i, String s, int j) {
        if (i == p.length()) {
            return j == s.length();
        }
        char c = p.charAt(i);
        if (c == '*') {
            for (int k = j; k <= s.length(); k++) {
                if (matchSegment(p, i + 1, s, k)) {
                    return true;
                }
            }
            return false;
        }
        if (j == s.length()) {
            return false;
        }
        if (c == '?') {
            return matchSegment(p, i + 1, s, j + 1);
        }
        if (c == '[') {
            int end = classEnd(p, i);
            return classMatches(p.substring(i + 1, end), s.charAt(j)) && matchSegment(p, end + 1, s, j + 1);
        }
        if (c == '\\') {
            return p.charAt(i + 1) == s.charAt(j) && matchSegment(p, i + 2, s, j + 1);
        }
        return c == s.charAt(j) && matchSegment(p, i + 1, s, j + 1);
    }

    private static boolean classMatches(String body, char ch) {
        boolean negated = body.charAt(0) == '!' || body.charAt(0) == '^';
        int i = negated ? 1 : 0;
        boolean hit = false;
        while (i < body.length()) {
            char lo = body.charAt(i);
            if (lo == '\\') {
                lo = body.charAt(++i);
            }
            i++;
            char hi = lo;
            if (i + 1 < body.length() && body.charAt(i) == '-') {
                hi = body.charAt(i + 1);
                if (hi == '\\') {
                    hi = body.charAt(i + 2);
                    i++;
                }
                i += 2;
            }
            if (lo <= ch && ch <= hi) {
                hit = true;
            }
        }
        return hit != negated;
    }
}
