package dev.portcullis.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A zot-style access policy: who may {@code read}, {@code create}, {@code update} or
 * {@code delete} in which repository, who may read metrics, and who sees what in the catalog.
 * Immutable and thread-safe; build it once and share it.
 *
 * <pre>{@code
 * AccessPolicy policy = AccessPolicy.fromZotJson(Path.of("config.json"));
 * Decision d = policy.decide(Subject.user("ci", "artifact-workloads"), "team/app", Action.CREATE);
 *
 * AccessPolicy same = AccessPolicy.builder()
 *     .repository("**", r -> r.anonymousPolicy(Action.READ)
 *                            .allowGroups(List.of("artifact-workloads"), Action.READ, Action.CREATE))
 *     .admin(List.of(), List.of("admins"), Action.values())
 *     .metrics(List.of(), Action.READ)
 *     .build();
 * }</pre>
 *
 * <p>Semantics are zot's: exactly one pattern applies to a repository — the longest matching one
 * in bytes (ties: fewer wildcards, then lexicographic) — and inside it the first grant wins: the
 * user's entries, then the subject's groups, then {@code defaultPolicy} (authenticated only), then
 * {@code anonymousPolicy} (anonymous only); if that denies, {@code adminPolicy} may still allow.
 * Groups from the policy's {@code groups} section apply to every authenticated user.
 */
public final class AccessPolicy {
    private static final String ALL_AUTHENTICATED_REASON = "the configuration has no accessControl";

    private final boolean hasAccessControl;
    private final Map<String, List<String>> groups;
    private final List<RepositoryRule> repositories;
    private final AdminPolicy admin;
    private final MetricsPolicy metrics;

    // compiled form
    private final PatternIndex index;
    private final CompiledRule[] byRank;
    private final Map<String, Set<String>> configGroupsOfUser;
    private final Set<String> adminUsers;
    private final Set<String> adminGroups;
    private final int adminMask;
    private final Set<String> metricsUsers;

    private AccessPolicy(boolean hasAccessControl, Map<String, List<String>> groups, List<RepositoryRule> repositories,
                         AdminPolicy admin, MetricsPolicy metrics) {
        refuseEmptyUserNames(groups, repositories, admin, metrics);
        this.hasAccessControl = hasAccessControl;
        this.groups = Collections.unmodifiableMap(new LinkedHashMap<>(groups));
        this.repositories = List.copyOf(repositories);
        this.admin = admin;
        this.metrics = metrics;

        Map<String, Glob> globs = new LinkedHashMap<>();
        Map<String, RepositoryRule> rulesByPattern = new HashMap<>();
        for (RepositoryRule rule : repositories) {
            Glob glob;
            try {
                glob = Glob.compile(rule.pattern());
            } catch (IllegalArgumentException e) {
                throw new InvalidPolicyException(ZotJson.repositoryPath(rule.pattern()) + ": " + e.getMessage(), e);
            }
            if (globs.put(rule.pattern(), glob) != null) {
                throw new InvalidPolicyException(ZotJson.repositoryPath(rule.pattern())
                        + ": the pattern is defined twice; merge the two definitions into one");
            }
            rulesByPattern.put(rule.pattern(), rule);
        }
        this.index = new PatternIndex(globs.values());
        List<Glob> ranked = index.ranked();
        this.byRank = new CompiledRule[ranked.size()];
        for (int r = 0; r < byRank.length; r++) {
            byRank[r] = new CompiledRule(rulesByPattern.get(ranked.get(r).pattern()));
        }
        Map<String, Set<String>> ofUser = new HashMap<>();
        groups.forEach((group, users) -> users.forEach(u -> ofUser.computeIfAbsent(u, k -> new LinkedHashSet<>()).add(group)));
        this.configGroupsOfUser = ofUser;
        this.adminUsers = Set.copyOf(admin.users());
        this.adminGroups = Set.copyOf(admin.groups());
        this.adminMask = Actions.mask(admin.actions());
        this.metricsUsers = Set.copyOf(metrics.users());
    }

