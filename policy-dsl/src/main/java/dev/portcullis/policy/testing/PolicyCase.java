package dev.portcullis.policy.testing;

import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.policy.Action;
import dev.portcullis.policy.Decision;
import dev.portcullis.policy.Subject;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One expectation about a policy — from a {@code test} block of a {@code .policy} file or a JSON
 * case bundle — e.g. "user ci in group artifact-workloads can create on team/app".
 *
 * @param name the test's name
 * @param location where the case was written, e.g. {@code team.policy:12} or {@code cases.json cases[3]}
 * @param subject who asks
 * @param check what is asked
 * @param repository the repository ({@code null} for {@link Check#METRICS})
 * @param expectAllowed whether the policy should allow it
 */
public record PolicyCase(String name, String location, Subject subject, Check check, @Nullable String repository, boolean expectAllowed) {

    /** What a case asks: one of the four actions, metrics access, or catalog listing. */
    public enum Check {
        /** {@link Action#READ} on the repository. */
        READ,
        /** {@link Action#CREATE} on the repository. */
        CREATE,
        /** {@link Action#UPDATE} on the repository. */
        UPDATE,
        /** {@link Action#DELETE} on the repository. */
        DELETE,
        /** Reading the metrics endpoint; there is no repository. */
        METRICS,
        /** Seeing the repository in the catalog. */
        CATALOG;

        /**
         * The lower-case name used in case bundles.
         *
         * @return {@code read}, {@code create}, {@code update}, {@code delete}, {@code metrics} or {@code catalog}
         */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * Parses {@code read|create|update|delete|metrics|catalog}.
         *
         * @param name the lower-case word
         * @return the check it names
         * @throws IllegalArgumentException naming the value and the valid words
         */
        public static Check parse(String name) {
            for (Check c : values()) {
                if (c.configName().equals(name)) {
                    return c;
                }
            }
            throw new IllegalArgumentException("unknown check '" + name + "'; expected one of read, create, update, delete, metrics, catalog");
        }

        /**
         * The check that asks for an action on a repository.
         *
         * @param action the action
         * @return the check of the same name
         */
        public static Check of(Action action) {
            return valueOf(action.name());
        }
    }

    /**
     * Checks that every part is present.
     *
     * @param name the test's name
     * @param location where the case was written
     * @param subject who asks
     * @param check what is asked
     * @param repository the repository; may be {@code null} only for {@link Check#METRICS}
     * @param expectAllowed whether the policy should allow it
     * @throws NullPointerException if a part is missing
     */
    public PolicyCase {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(check, "check");
        if (check != Check.METRICS) {
            Objects.requireNonNull(repository, "repository");
        }
    }

    /**
     * The policy's decision for this case.
     *
     * @param policy the policy to ask
     * @return the decision; compare its {@link Decision#allowed()} with {@link #expectAllowed()}
     */
    public Decision decide(AccessPolicy policy) {
        return switch (check) {
            case METRICS -> policy.decideMetrics(subject);
            case CATALOG -> policy.decideCatalog(subject, Objects.requireNonNull(repository));
            default -> policy.decide(subject, Objects.requireNonNull(repository), Action.valueOf(check.name()));
        };
    }

    /**
     * The expectation in words, e.g. {@code user 'ci' (groups: ci) can create on 'team/app'}.
     *
     * @return the sentence, for test reports
     */
    public String describe() {
        String verb = expectAllowed ? " can " : " cannot ";
        return switch (check) {
            case METRICS -> subject + verb + "read metrics";
            case CATALOG -> subject + verb + "list '" + repository + "' in the catalog";
            default -> subject + verb + check.configName() + " on '" + repository + "'";
        };
    }
}
