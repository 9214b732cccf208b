package dev.portcullis.policy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Finds the mistakes a policy can load with: patterns that can never match or never apply,
 * ties the tie-break decides, anonymous writes, literal {@code "*"} users, admins without actions,
 * metrics nobody may read, groups nobody uses; for a Maven repository ({@link Store#MAVEN}), grants
 * that stop a deploy half-way and updates of releases.
 *
 * <pre>{@code
 * for (PolicyLint.Finding f : PolicyLint.check(policy)) System.out.println(f);
 * }</pre>
 */
public final class PolicyLint {
    /** Pattern pairs compared exactly for ties and shadowing; beyond this a policy is only partly checked. */
    static final int MAX_COMPARISONS = 50_000;

    /** How bad a finding is. */
    public enum Severity {
        /** The policy certainly does not do what it says, e.g. a pattern that can never match. */
        ERROR,
        /** The policy may not do what its author meant: worth a look, possibly intended. */
        WARNING
    }

    /**
     * The kind of store the policy protects, for the checks that depend on its names: OCI repository names are lower-case;
     * Maven names ({@code <repository-id>/<groupId as path>/<artifactId>}, as {@code MavenRoutes} gives them) may hold
     * capitals, and have traps of their own.
     */
    public enum Store {
        /** An OCI registry: repository names are lower-case. */
        OCI,
        /** A Maven repository: names are {@code <repository-id>/<groupId as path>/<artifactId>}. */
        MAVEN
    }

    /**
     * One mistake found in a policy.
     *
     * @param severity how bad it is
     * @param location where in the policy, e.g. {@code registry.policy:4 repo "team/*"} or {@code repositories["team/*"]}
     * @param message what is wrong, in a sentence
     * @param fix what to do about it
     */
    public record Finding(Severity severity, String location, String message, String fix) {
        @Override
        public String toString() {
            return severity.name().toLowerCase(Locale.ROOT) + ": " + location + ": " + message + "\n  fix: " + fix;
        }
    }

    private PolicyLint() {
    }

    /**
     * Lints a policy for an OCI registry, loaded from zot JSON; locations are JSON paths.
     *
     * @param policy the policy to check
     * @return the findings, errors and warnings mixed; empty when nothing was found
     */
    public static List<Finding> check(AccessPolicy policy) {
        return check(policy, Store.OCI);
    }

    /**
     * Lints a policy for a kind of store, loaded from zot JSON; locations are JSON paths.
     *
     * @param policy the policy to check
     * @param store the kind of store it protects, which decides the name checks
     * @return the findings, errors and warnings mixed; empty when nothing was found
     */
    public static List<Finding> check(AccessPolicy policy, Store store) {
        return check(policy, store, anchor -> anchor);
    }

    /**
     * Lints a parsed policy file for an OCI registry; locations carry the file name and line.
     *
     * @param doc the parsed {@code .policy} file
     * @return the findings, errors and warnings mixed; empty when nothing was found
     */
    public static List<Finding> check(PolicyDocument doc) {
        return check(doc, Store.OCI);
    }

    /**
     * Lints a parsed policy file for a kind of store; locations carry the file name and line.
     *
     * @param doc the parsed {@code .policy} file
     * @param store the kind of store it protects, which decides the name checks
     * @return the findings, errors and warnings mixed; empty when nothing was found
     */
    public static List<Finding> check(PolicyDocument doc, Store store) {
        return check(doc.policy(), store, anchor -> {
            String key;
            String shown;
            if (anchor.startsWith("repositories[")) {
                String pattern = decode(anchor, "repositories[");
                key = PolicyParser.repositoryAnchor(pattern);
                shown = "repo " + PolicyRules.quote(pattern);
            } else if (anchor.startsWith("groups[")) {
                String group = decode(anchor, "groups[");
                key = PolicyParser.groupAnchor(group);
                shown = "group " + PolicyPrinter.name(group);
            } else {
                key = anchor.equals("adminPolicy") ? PolicyParser.ADMIN_ANCHOR : anchor.startsWith("metrics") ? PolicyParser.METRICS_ANCHOR : anchor;
                shown = key;
            }
            return doc.source() + doc.line(key).map(l -> ":" + l).orElse("") + " " + shown;
        });
    }

    private static String decode(String anchor, String prefix) {
        String quoted = anchor.substring(prefix.length(), anchor.indexOf(']', anchor.lastIndexOf('"')));
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readValue(quoted, String.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Finding> check(AccessPolicy policy, Store store, Function<String, String> locate) {
        List<Finding> out = new ArrayList<>();
        if (!policy.hasAccessControl()) {
            out.add(new Finding(Severity.WARNING, locate.apply("http"), "the configuration has no accessControl, so every authenticated"
                    + " user may do everything and anonymous callers nothing",
                    "add an accessControl section, even a single \"**\" rule, to say who may do what"));
            return out;
        }
        List<Glob> globs = new ArrayList<>();
        for (RepositoryRule rule : policy.repositories()) {
            globs.add(policy.compiled().glob(rule.pattern()));
        }
        for (RepositoryRule rule : policy.repositories()) {
            String where = locate.apply(PolicyRules.repositoryPath(rule.pattern()));
            if (store == Store.OCI) {
                upperCase(rule.pattern()).ifPresent(lower -> out.add(new Finding(Severity.ERROR, where,
                        "pattern '" + rule.pattern() + "' contains upper-case letters, but OCI repository names are lower-case,"
                                + " so it can never match a real repository", "write it in lower case: '" + lower + "'")));
            } else {
                mavenTraps(policy, rule, where, out);
            }
            Set<Action> anonymousWrites = new java.util.TreeSet<>(rule.anonymousPolicy());
            anonymousWrites.remove(Action.READ);
            if (!anonymousWrites.isEmpty()) {
                out.add(new Finding(Severity.WARNING, where, "anonymous callers may " + Actions.describe(anonymousWrites)
                        + " in repositories matching '" + rule.pattern() + "'",
                        "give anonymous callers read at most; writers should authenticate (an account or an API key)"));
            }
            behaviourTraps(rule, store, where, out);
            for (PolicyEntry e : rule.policies()) {
                if (e.users().contains("*")) {
                    out.add(new Finding(Severity.WARNING, where, "users: [\"*\"] names a user literally called '*'; it is not a wildcard",
                            "to grant every authenticated user, use defaultPolicy (authenticated: in a .policy file)"));
                }
            }
        }
        AdminPolicy admin = policy.adminPolicy();
        if (admin.users().contains("*")) {
            out.add(new Finding(Severity.WARNING, locate.apply("adminPolicy"), "adminPolicy.users [\"*\"] names a user literally called '*'",
                    "list the admins by name, or use an admin group"));
        }
        if ((!admin.users().isEmpty() || !admin.groups().isEmpty()) && admin.actions().isEmpty()) {
            out.add(new Finding(Severity.WARNING, locate.apply("adminPolicy"), "adminPolicy names admins but no actions: they may do"
                    + " nothing beyond seeing every repository in the catalog", "add the actions admins need, e.g. read, create, update, delete"));
        }
        if (policy.metricsPolicy().users().isEmpty()) {
            out.add(new Finding(Severity.WARNING, locate.apply("metrics"), "metrics.users is empty: every authenticated caller, admins"
                    + " included, is denied the metrics endpoint (403)"
                    + (policy.metricsPolicy().anonymousPolicy().contains(Action.READ) ? " even though anonymous callers may read it" : ""),
                    "list the scraper's user in metrics.users (metrics user prometheus: read)"));
        }
        Set<String> usedGroups = new HashSet<>(admin.groups());
        policy.repositories().forEach(r -> r.policies().forEach(e -> usedGroups.addAll(e.groups())));
        for (String group : policy.groups().keySet()) {
            if (!usedGroups.contains(group)) {
                out.add(new Finding(Severity.WARNING, locate.apply("groups[" + PolicyRules.quote(group) + "]"), "group '" + group
                        + "' is defined but no repository rule or adminPolicy grants it anything", "grant it something, or remove it"));
            }
        }
        overlaps(policy, globs, locate, out);
        return out;
    }

    /**
     * zot's behaviour {@code detectManifestCollision} changes only deletes of OCI manifests: given on a line that grants no
     * delete, or for a Maven repository, it does nothing.
     */
    private static void behaviourTraps(RepositoryRule rule, Store store, String where, List<Finding> out) {
        List<String> idle = new ArrayList<>();
        if (!rule.anonymousBehaviours().isEmpty() && !rule.anonymousPolicy().contains(Action.DELETE)) {
            idle.add("anonymous callers");
        }
        if (!rule.defaultBehaviours().isEmpty() && !rule.defaultPolicy().contains(Action.DELETE)) {
            idle.add("authenticated users");
        }
        for (PolicyEntry e : rule.policies()) {
            if (!e.behaviours().isEmpty() && !e.actions().contains(Action.DELETE)) {
                idle.add(PolicyPrinter.principals(e.users(), e.groups()));
            }
        }
        boolean any = !rule.anonymousBehaviours().isEmpty() || !rule.defaultBehaviours().isEmpty()
                || rule.policies().stream().anyMatch(e -> !e.behaviours().isEmpty());
        if (any && store == Store.MAVEN) {
            out.add(new Finding(Severity.WARNING, where, Behaviour.DETECT_MANIFEST_COLLISION.configName() + " applies to OCI manifests,"
                    + " which a Maven repository does not have: it does nothing here", "remove it"));
        } else if (!idle.isEmpty()) {
            out.add(new Finding(Severity.WARNING, where, Behaviour.DETECT_MANIFEST_COLLISION.configName() + " only changes how a manifest"
                    + " is deleted by digest, and the line that gives it to " + String.join(", ", idle) + " grants no delete: it does"
                    + " nothing there", "give it on the line that grants delete, or remove it"));
        }
    }

    /**
     * Maven's traps: a deployer whose grant ends in {@code /*} may not write the group's own metadata (a plugin's
     * {@code <group>/maven-metadata.xml} is named as the group, which {@code group/*} does not match, where
     * {@code group/**} would), so a deploy stops half-way; and {@code update} on a release repository lets a non-admin
     * overwrite a published release.
     */
    private static void mavenTraps(AccessPolicy policy, RepositoryRule rule, String where, List<Finding> out) {
        String pattern = rule.pattern();
        for (PolicyEntry e : rule.policies()) {
            List<Subject> who = new ArrayList<>();
            e.users().forEach(u -> who.add(Subject.user(u)));
            e.groups().forEach(g -> who.add(Subject.user("a member of " + g, g)));
            String whom = e.users().isEmpty() && e.groups().size() == 1 ? "group '" + e.groups().iterator().next() + "'"
                    : "users " + e.users() + " and groups " + e.groups();
            if (e.actions().contains(Action.CREATE) && pattern.endsWith("/*")) {
                String group = pattern.substring(0, pattern.length() - 2);
                boolean literal = group.chars().noneMatch(c -> "*?[]{}\\".indexOf(c) >= 0);
                if (literal && who.stream().anyMatch(s -> !policy.decide(s, group, Action.CREATE).allowed())) {
                    out.add(new Finding(Severity.WARNING, where, whom + " may deploy below '" + group + "' but may not create '" + group
                            + "' itself, the name of that group's maven-metadata.xml (the index of its Maven plugins): a plugin's deploy"
                            + " would stop half-way, its files stored and its prefix unlisted",
                            "grant create on '" + group + "' as well (a rule for '" + group + "'), or deploy no plugins in that group"));
                }
            }
            if (e.actions().contains(Action.UPDATE) && releases(policy, rule)) {
                out.add(new Finding(Severity.WARNING, where, whom + " may update in '" + pattern + "', which holds release repositories:"
                        + " update overwrites a published release (and its checksums), which consumers have already cached and will not"
                        + " fetch again", "give update on releases to admins only (adminPolicy); deployers need read and create"));
            }
        }
    }

    /** Whether a rule applies to names in a release repository ({@code releases/…}, or a repository id naming releases). */
    private static boolean releases(AccessPolicy policy, RepositoryRule rule) {
        String first = rule.pattern().split("/", 2)[0].toLowerCase(Locale.ROOT);
        return first.contains("release") || policy.compiled().glob(rule.pattern()).matches("releases/org/example/app");
    }

    /** Equal-length patterns that share names (the tie-break decides) and patterns that never apply. */
    private static void overlaps(AccessPolicy policy, List<Glob> globs, Function<String, String> locate, List<Finding> out) {
        int comparisons = 0;
        for (int i = 0; i < globs.size(); i++) {
            Glob p = globs.get(i);
            List<Glob> better = new ArrayList<>();
            for (int j = 0; j < globs.size(); j++) {
                Glob q = globs.get(j);
                if (i == j || !prefixesCompatible(p, q) || ++comparisons > MAX_COMPARISONS) {
                    continue;
                }
                Optional<String> shared = GlobAutomaton.example(List.of(p, q), List.of());
                if (shared.isEmpty()) {
                    continue;
                }
                if (PatternIndex.PRECEDENCE.compare(q, p) < 0) {
                    better.add(q);
                }
                if (j > i && p.byteLength() == q.byteLength()) {
                    Glob winner = PatternIndex.PRECEDENCE.compare(p, q) < 0 ? p : q;
                    out.add(new Finding(Severity.WARNING, locate.apply(PolicyRules.repositoryPath(p.pattern())), "patterns '" + p.pattern()
                            + "' and '" + q.pattern() + "' are equally long (" + p.byteLength() + " bytes) and both match names such as '"
                            + shared.get() + "'; zot would pick one at random, Portcullis picks '" + winner.pattern()
                            + "' (fewer wildcards, then lexicographic order)",
                            "make the two patterns disjoint, or the one that should win longer"));
                }
            }
            if (!better.isEmpty() && comparisons <= MAX_COMPARISONS) {
                GlobAutomaton.Answer alone = GlobAutomaton.find(List.of(p), better, 20_000, true);
                if (alone.found() == GlobAutomaton.Found.NO) {
                    out.add(new Finding(Severity.WARNING, locate.apply(PolicyRules.repositoryPath(p.pattern())), "pattern '" + p.pattern()
                            + "' never applies: every repository name it matches is matched by a longer pattern ("
                            + better.stream().map(g -> "'" + g.pattern() + "'").reduce((a, b) -> a + ", " + b).orElse("") + ")",
                            "remove it, or narrow the longer patterns if it was meant to apply"));
                }
            }
        }
        if (comparisons > MAX_COMPARISONS) {
            out.add(new Finding(Severity.WARNING, locate.apply("repositories"), "the policy has too many overlapping patterns to check"
                    + " every pair; ties and shadowing were checked for the first " + MAX_COMPARISONS + " pairs only",
                    "split the policy, or check the rest by review"));
        }
    }

    /** Two patterns can share a name only if one's literal prefix starts the other's. */
    private static boolean prefixesCompatible(Glob p, Glob q) {
        for (String a : p.prefixes()) {
            for (String b : q.prefixes()) {
                if (a.startsWith(b) || b.startsWith(a)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The pattern in lower case if it has upper-case letters outside classes and escapes. */
    private static Optional<String> upperCase(String pattern) {
        boolean upper = false;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i++;
                upper |= i < pattern.length() && Character.isUpperCase(pattern.charAt(i));
            } else if (c == '[') {
                int close = pattern.indexOf(']', i + 2);
                i = close < 0 ? pattern.length() : close;
            } else {
                upper |= Character.isUpperCase(c);
            }
        }
        return upper ? Optional.of(pattern.toLowerCase(Locale.ROOT)) : Optional.empty();
    }
}