    /** Every place a user name can be, checked here so that no loader or builder can let one through. */
    private static void refuseEmptyUserNames(Map<String, List<String>> groups, List<RepositoryRule> repositories, AdminPolicy admin,
                                             MetricsPolicy metrics) {
        groups.forEach((group, users) -> refuseEmptyUserName(users, "groups[" + PolicyPrinter.quote(group) + "].users", EmptyUserName.GROUP));
        for (RepositoryRule rule : repositories) {
            for (int i = 0; i < rule.policies().size(); i++) {
                refuseEmptyUserName(rule.policies().get(i).users(), ZotJson.repositoryPath(rule.pattern()) + ".policies[" + i + "].users",
                        EmptyUserName.REPOSITORY_POLICY);
            }
        }
        refuseEmptyUserName(admin.users(), "adminPolicy.users", EmptyUserName.ADMIN_POLICY);
        refuseEmptyUserName(metrics.users(), "metrics.users", EmptyUserName.METRICS);
    }

    private static void refuseEmptyUserName(List<String> users, String path, EmptyUserName place) {
        int at = users.indexOf("");
        if (at >= 0) {
            throw new InvalidPolicyException(path + "[" + at + "]: " + place.inZotJson());
        }
    }

    // ------------------------------------------------------------------ loading

    /**
     * Reads a zot {@code accessControl} object, or a whole zot {@code config.json} (any object with
     * an {@code http} member), from which it takes {@code http.accessControl}. A whole config
     * without {@code accessControl} gives zot's policy for that case: every authenticated user may
     * do everything, anonymous callers nothing.
     *
     * @throws InvalidPolicyException for malformed JSON, wrong types, unknown actions or keys, and
     *     invalid patterns, with the JSON path of the offending value in the message
     */
    public static AccessPolicy fromZotJson(String json) {
        return ZotJson.read(json);
    }

    /**
     * Like {@link #fromZotJson(String)}, from a file; error messages start with the file name.
     *
     * @throws InvalidPolicyException also when the file cannot be read
     */
    public static AccessPolicy fromZotJson(Path file) {
        String json = read(file);
        try {
            return ZotJson.read(json);
        } catch (InvalidPolicyException e) {
            throw new InvalidPolicyException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses a policy written in the Portcullis policy language ({@code docs/policy-language.md}).
     * {@code test} blocks are checked for syntax and otherwise ignored here; see {@link PolicyDocument}.
     *
     * <pre>{@code
     * AccessPolicy policy = AccessPolicy.parse("""
     *     repo "**" {
     *       anonymous: read
     *       group artifact-workloads: read, create
     *     }
     *     admin group admins: all
     *     metrics anonymous: read
     *     """);
     * }</pre>
     *
     * @throws InvalidPolicyException with line, column, the offending line and a caret
     */
    public static AccessPolicy parse(String text) {
        return rulesOf(PolicyDocument.parse(text, "policy"));
    }

    /** Like {@link #parse(String)}, from a {@code .policy} file; errors start with the file name. */
    public static AccessPolicy parse(Path file) {
        return rulesOf(PolicyDocument.parse(file));
    }

    private static AccessPolicy rulesOf(PolicyDocument doc) {
        if (doc.policyReference().isPresent()) {
            throw new InvalidPolicyException(doc.source() + ": this file holds tests for " + doc.policyReference().get()
                    + " (its 'policy' line), not rules; load that file instead");
        }
        return doc.policy();
    }

    /**
     * The canonical policy-language text of this policy; {@code parse(p.toText())} decides exactly
     * like {@code p}.
     *
     * @throws IllegalStateException for a policy {@linkplain #withoutAccessControl() without accessControl},
     *     which the language deliberately cannot express
     */
    public String toText() {
        return PolicyPrinter.print(this);
    }

    /**
     * Loads a policy file by its extension: {@code .json} as zot JSON, {@code .policy} in the
     * policy language; any other name by its content (a leading '{' means JSON).
     *
     * @throws InvalidPolicyException when the file cannot be read or parsed
     */
    public static AccessPolicy load(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        if (name.endsWith(".json")) {
            return fromZotJson(file);
        }
        if (name.endsWith(".policy")) {
            return parse(file);
        }
        return read(file).stripLeading().startsWith("{") ? fromZotJson(file) : parse(file);
    }

    /** A policy file's text, or an error naming the file. */
    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidPolicyException(file + ": cannot read the policy file: " + e, e);
        }
    }

