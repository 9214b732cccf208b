package dev.portcullis.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
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
    private final PolicyRules rules;
    private final CompiledPolicy compiled;
    /** Whether any rule names a behaviour: when none does, {@link #behaves} answers at once. */
    private final boolean behaviours;

    AccessPolicy(PolicyRules rules) {
        this.rules = rules;
        this.compiled = new CompiledPolicy(rules);
        this.behaviours = rules.repositories().stream().anyMatch(RepositoryRule::hasBehaviours);
    }

    // ------------------------------------------------------------------ loading

    /**
     * Reads a zot {@code accessControl} object, or a whole zot {@code config.json} (any object with
     * an {@code http} member), from which it takes {@code http.accessControl}. A whole config
     * without {@code accessControl} gives zot's policy for that case: every authenticated user may
     * do everything, anonymous callers nothing.
     *
     * @param json the JSON text: an {@code accessControl} object or a whole zot config
     * @return the policy, ready to decide
     * @throws InvalidPolicyException for malformed JSON, wrong types, unknown actions or keys, and
     *     invalid patterns, with the JSON path of the offending value in the message
     */
    public static AccessPolicy fromZotJson(String json) {
        return new AccessPolicy(ZotJson.read(json));
    }

    /**
     * Like {@link #fromZotJson(String)}, from a file; error messages start with the file name.
     *
     * @param file a UTF-8 file holding an {@code accessControl} object or a whole zot config
     * @return the policy, ready to decide
     * @throws InvalidPolicyException also when the file cannot be read
     */
    public static AccessPolicy fromZotJson(Path file) {
        String json = read(file);
        try {
            return new AccessPolicy(ZotJson.read(json));
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
     * @param text the policy-language source; error messages call it {@code policy}
     * @return the policy, ready to decide
     * @throws InvalidPolicyException with line, column, the offending line and a caret; also for a file that only
     *     holds tests for another file (it has a {@code policy "…"} line)
     */
    public static AccessPolicy parse(String text) {
        return rulesOf(new PolicyParser("policy", text).document());
    }

    /**
     * Like {@link #parse(String)}, from a {@code .policy} file; errors start with the file name.
     *
     * @param file a UTF-8 file in the policy language
     * @return the policy, ready to decide
     * @throws InvalidPolicyException when the file cannot be read or parsed, or only holds tests for another file
     */
    public static AccessPolicy parse(Path file) {
        return rulesOf(new PolicyParser(file.toString(), read(file)).document());
    }

    private static AccessPolicy rulesOf(PolicyParser.Parsed doc) {
        if (doc.policyReference() != null) {
            throw new InvalidPolicyException(doc.source() + ": this file holds tests for " + doc.policyReference()
                    + " (its 'policy' line), not rules; load that file instead");
        }
        return new AccessPolicy(doc.rules());
    }

    /**
     * The canonical policy-language text of this policy; {@code parse(p.toText())} decides exactly
     * like {@code p}.
     *
     * @return the policy as a {@code .policy} file, comments and test blocks not included
     * @throws IllegalStateException for a policy {@linkplain #withoutAccessControl() without accessControl},
     *     which the language deliberately cannot express
     */
    public String toText() {
        return PolicyPrinter.print(rules);
    }

    /**
     * Loads a policy file by its extension: {@code .json} as zot JSON, {@code .policy} in the
     * policy language; any other name by its content (a leading '{' means JSON).
     *
     * @param file the policy file
     * @return the policy, ready to decide
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

    /**
     * zot's behaviour when a config has no {@code accessControl}: authenticated users may do everything, anonymous
     * callers nothing.
     *
     * @return the policy of a config without {@code accessControl}; {@link #hasAccessControl()} is false
     */
    public static AccessPolicy withoutAccessControl() {
        return new AccessPolicy(PolicyRules.WITHOUT_ACCESS_CONTROL);
    }

    /**
     * Starts a policy in code; see {@link Builder}.
     *
     * @return an empty builder: no groups, no repository rules, no admins, metrics closed to everyone
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The {@code accessControl} object, pretty-printed; {@code fromZotJson(p.toZotJson())} decides
     * exactly like {@code p}. A policy {@linkplain #withoutAccessControl() without accessControl}
     * is written as the minimal zot config that has none: {@code {"http":{}}}.
     *
     * @return the policy as pretty-printed zot JSON
     */
    public String toZotJson() {
        return ZotJson.write(rules);
    }

    // ------------------------------------------------------------------ deciding

    /**
     * May {@code subject} perform {@code action} on {@code repository}? The rule of the one pattern that applies
     * decides first; if it denies, or no pattern matches, {@code adminPolicy} may still allow.
     *
     * @param subject who asks: a user with groups, or anonymous
     * @param repository the repository name, e.g. {@code team/app}
     * @param action what the request wants to do
     * @return the decision; {@link Decision#grantedBy()} names the tier that allowed it, and
     *     {@link Decision#explain()} says why
     */
    public Decision decide(Subject subject, String repository, Action action) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(action, "action");
        if (!rules.hasAccessControl()) {
            return new Decision(compiled, Question.REPOSITORY, subject, repository, action,
                    !subject.isAnonymous(), subject.isAnonymous() ? Grant.NONE : Grant.DEFAULT, null);
        }
        int rank = compiled.find(repository);
        String pattern = null;
        if (rank >= 0) {
            pattern = compiled.pattern(rank);
            Grant grant = compiled.grant(rank, subject, action);
            if (grant != Grant.NONE) {
                return new Decision(compiled, Question.REPOSITORY, subject, repository, action, true, grant, pattern);
            }
        }
        boolean allowed = compiled.adminAllows(subject, action);
        return new Decision(compiled, Question.REPOSITORY, subject, repository, action,
                allowed, allowed ? Grant.ADMIN : Grant.NONE, pattern);
    }

    /**
     * May {@code subject} read the metrics endpoint? Anonymous: only if {@code metrics.anonymousPolicy}
     * contains {@code read}. Authenticated: only users listed in {@code metrics.users} (an empty
     * list denies everyone, admins included). Without accessControl, every authenticated user may.
     *
     * @param subject who asks: a user, or anonymous
     * @return the decision, with action {@code READ} and no repository or pattern
     */
    public Decision decideMetrics(Subject subject) {
        Objects.requireNonNull(subject, "subject");
        boolean allowed;
        Grant grant;
        if (subject.isAnonymous()) {
            allowed = rules.hasAccessControl() && rules.metricsPolicy().anonymousPolicy().contains(Action.READ);
            grant = allowed ? Grant.ANONYMOUS : Grant.NONE;
        } else if (!rules.hasAccessControl()) {
            allowed = true;
            grant = Grant.DEFAULT;
        } else {
            allowed = compiled.inMetricsUsers(subject);
            grant = allowed ? Grant.USER : Grant.NONE;
        }
        return new Decision(compiled, Question.METRICS, subject, null, Action.READ, allowed, grant, null);
    }

    /**
     * Does {@code repository} appear in {@code subject}'s catalog? zot's rule: admins (by user or
     * group) see every repository whatever {@code adminPolicy.actions} says; everyone else sees
     * the repositories they may {@code read}.
     *
     * @param subject who asks
     * @param repository the repository name the catalog would show
     * @return true if the repository is listed for the subject
     */
    public boolean canList(Subject subject, String repository) {
        return decideCatalog(subject, repository).allowed();
    }

    /**
     * {@link #canList} with its explanation.
     *
     * @param subject who asks
     * @param repository the repository name the catalog would show
     * @return the decision, with action {@code READ}; {@link Decision#grantedBy()} is {@link Grant#ADMIN} for an
     *     admin, whatever {@code adminPolicy.actions} says
     */
    public Decision decideCatalog(Subject subject, String repository) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(repository, "repository");
        if (rules.hasAccessControl() && compiled.isAdmin(subject)) {
            int rank = compiled.find(repository);
            return new Decision(compiled, Question.CATALOG, subject, repository, Action.READ, true, Grant.ADMIN,
                    rank < 0 ? null : compiled.pattern(rank));
        }
        Decision read = decide(subject, repository, Action.READ);
        return new Decision(compiled, Question.CATALOG, subject, repository, Action.READ,
                read.allowed(), read.grantedBy(), read.pattern().orElse(null));
    }

    /**
     * The repositories of {@code repositories} that {@code subject} may see, in their original order.
     *
     * @param subject who asks
     * @param repositories every repository name the store holds
     * @return a new list of the names {@link #canList} allows; empty if it allows none
     */
    public List<String> filterCatalog(Subject subject, Collection<String> repositories) {
        List<String> visible = new ArrayList<>();
        for (String r : repositories) {
            if (canList(subject, r)) {
                visible.add(r);
            }
        }
        return visible;
    }

    /**
     * Whether the registry should behave so for this subject on this repository, as zot decides its behaviour actions:
     * never for an admin (whom {@code adminPolicy} names); else the rule of the pattern that applies (the same one as
     * for actions) gives it through {@code anonymousPolicy} to an anonymous caller, and through {@code defaultPolicy} or
     * any entry naming the user or one of its {@linkplain #effectiveGroups effective groups} to others.
     *
     * <pre>{@code
     * boolean refuse = policy.behaves(subject, "team/app", Behaviour.DETECT_MANIFEST_COLLISION)
     *         && storage.tagsOf("team/app", digest).size() > 1;   // then 409, as zot answers
     * }</pre>
     *
     * @param subject who asks
     * @param repository the repository name
     * @param behaviour the behaviour
     * @return true if the registry should behave so
     */
    public boolean behaves(Subject subject, String repository, Behaviour behaviour) {
        if (!behaviours || compiled.isAdmin(subject)) {
            return false;
        }
        int rank = compiled.find(repository);
        return rank >= 0 && compiled.rule(compiled.pattern(rank)).behaves(subject, compiled.effectiveGroups(subject), behaviour);
    }

    /**
     * Whether the subject is named by {@code adminPolicy} (as a user or through a group), whatever its actions.
     *
     * @param subject who asks; anonymous is never an admin
     * @return true if {@code adminPolicy} names the user or one of its {@linkplain #effectiveGroups effective groups}
     */
    public boolean isAdmin(Subject subject) {
        return compiled.isAdmin(subject);
    }

    /**
     * The subject's groups from its identity plus the groups the policy's {@code groups} section gives its user name:
     * the groups it is judged by (what a servlet's {@code isUserInRole} answers).
     *
     * @param subject who asks
     * @return the groups, identity provider's first; empty for anonymous
     */
    public Set<String> effectiveGroups(Subject subject) {
        return compiled.effectiveGroups(subject);
    }

    // ------------------------------------------------------------------ the model

    /**
     * False for zot's "no accessControl" policy (see {@link #withoutAccessControl()}).
     *
     * @return true if the policy has an {@code accessControl} section, even an empty one
     */
    public boolean hasAccessControl() {
        return rules.hasAccessControl();
    }

    /**
     * The {@code groups} section: group name to member user names, in declaration order.
     *
     * @return an unmodifiable map; empty when the policy defines no groups
     */
    public Map<String, List<String>> groups() {
        return rules.groups();
    }

    /**
     * The {@code repositories} section, in declaration order.
     *
     * @return an unmodifiable list of the rules, one per pattern; empty when the policy has none
     */
    public List<RepositoryRule> repositories() {
        return rules.repositories();
    }

    /**
     * The {@code adminPolicy} section: who may act on every repository when its rule denies.
     *
     * @return the section; its users, groups and actions are all empty when the policy names no admins
     */
    public AdminPolicy adminPolicy() {
        return rules.adminPolicy();
    }

    /**
     * The {@code metrics} section: who may read the metrics endpoint.
     *
     * @return the section; both parts are empty when nobody may read metrics
     */
    public MetricsPolicy metricsPolicy() {
        return rules.metricsPolicy();
    }

    /** The compiled form, which the analyses (permissions, who-can, lint) ask about single patterns. */
    CompiledPolicy compiled() {
        return compiled;
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

        /**
         * Adds users to a group of the policy's {@code groups} section. Calling it again for the same group adds
         * more members.
         *
         * @param name the group name, as repository rules and {@code adminPolicy} refer to it
         * @param users user names that belong to the group; none is allowed, for an empty group
         * @return this builder
         */
        public Builder group(String name, String... users) {
            groups.computeIfAbsent(name, k -> new ArrayList<>()).addAll(Arrays.asList(users));
            return this;
        }

        /**
         * Defines the rule of one pattern; defining the same pattern twice is an error.
         *
         * @param pattern the repository glob, e.g. {@code team/**}; checked by {@link #build()}
         * @param rule fills in the pattern's grants
         * @return this builder
         * @throws InvalidPolicyException if the pattern is already defined
         */
        public Builder repository(String pattern, Consumer<RepositoryRuleBuilder> rule) {
            RepositoryRuleBuilder b = new RepositoryRuleBuilder();
            rule.accept(b);
            return repository(new RepositoryRule(pattern, b.policies, b.defaultPolicy, b.anonymousPolicy));
        }

        /**
         * Adds a rule built elsewhere, e.g. taken from another policy's {@link AccessPolicy#repositories()}.
         *
         * @param rule the pattern and its grants
         * @return this builder
         * @throws InvalidPolicyException if the rule's pattern is already defined
         */
        public Builder repository(RepositoryRule rule) {
            if (repositories.putIfAbsent(rule.pattern(), rule) != null) {
                throw PolicyRules.definedTwice(rule.pattern());
            }
            return this;
        }

        /**
         * Sets the {@code adminPolicy} section, replacing an earlier call. Admins get {@code actions} on every
         * repository whose own rule denies them, and see every repository in the catalog.
         *
         * @param users admin user names
         * @param groups admin group names
         * @param actions what admins may do; none leaves them only the catalog
         * @return this builder
         */
        public Builder admin(Collection<String> users, Collection<String> groups, Action... actions) {
            this.admin = new AdminPolicy(List.copyOf(users), List.copyOf(groups), Actions.copy(Arrays.asList(actions)));
            return this;
        }

        /**
         * Sets the metrics section, replacing an earlier call: users who may read metrics; {@code anonymousPolicy}
         * {@code READ} opens it to anonymous callers.
         *
         * @param users the user names that may read metrics; groups and admins play no part
         * @param anonymousPolicy {@code READ} to let anonymous callers read metrics, or nothing
         * @return this builder
         */
        public Builder metrics(Collection<String> users, Action... anonymousPolicy) {
            this.metrics = new MetricsPolicy(List.copyOf(users), Actions.copy(Arrays.asList(anonymousPolicy)));
            return this;
        }

        /**
         * Checks and compiles the rules.
         *
         * @return the policy, ready to decide
         * @throws InvalidPolicyException for an invalid pattern, naming it and the position, or an empty user name
         */
        public AccessPolicy build() {
            return new AccessPolicy(new PolicyRules(true, groups, List.copyOf(repositories.values()), admin, metrics));
        }
    }

    /** The grants of one pattern, for {@link Builder#repository(String, Consumer)}. */
    public static final class RepositoryRuleBuilder {
        private final List<PolicyEntry> policies = new ArrayList<>();
        private Set<Action> defaultPolicy = Set.of();
        private Set<Action> anonymousPolicy = Set.of();

        private RepositoryRuleBuilder() {
        }

        /**
         * Adds a policy entry: the listed users and groups may perform the actions here. A user named {@code *}
         * is a user of that name, not a wildcard; use {@link #defaultPolicy} for every authenticated user.
         *
         * @param users user names
         * @param groups group names, from the identity provider or the policy's {@code groups} section
         * @param actions what they may do
         * @return this builder
         */
        public RepositoryRuleBuilder allow(Collection<String> users, Collection<String> groups, Action... actions) {
            policies.add(new PolicyEntry(List.copyOf(users), List.copyOf(groups), Actions.copy(Arrays.asList(actions))));
            return this;
        }

        /**
         * Adds a policy entry for users only; see {@link #allow}.
         *
         * @param users user names
         * @param actions what they may do
         * @return this builder
         */
        public RepositoryRuleBuilder allowUsers(Collection<String> users, Action... actions) {
            return allow(users, List.of(), actions);
        }

        /**
         * Adds a policy entry for groups only; see {@link #allow}.
         *
         * @param groups group names, from the identity provider or the policy's {@code groups} section
         * @param actions what their members may do
         * @return this builder
         */
        public RepositoryRuleBuilder allowGroups(Collection<String> groups, Action... actions) {
            return allow(List.of(), groups, actions);
        }

        /**
         * What every authenticated user may do here (never given to anonymous callers). Replaces an earlier call.
         *
         * @param actions the actions; none to grant nothing
         * @return this builder
         */
        public RepositoryRuleBuilder defaultPolicy(Action... actions) {
            defaultPolicy = Actions.copy(Arrays.asList(actions));
            return this;
        }

        /**
         * What callers without credentials may do here (never given to authenticated users). Replaces an earlier
         * call.
         *
         * @param actions the actions; none to grant nothing
         * @return this builder
         */
        public RepositoryRuleBuilder anonymousPolicy(Action... actions) {
            anonymousPolicy = Actions.copy(Arrays.asList(actions));
            return this;
        }
    }
}
