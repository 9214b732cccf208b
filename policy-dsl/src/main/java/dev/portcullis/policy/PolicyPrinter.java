package dev.portcullis.policy;

import dev.portcullis.policy.PolicyLexer.Token;
import dev.portcullis.policy.PolicyLexer.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** Writes the Portcullis policy language: a policy's canonical text, and a re-layout of existing text that keeps its comments. */
final class PolicyPrinter {
    private static final List<String> KEYWORDS = List.of("repo", "group", "groups", "user", "users", "admin", "metrics", "test", "policy",
            "anonymous", "authenticated", "none", "all", "can", "cannot", "on", "list");

    private PolicyPrinter() {
    }

    /** The canonical text of a policy: groups, repo blocks in declaration order, admin, metrics. */
    static String print(PolicyRules rules) {
        if (!rules.hasAccessControl()) {
            throw new IllegalStateException("a policy without accessControl (zot: every authenticated user may do everything)"
                    + " has no text form; write the rules you want, e.g. repo \"**\" { authenticated: all }");
        }
        StringBuilder out = new StringBuilder();
        rules.groups().forEach((g, users) -> out.append("group ").append(name(g)).append(':')
                .append(users.isEmpty() ? "" : " " + names(users)).append('\n'));
        for (RepositoryRule rule : rules.repositories()) {
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append("repo ").append(PolicyRules.quote(rule.pattern())).append(" {\n");
            if (!rule.anonymousPolicy().isEmpty() || !rule.anonymousBehaviours().isEmpty()) {
                out.append("  anonymous: ").append(actions(rule.anonymousPolicy(), rule.anonymousBehaviours())).append('\n');
            }
            if (!rule.defaultPolicy().isEmpty() || !rule.defaultBehaviours().isEmpty()) {
                out.append("  authenticated: ").append(actions(rule.defaultPolicy(), rule.defaultBehaviours())).append('\n');
            }
            for (PolicyEntry e : rule.policies()) {
                if (!e.users().isEmpty() || !e.groups().isEmpty()) {
                    out.append("  ").append(principals(e.users(), e.groups())).append(": ").append(actions(e.actions(), e.behaviours()))
                            .append('\n');
                }
            }
            out.append("}\n");
        }
        AdminPolicy admin = rules.adminPolicy();
        MetricsPolicy metrics = rules.metricsPolicy();
        boolean printAdmin = !admin.users().isEmpty() || !admin.groups().isEmpty();
        boolean printMetrics = metrics.anonymousPolicy().contains(Action.READ) || !metrics.users().isEmpty();
        if ((printAdmin || printMetrics) && out.length() > 0) {
            out.append('\n');
        }
        if (printAdmin) {
            out.append("admin ").append(principals(admin.users(), admin.groups())).append(": ").append(actions(admin.actions(), Set.of())).append('\n');
        }
        if (metrics.anonymousPolicy().contains(Action.READ)) {
            out.append("metrics anonymous: read\n");
        }
        if (!metrics.users().isEmpty()) {
            out.append("metrics user ").append(names(metrics.users())).append(": read\n");
        }
        return out.toString();
    }

    /** {@code user a, b group c}, as a line of a repo block names them. */
    static String principals(List<String> users, List<String> groups) {
        String u = users.isEmpty() ? "" : "user " + names(users);
        String g = groups.isEmpty() ? "" : "group " + names(groups);
        return u.isEmpty() ? g : g.isEmpty() ? u : u + " " + g;
    }

    /** The actions, then zot's behaviours; "none" for neither. */
    private static String actions(Set<Action> actions, Set<Behaviour> behaviours) {
        if (actions.isEmpty() && behaviours.isEmpty()) {
            return "none";
        }
        return java.util.stream.Stream.concat(actions.stream().sorted().map(Action::configName), behaviours.stream().sorted().map(Behaviour::configName))
                .collect(Collectors.joining(", "));
    }

    private static String names(List<String> names) {
        return names.stream().map(PolicyPrinter::name).collect(Collectors.joining(", "));
    }

    /** A bare word when it reads back as the same name, else a JSON string. */
    static String name(String name) {
        boolean bare = !name.isEmpty() && !KEYWORDS.contains(name) && name.codePoints().allMatch(PolicyLexer::isWordChar);
        return bare ? name : PolicyRules.quote(name);
    }

    /**
     * Re-lays out a policy file without changing what it says: two-space indentation by brace
     * depth, one space after ',' and ':', none before, comments kept where they are, at most one
     * blank line in a row and none just inside braces. Continuation lines (after a trailing ',')
     * are indented four more spaces. Idempotent.
     */
    static String format(String source, String text) {
        List<List<Token>> lines = new ArrayList<>();
        List<Token> current = new ArrayList<>();
        for (Token t : PolicyLexer.tokenize(source, text)) {
            if (t.type() == Type.NEWLINE || t.type() == Type.EOF) {
                lines.add(current);
                current = new ArrayList<>();
            } else {
                current.add(t);
            }
        }
        StringBuilder out = new StringBuilder();
        int depth = 0;
        boolean continuation = false;
        boolean pendingBlank = false;
        boolean afterOpen = true; // no blank line at the start of the file
        for (List<Token> line : lines) {
            if (line.isEmpty()) {
                pendingBlank = !afterOpen;
                continue;
            }
            boolean closes = line.get(0).type() == Type.RBRACE;
            if (closes) {
                depth = Math.max(0, depth - 1);
                pendingBlank = false;
            }
            if (pendingBlank) {
                out.append('\n');
                pendingBlank = false;
            }
            out.append("  ".repeat(depth)).append(continuation ? "    " : "");
            Token previous = null;
            for (int k = 0; k < line.size(); k++) {
                Token t = line.get(k);
                if (previous != null) {
                    out.append(spaceBetween(previous, t));
                }
                out.append(t.text());
                if (t.type() == Type.LBRACE) {
                    depth++;
                } else if (t.type() == Type.RBRACE && !(closes && k == 0)) {
                    depth = Math.max(0, depth - 1);
                }
                previous = t;
            }
            out.append('\n');
            Token last = lastCodeToken(line);
            continuation = last != null && last.type() == Type.COMMA;
            afterOpen = last != null && last.type() == Type.LBRACE;
        }
        return out.toString();
    }

    private static @Nullable Token lastCodeToken(List<Token> line) {
        for (int k = line.size() - 1; k >= 0; k--) {
            if (line.get(k).type() != Type.COMMENT) {
                return line.get(k);
            }
        }
        return null;
    }

    private static String spaceBetween(Token a, Token b) {
        if (b.type() == Type.COMMENT) {
            return "  ";
        }
        if (b.type() == Type.COMMA || b.type() == Type.COLON || b.type() == Type.RBRACKET || a.type() == Type.LBRACKET) {
            return "";
        }
        return " ";
    }
}