    /** zot's behaviour when a config has no {@code accessControl}: authenticated users may do everything. */
    public static AccessPolicy withoutAccessControl() {
        return new AccessPolicy(false, Map.of(), List.of(), AdminPolicy.NONE, MetricsPolicy.NONE);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The {@code accessControl} object, pretty-printed; {@code fromZotJson(p.toZotJson())} decides
     * exactly like {@code p}. A policy {@linkplain #withoutAccessControl() without accessControl}
     * is written as the minimal zot config that has none: {@code {"http":{}}}.
     */
    public String toZotJson() {
        return ZotJson.write(this);
    }

    // ------------------------------------------------------------------ deciding

    /** May {@code subject} perform {@code action} on {@code repository}? */
    public Decision decide(Subject subject, String repository, Action action) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(action, "action");
        if (!hasAccessControl) {
            return new Decision(this, Decision.Question.REPOSITORY, subject, repository, action,
                    !subject.isAnonymous(), subject.isAnonymous() ? Grant.NONE : Grant.DEFAULT, null);
        }
        int rank = index.find(repository);
        String pattern = null;
        if (rank >= 0) {
            CompiledRule rule = byRank[rank];
            pattern = rule.source.pattern();
            Grant grant = rule.grant(subject, configGroupsOfUser.get(subject.name()), action.bit());
            if (grant != Grant.NONE) {
                return new Decision(this, Decision.Question.REPOSITORY, subject, repository, action, true, grant, pattern);
            }
        }
        boolean isAdmin = isAdmin(subject);
        boolean allowed = isAdmin && (adminMask & action.bit()) != 0;
        return new Decision(this, Decision.Question.REPOSITORY, subject, repository, action,
                allowed, allowed ? Grant.ADMIN : Grant.NONE, pattern);
    }

    /**
     * May {@code subject} read the metrics endpoint? Anonymous: only if {@code metrics.anonymousPolicy}
     * contains {@code read}. Authenticated: only users listed in {@code metrics.users} (an empty
     * list denies everyone, admins included). Without accessControl, every authenticated user may.
     */
    public Decision decideMetrics(Subject subject) {
        Objects.requireNonNull(subject, "subject");
        boolean allowed;
        Grant grant;
        if (subject.isAnonymous()) {
            allowed = hasAccessControl && metrics.anonymousPolicy().contains(Action.READ);
            grant = allowed ? Grant.ANONYMOUS : Grant.NONE;
        } else if (!hasAccessControl) {
            allowed = true;
            grant = Grant.DEFAULT;
        } else {
            allowed = metricsUsers.contains(subject.name());
            grant = allowed ? Grant.USER : Grant.NONE;
        }
        return new Decision(this, Decision.Question.METRICS, subject, null, Action.READ, allowed, grant, null);
    }

    /**
     * Does {@code repository} appear in {@code subject}'s catalog? zot's rule: admins (by user or
     * group) see every repository whatever {@code adminPolicy.actions} says; everyone else sees
     * the repositories they may {@code read}.
     */
    public boolean canList(Subject subject, String repository) {
        return decideCatalog(subject, repository).allowed();
    }

    /** {@link #canList} with its explanation. */
    public Decision decideCatalog(Subject subject, String repository) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(repository, "repository");
        if (hasAccessControl && isAdmin(subject)) {
            int rank = index.find(repository);
            return new Decision(this, Decision.Question.CATALOG, subject, repository, Action.READ, true, Grant.ADMIN,
                    rank < 0 ? null : byRank[rank].source.pattern());
        }
        Decision read = decide(subject, repository, Action.READ);
        return new Decision(this, Decision.Question.CATALOG, subject, repository, Action.READ,
                read.allowed(), read.grantedBy(), read.pattern().orElse(null));
    }

    /** The repositories of {@code repositories} that {@code subject} may see, in their original order. */
    public List<String> filterCatalog(Subject subject, Collection<String> repositories) {
        List<String> visible = new ArrayList<>();
        for (String r : repositories) {
            if (canList(subject, r)) {
                visible.add(r);
            }
        }
        return visible;
    }

