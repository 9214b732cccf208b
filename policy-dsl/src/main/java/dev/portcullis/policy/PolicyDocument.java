package dev.portcullis.policy;

import dev.portcullis.policy.testing.PolicyCase;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed {@code .policy} file: its access rules, its {@code test} blocks, and — for a file that
 * only holds tests — the policy file it tests ({@code policy "team.policy"}).
 *
 * <pre>{@code
 * PolicyDocument doc = PolicyDocument.parse(Path.of("registry.policy"));
 * for (PolicyCase c : doc.cases()) {
 *     boolean ok = c.decide(doc.policy()).allowed() == c.expectAllowed();
 * }
 * }</pre>
 */
public final class PolicyDocument {
    private final String source;
    private final AccessPolicy policy;
    private final List<PolicyCase> cases;
    private final String policyReference;
    static final String ADMIN_ANCHOR = "admin";
    static final String METRICS_ANCHOR = "metrics";

    /** Statement start lines, keyed by {@link #repositoryAnchor}, {@link #groupAnchor}, admin, metrics. */
    private final Map<String, Integer> anchors;
    private final boolean hasRules;

    PolicyDocument(String source, AccessPolicy policy, List<PolicyCase> cases, String policyReference,
                   Map<String, Integer> anchors, boolean hasRules) {
        this.source = source;
        this.policy = policy;
        this.cases = List.copyOf(cases);
        this.policyReference = policyReference;
        this.anchors = Map.copyOf(anchors);
        this.hasRules = hasRules;
    }

    /**
     * Parses policy-language text.
     *
     * @param source the name used in error messages, usually the file name
     * @throws InvalidPolicyException with {@code source:line:column}, the line and a caret
     */
    public static PolicyDocument parse(String text, String source) {
        return new PolicyParser(source, text).document();
    }

    /** Parses a {@code .policy} file; errors start with the file name. */
    public static PolicyDocument parse(Path file) {
        return parse(AccessPolicy.read(file), file.toString());
    }

    /**
     * Re-lays out policy-language text without changing what it says, keeping comments: two-space
     * indentation, one space after ',' and ':', at most one blank line in a row. Idempotent.
     *
     * @throws InvalidPolicyException only for text that cannot even be split into tokens
     */
    public static String format(String text, String source) {
        return PolicyPrinter.format(source, text);
    }

    public String source() {
        return source;
    }

    /** The rules of this file (empty when the file only holds tests for another file). */
    public AccessPolicy policy() {
        return policy;
    }

    /** The expectations of every {@code test} block, in file order. */
    public List<PolicyCase> cases() {
        return cases;
    }

    /** The file named by {@code policy "…"}, relative to this one, whose rules the tests run against. */
    public Optional<String> policyReference() {
        return Optional.ofNullable(policyReference);
    }

    /** Whether the file declares any rule (group, repo, admin, metrics). */
    public boolean hasRules() {
        return hasRules;
    }

    /** The line on which {@code pattern}'s repo block starts, if it is in this file. */
    public Optional<Integer> lineOf(String pattern) {
        return line(repositoryAnchor(pattern));
    }

    Optional<Integer> line(String anchor) {
        return Optional.ofNullable(anchors.get(anchor));
    }

    static String repositoryAnchor(String pattern) {
        return "repo " + pattern;
    }

    static String groupAnchor(String group) {
        return "group " + group;
    }
}
