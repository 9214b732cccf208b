package dev.portcullis.policy;

import dev.portcullis.policy.testing.PolicyCase;
import java.nio.file.Path;
import java.util.List;
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
    private final PolicyParser.Parsed parsed;
    private final AccessPolicy policy;
    private final List<PolicyCase> cases;

    private PolicyDocument(PolicyParser.Parsed parsed) {
        this.parsed = parsed;
        this.policy = new AccessPolicy(parsed.rules());
        this.cases = parsed.cases().stream().map(PolicyDocument::toCase).toList();
    }

    /**
     * Parses policy-language text.
     *
     * @param text the policy-language source
     * @param source the name used in error messages, usually the file name
     * @return the document: its rules, its test cases and the file it tests, if any
     * @throws InvalidPolicyException with {@code source:line:column}, the line and a caret
     */
    public static PolicyDocument parse(String text, String source) {
        return new PolicyDocument(new PolicyParser(source, text).document());
    }

    /**
     * Parses a {@code .policy} file; errors start with the file name.
     *
     * @param file a UTF-8 file in the policy language
     * @return the document: its rules, its test cases and the file it tests, if any
     * @throws InvalidPolicyException when the file cannot be read or parsed
     */
    public static PolicyDocument parse(Path file) {
        return parse(AccessPolicy.read(file), file.toString());
    }

    /**
     * Re-lays out policy-language text without changing what it says, keeping comments: two-space
     * indentation, one space after ',' and ':', at most one blank line in a row. Idempotent.
     *
     * @param text the policy-language source
     * @param source the name used in error messages, usually the file name
     * @return the formatted text; formatting it again changes nothing
     * @throws InvalidPolicyException only for text that cannot even be split into tokens
     */
    public static String format(String text, String source) {
        return PolicyPrinter.format(source, text);
    }

    /**
     * The name the document was parsed under.
     *
     * @return the file name, or the {@code source} given to {@link #parse(String, String)}
     */
    public String source() {
        return parsed.source();
    }

    /**
     * The rules of this file (empty when the file only holds tests for another file).
     *
     * @return the policy; with no rules, one that has {@code accessControl} and allows nothing
     */
    public AccessPolicy policy() {
        return policy;
    }

    /**
     * The expectations of every {@code test} block, in file order.
     *
     * @return an unmodifiable list; empty when the file has no tests
     */
    public List<PolicyCase> cases() {
        return cases;
    }

    /**
     * The file named by {@code policy "…"}, relative to this one, whose rules the tests run against.
     *
     * @return the path as written in the file, or empty when the tests run against this file's own rules
     */
    public Optional<String> policyReference() {
        return Optional.ofNullable(parsed.policyReference());
    }

    /**
     * Whether the file declares any rule (group, repo, admin, metrics).
     *
     * @return true if it declares at least one
     */
    public boolean hasRules() {
        return parsed.hasRules();
    }

    /**
     * The line on which {@code pattern}'s repo block starts, if it is in this file.
     *
     * @param pattern the pattern exactly as written, e.g. {@code team/**}
     * @return the 1-based line number, or empty when the file has no repo block for that pattern
     */
    public Optional<Integer> lineOf(String pattern) {
        return line(PolicyParser.repositoryAnchor(pattern));
    }

    Optional<Integer> line(String anchor) {
        return Optional.ofNullable(parsed.anchors().get(anchor));
    }

    /**
     * The case in the testing package's public form, which {@link #cases()} returns: the one dependency of this
     * package on {@code dev.portcullis.policy.testing}, kept for that public signature.
     */
    private static PolicyCase toCase(PolicyParser.Case c) {
        PolicyCase.Check check = switch (c.question()) {
            case METRICS -> PolicyCase.Check.METRICS;
            case CATALOG -> PolicyCase.Check.CATALOG;
            case REPOSITORY -> PolicyCase.Check.of(c.action());
        };
        return new PolicyCase(c.name(), c.location(), c.subject(), check, c.repository(), c.expectAllowed());
    }
}