    /** Whether the subject is named by {@code adminPolicy} (as a user or through a group), whatever its actions. */
    public boolean isAdmin(Subject subject) {
        if (subject.isAnonymous()) {
            return false;
        }
        if (adminUsers.contains(subject.name())) {
            return true;
        }
        for (String g : effectiveGroups(subject)) {
            if (adminGroups.contains(g)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The subject's groups from its identity plus the groups the policy's {@code groups} section gives its user name:
     * the groups it is judged by (what a servlet's {@code isUserInRole} answers).
     */
    public Set<String> effectiveGroups(Subject subject) {
        if (subject.isAnonymous()) {
            return Set.of();
        }
        Set<String> fromConfig = configGroupsOfUser.get(subject.name());
        if (fromConfig == null) {
            return subject.groups();
        }
        Set<String> all = new LinkedHashSet<>(subject.groups());
        all.addAll(fromConfig);
        return all;
    }

    // ------------------------------------------------------------------ the model

    /** False for zot's "no accessControl" policy (see {@link #withoutAccessControl()}). */
    public boolean hasAccessControl() {
        return hasAccessControl;
    }

    /** The {@code groups} section: group name to member user names, in declaration order. */
    public Map<String, List<String>> groups() {
        return groups;
    }

    /** The {@code repositories} section, in declaration order. */
    public List<RepositoryRule> repositories() {
        return repositories;
    }

    public AdminPolicy adminPolicy() {
        return admin;
    }

    public MetricsPolicy metricsPolicy() {
        return metrics;
    }

    /** Every pattern, most specific first (the order in which they claim a repository). */
    List<String> patternsByPrecedence() {
        List<String> out = new ArrayList<>(byRank.length);
        for (CompiledRule r : byRank) {
            out.add(r.source.pattern());
        }
        return out;
    }

    /** Whether the subject may perform the action in a repository governed by {@code pattern}: its grants, then adminPolicy. */
    boolean decideUnder(Subject subject, String pattern, Action action) {
        for (CompiledRule r : byRank) {
            if (r.source.pattern().equals(pattern)) {
                if (r.grant(subject, configGroupsOfUser.get(subject.name()), action.bit()) != Grant.NONE) {
                    return true;
                }
                return isAdmin(subject) && (adminMask & action.bit()) != 0;
            }
        }
        throw new IllegalArgumentException("no pattern " + pattern);
    }

    /** Every pattern matching {@code repository}, the one that applies first, then in precedence order. */
    List<String> matchingPatterns(String repository) {
        List<String> out = new ArrayList<>();
        for (Glob g : index.ranked()) {
            if (g.matches(repository)) {
                out.add(g.pattern());
            }
        }
        return out;
    }

    Glob glob(String pattern) {
        for (Glob g : index.ranked()) {
            if (g.pattern().equals(pattern)) {
                return g;
            }
        }
        throw new IllegalArgumentException("no pattern " + pattern);
    }

    RepositoryRule rule(String pattern) {
        for (RepositoryRule r : repositories) {
            if (r.pattern().equals(pattern)) {
                return r;
            }
        }
        throw new IllegalArgumentException("no pattern " + pattern);
    }

    static String allAuthenticatedReason() {
        return ALL_AUTHENTICATED_REASON;
    }

    /** A rule prepared for deciding: per-user and per-group action bit masks. */
    private static final class CompiledRule {
        final RepositoryRule source;
        final Map<String, Integer> userMasks = new HashMap<>();
        final Map<String, Integer> groupMasks = new HashMap<>();
        final int defaultMask;
        final int anonymousMask;

        CompiledRule(RepositoryRule source) {
            this.source = source;
            for (PolicyEntry p : source.policies()) {
                int m = Actions.mask(p.actions());
                p.users().forEach(u -> userMasks.merge(u, m, (a, b) -> a | b));
                p.groups().forEach(g -> groupMasks.merge(g, m, (a, b) -> a | b));
            }
            defaultMask = Actions.mask(source.defaultPolicy());
            anonymousMask = Actions.mask(source.anonymousPolicy());
        }

        Grant grant(Subject subject, Set<String> configGroups, int bit) {
            if (subject.isAnonymous()) {
                return (anonymousMask & bit) != 0 ? Grant.ANONYMOUS : Grant.NONE;
            }
            Integer user = userMasks.get(subject.name());
            if (user != null && (user & bit) != 0) {
                return Grant.USER;
            }
            if (!groupMasks.isEmpty()) {
                for (String g : subject.groups()) {
                    Integer m = groupMasks.get(g);
                    if (m != null && (m & bit) != 0) {
                        return Grant.GROUP;
                    }
                }
                if (configGroups != null) {
                    for (String g : configGroups) {
                        Integer m = groupMasks.get(g);
                        if (m != null && (m & bit) != 0) {
                            return Grant.GROUP;
                        }
                    }
                }
            }
            return (defaultMask & bit) != 0 ? Grant.DEFAULT : Grant.NONE;
        }
    }

    // ------------------------------------------------------------------ builder

    /**
     * Builds a policy in code. Patterns are validated and compiled by {@link #build()}.
     *
     * <pre>{@code
     * AccessPolicy.builder()
     *     .group("ci", "bot1", "bot2")
     *     .repository("**", r -> r.defaultPolicy(Action.READ).anonymousPolicy(Action.READ))
     *     .repository("infra/*", r -> r.allowUsers(List.of("alice"), Action.values()))
     *     .admin(List.of("root"), List.of("admins"), Action.values())
     *     .build();
     * }</pre>
     */
    public static final class Builder {
        private final Map<String, List<String>> groups = new LinkedHashMap<>();
        private final Map<String, RepositoryRule> repositories = new LinkedHashMap<>();
        private AdminPolicy admin = AdminPolicy.NONE;
        private MetricsPolicy metrics = MetricsPolicy.NONE;

        private Builder() {
        }

        /** Adds users to a group of the policy's {@code groups} section. */
        public Builder group(String name, String... users) {
            groups.computeIfAbsent(name, k -> new ArrayList<>()).addAll(Arrays.asList(users));
            return this;
        }

        /** Defines the rule of one pattern; defining the same pattern twice is an error. */
        public Builder repository(String pattern, Consumer<RepositoryRuleBuilder> rule) {
            RepositoryRuleBuilder b = new RepositoryRuleBuilder();
            rule.accept(b);
            return repository(new RepositoryRule(pattern, b.policies, b.defaultPolicy, b.anonymousPolicy));
        }

        public Builder repository(RepositoryRule rule) {
            if (repositories.putIfAbsent(rule.pattern(), rule) != null) {
                throw new InvalidPolicyException(ZotJson.repositoryPath(rule.pattern())
                        + ": the pattern is defined twice; merge the two definitions into one");
            }
            return this;
        }

        public Builder admin(Collection<String> users, Collection<String> groups, Action... actions) {
            this.admin = new AdminPolicy(List.copyOf(users), List.copyOf(groups), Actions.copy(Arrays.asList(actions)));
            return this;
        }

        /** The metrics section: users who may read metrics; {@code anonymousPolicy} {@code READ} opens it to anonymous callers. */
        public Builder metrics(Collection<String> users, Action... anonymousPolicy) {
            this.metrics = new MetricsPolicy(List.copyOf(users), Actions.copy(Arrays.asList(anonymousPolicy)));
            return this;
        }

        /** @throws InvalidPolicyException for an invalid pattern, naming it and the position */
        public AccessPolicy build() {
            return new AccessPolicy(true, groups, List.copyOf(repositories.values()), admin, metrics);
        }
    }

    /** The grants of one pattern, for {@link Builder#repository(String, Consumer)}. */
    public static final class RepositoryRuleBuilder {
        private final List<PolicyEntry> policies = new ArrayList<>();
        private Set<Action> defaultPolicy = Set.of();
        private Set<Action> anonymousPolicy = Set.of();

        private RepositoryRuleBuilder() {
        }

        public RepositoryRuleBuilder allow(Collection<String> users, Collection<String> groups, Action... actions) {
            policies.add(new PolicyEntry(List.copyOf(users), List.copyOf(groups), Actions.copy(Arrays.asList(actions))));
            return this;
        }

        public RepositoryRuleBuilder allowUsers(Collection<String> users, Action... actions) {
            return allow(users, List.of(), actions);
        }

        public RepositoryRuleBuilder allowGroups(Collection<String> groups, Action... actions) {
            return allow(List.of(), groups, actions);
        }

        /** What every authenticated user may do here (never given to anonymous callers). */
        public RepositoryRuleBuilder defaultPolicy(Action... actions) {
            defaultPolicy = Actions.copy(Arrays.asList(actions));
            return this;
        }

        /** What callers without credentials may do here (never given to authenticated users). */
        public RepositoryRuleBuilder anonymousPolicy(Action... actions) {
            anonymousPolicy = Actions.copy(Arrays.asList(actions));
            return this;
        }
    }

    static AccessPolicy of(Map<String, List<String>> groups, List<RepositoryRule> repositories, AdminPolicy admin,
                           MetricsPolicy metrics) {
        return new AccessPolicy(true, groups, repositories, admin, metrics);
    }
}
