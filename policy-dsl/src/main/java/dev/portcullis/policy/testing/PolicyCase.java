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
        READ, CREATE, UPDATE, DELETE, METRICS, CATALOG;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code read|create|update|delete|metrics|catalog}. */
        public static Check parse(String name) {
            for (Check c : values()) {
                if (c.configName().equals(name)) {
                    return c;
                }
            }
            throw new IllegalArgumentException("unknown check '" + name + "'; expected one of read, create, update, delete, metrics, catalog");
        }

        public static Check of(Action action) {
            return valueOf(action.name());
        }
    }

    public PolicyCase {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(check, "check");
        if (check != Check.METRICS) {
            Objects.requireNonNull(repository, "repository");
        }
    }

    /** The policy's decision for this case. */
    public Decision decide(AccessPolicy policy) {
        return switch (check) {
            case METRICS -> policy.decideMetrics(subject);
            case CATALOG -> policy.decideCatalog(subject, Objects.requireNonNull(repository));
            default -> policy.decide(subject, Objects.requireNonNull(repository), Action.valueOf(check.name()));
        };
    }

    /** The expectation in words, e.g. {@code user 'ci' (groups: ci) can create on 'team/app'}. */
    public String describe() {
        String verb = expectAllowed ? " can " : " cannot ";
        return switch (check) {
            case METRICS -> subject + verb + "read metrics";
            case CATALOG -> subject + verb + "list '" + repository + "' in the catalog";
            default -> subject + verb + check.configName() + " on '" + repository + "'";
        };
    }
}
