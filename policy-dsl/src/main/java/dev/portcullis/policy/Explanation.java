package dev.portcullis.policy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** Composes {@link Decision#explain()}: one sentence, built only when someone asks. */
final class Explanation {
    private static final String ALL_AUTHENTICATED_REASON = "the configuration has no accessControl";

    private final CompiledPolicy policy;
    private final PolicyRules rules;
    private final Question question;
    private final Subject subject;
    private final @Nullable String repository;
    private final Action action;
    private final boolean allowed;
    private final Grant grantedBy;
    private final @Nullable String pattern;

    /** A {@link Decision}'s facts, and the policy that decided. */
    Explanation(CompiledPolicy policy, Question question, Subject subject, @Nullable String repository, Action action, boolean allowed,
                Grant grantedBy, @Nullable String pattern) {
        this.policy = policy;
        this.rules = policy.rules();
        this.question = question;
        this.subject = subject;
        this.repository = repository;
        this.action = action;
        this.allowed = allowed;
        this.grantedBy = grantedBy;
        this.pattern = pattern;
    }

    String sentence() {
        return switch (question) {
            case METRICS -> metrics();
            case CATALOG -> catalog();
            case REPOSITORY -> repository();
        };
    }

    private String who() {
        if (subject.isAnonymous()) {
            return "anonymous";
        }
        Set<String> groups = policy.effectiveGroups(subject);
        return "user '" + subject.name() + "'" + (groups.isEmpty() ? " (no groups)" : " (groups: " + String.join(", ", groups) + ")");
    }

    private String verdict() {
        return allowed ? "Allowed" : "Denied";
    }

    private String metrics() {
        String head = verdict() + ": " + who() + (allowed ? " may" : " may not") + " read metrics";
        if (!rules.hasAccessControl()) {
            return head + " — " + ALL_AUTHENTICATED_REASON + ", so every authenticated user may and anonymous callers may not.";
        }
        if (subject.isAnonymous()) {
            return head + (allowed ? " — metrics.anonymousPolicy includes read."
                    : " — metrics.anonymousPolicy does not include read (a repository's anonymousPolicy never opens metrics).");
        }
        if (allowed) {
            return head + " — the user is listed in metrics.users.";
        }
        return head + " — only users listed in metrics.users may read metrics ("
                + (rules.metricsPolicy().users().isEmpty() ? "the list is empty, which denies everyone, admins included"
                : "listed: " + String.join(", ", rules.metricsPolicy().users())) + ").";
    }

    private String catalog() {
        String head = verdict() + ": " + who() + (allowed ? " sees" : " does not see") + " '" + repository + "' in the catalog";
        if (grantedBy == Grant.ADMIN) {
            return head + " — the user is an admin, and admins see every repository whatever adminPolicy.actions says.";
        }
        return head + " — the catalog shows what the subject may read: " + lowerFirst(reasoning());
    }

    private String repository() {
        String head = verdict() + ": " + who() + (allowed ? " may " : " may not ") + action.configName()
                + " '" + repository + "'";
        return head + " — " + reasoning();
    }

    private static String lowerFirst(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    /** Everything after the dash: rule choice, holdings, and why the action is or is not granted. */
    private String reasoning() {
        if (!rules.hasAccessControl()) {
            return ALL_AUTHENTICATED_REASON + ", so every authenticated user may do everything and anonymous callers nothing.";
        }
        StringBuilder out = new StringBuilder();
        List<String> matching = policy.matchingPatterns(Objects.requireNonNull(repository, "a repository decision"));
        if (matching.isEmpty()) {
            out.append("no pattern matches '").append(repository).append("', so only adminPolicy could allow");
        } else {
            String chosen = matching.get(0);
            out.append("pattern '").append(chosen).append("' applies (").append(whyChosen(matching)).append(')');
            out.append("; there ").append(subject.isAnonymous() ? "anonymous holds " : "the user holds ").append(holdings(chosen));
        }
        out.append("; ");
        if (allowed) {
            out.append(action.configName()).append(" is granted by ").append(grantSource());
        } else {
            out.append(action.configName()).append(matching.isEmpty() ? " is not granted" : " is not granted there");
            if (!matching.isEmpty()) {
                RepositoryRule rule = policy.rule(matching.get(0));
                if (!subject.isAnonymous() && rule.anonymousPolicy().contains(action)) {
                    out.append(" (anonymousPolicy has it, but only for callers without credentials)");
                } else if (subject.isAnonymous() && rule.defaultPolicy().contains(action)) {
                    out.append(" (defaultPolicy has it, but only for authenticated users)");
                }
            }
            out.append(", and ").append(adminVerdict());
        }
        return out.append('.').toString();
    }

    private String whyChosen(List<String> matching) {
        String chosen = matching.get(0);
        if (matching.size() == 1) {
            return "the only matching pattern";
        }
        Glob first = policy.glob(chosen);
        List<String> others = matching.subList(1, matching.size());
        String list = others.stream().limit(5).map(p -> "'" + p + "'").collect(Collectors.joining(", "))
                + (others.size() > 5 ? " and " + (others.size() - 5) + " more" : "");
        Glob second = policy.glob(others.get(0));
        String reason;
        if (second.byteLength() < first.byteLength()) {
            reason = "at " + first.byteLength() + " bytes it is the longest of the " + matching.size() + " matching patterns";
        } else if (second.wildcards() > first.wildcards()) {
            reason = "it ties in length with '" + second.pattern() + "' and has fewer wildcards";
        } else {
            reason = "it ties in length and wildcards with '" + second.pattern() + "' and sorts first";
        }
        return reason + "; it overrides " + list + " entirely";
    }

    /** What the subject holds under {@code pattern}'s rule, with the tier of each grant. */
    private String holdings(String pattern) {
        RepositoryRule rule = policy.rule(pattern);
        if (subject.isAnonymous()) {
            return Actions.describe(rule.anonymousPolicy()) + " (anonymousPolicy)";
        }
        Set<String> groups = policy.effectiveGroups(subject);
        Set<Action> total = EnumSet.noneOf(Action.class);
        List<String> sources = new ArrayList<>();
        Set<Action> own = EnumSet.noneOf(Action.class);
        for (PolicyEntry p : rule.policies()) {
            if (p.users().contains(subject.name())) {
                own.addAll(p.actions());
            }
        }
        if (!own.isEmpty()) {
            sources.add("as user: " + Actions.describe(own));
            total.addAll(own);
        }
        for (String g : groups) {
            Set<Action> viaGroup = EnumSet.noneOf(Action.class);
            for (PolicyEntry p : rule.policies()) {
                if (p.groups().contains(g)) {
                    viaGroup.addAll(p.actions());
                }
            }
            if (!viaGroup.isEmpty()) {
                sources.add("group '" + g + "': " + Actions.describe(viaGroup));
                total.addAll(viaGroup);
            }
        }
        if (!rule.defaultPolicy().isEmpty()) {
            sources.add("defaultPolicy: " + Actions.describe(rule.defaultPolicy()));
            total.addAll(rule.defaultPolicy());
        }
        return total.isEmpty() ? "nothing" : Actions.describe(total) + " (" + String.join("; ", sources) + ")";
    }

    private String grantSource() {
        return switch (grantedBy) {
            case USER -> "a policy entry naming the user";
            case GROUP -> {
                RepositoryRule rule = policy.rule(Objects.requireNonNull(pattern, "a group grant's pattern"));
                String group = policy.effectiveGroups(subject).stream()
                        .filter(g -> rule.policies().stream().anyMatch(p -> p.groups().contains(g) && p.actions().contains(action)))
                        .findFirst().orElse("?");
                yield "group '" + group + "'";
            }
            case DEFAULT -> "defaultPolicy, which every authenticated user holds";
            case ANONYMOUS -> "anonymousPolicy";
            case ADMIN -> "adminPolicy (" + adminMembership() + ")";
            case NONE -> throw new IllegalStateException("an allowed decision without a grant");
        };
    }

    private String adminMembership() {
        AdminPolicy admin = rules.adminPolicy();
        if (admin.users().contains(subject.name())) {
            return "listed in adminPolicy.users";
        }
        String group = policy.effectiveGroups(subject).stream().filter(admin.groups()::contains).findFirst().orElse("?");
        return "member of admin group '" + group + "'";
    }

    private String adminVerdict() {
        if (subject.isAnonymous()) {
            return "adminPolicy never applies to anonymous callers";
        }
        if (!policy.isAdmin(subject)) {
            return "the user is not in adminPolicy";
        }
        return "the user is in adminPolicy (" + adminMembership() + ") but adminPolicy.actions ("
                + Actions.describe(rules.adminPolicy().actions()) + ") lacks " + action.configName();
    }
}
