package dev.portcullis.policy.testing;

import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.policy.Action;
import dev.portcullis.policy.Decision;
import dev.portcullis.policy.Subject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Fluent assertions for access policies, usable from any test framework: a failed expectation
 * throws {@link AssertionError} whose message carries the decision's explanation.
 *
 * <pre>{@code
 * import static dev.portcullis.policy.testing.PolicyAssert.assertThat;
 *
 * Subject ci = Subject.user("ci", "artifact-workloads");
 * assertThat(policy).allows(ci).to(Action.READ, Action.CREATE).on("team/app");
 * assertThat(policy).denies(ci).to(Action.UPDATE).on("team/app");
 * assertThat(policy).allows(Subject.anonymous()).toReadMetrics();
 * assertThat(policy).listsInCatalog(Subject.anonymous(), "team/app");
 * }</pre>
 *
 * Every expectation names its repositories explicitly; {@code on(...)} is what runs the check.
 */
public final class PolicyAssert {
    private final AccessPolicy policy;

    private PolicyAssert(AccessPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /**
     * Starts assertions about a policy.
     *
     * @param policy the policy under test
     * @return the assertions, for chaining
     * @throws NullPointerException if {@code policy} is null
     */
    public static PolicyAssert assertThat(AccessPolicy policy) {
        return new PolicyAssert(policy);
    }

    /**
     * Starts an expectation that {@code subject} is allowed.
     *
     * @param subject who asks
     * @return the expectation; it checks nothing until {@link ActionExpectation#on} or
     *     {@link Expectation#toReadMetrics()}
     */
    public Expectation allows(Subject subject) {
        return new Expectation(policy, subject, true);
    }

    /**
     * Starts an expectation that {@code subject} is denied.
     *
     * @param subject who asks
     * @return the expectation; it checks nothing until {@link ActionExpectation#on} or
     *     {@link Expectation#toReadMetrics()}
     */
    public Expectation denies(Subject subject) {
        return new Expectation(policy, subject, false);
    }

    /**
     * Asserts that each repository appears in {@code subject}'s catalog.
     *
     * @param subject who asks
     * @param repositories the repository names; at least one
     * @return these assertions, for chaining
     * @throws AssertionError if any repository is not listed, naming every one that is not
     * @throws IllegalArgumentException if no repository is given
     */
    public PolicyAssert listsInCatalog(Subject subject, String... repositories) {
        checkCatalog(subject, true, repositories);
        return this;
    }

    /**
     * Asserts that no repository given appears in {@code subject}'s catalog.
     *
     * @param subject who asks
     * @param repositories the repository names; at least one
     * @return these assertions, for chaining
     * @throws AssertionError if any repository is listed, naming every one that is
     * @throws IllegalArgumentException if no repository is given
     */
    public PolicyAssert doesNotListInCatalog(Subject subject, String... repositories) {
        checkCatalog(subject, false, repositories);
        return this;
    }

    private void checkCatalog(Subject subject, boolean expected, String... repositories) {
        requireSome(repositories, "listsInCatalog/doesNotListInCatalog needs at least one repository");
        List<String> failures = new ArrayList<>();
        for (String repository : repositories) {
            Decision d = policy.decideCatalog(subject, repository);
            if (d.allowed() != expected) {
                failures.add("expected " + subject + (expected ? " to see '" : " not to see '") + repository
                        + "' in the catalog, but " + d.explain());
            }
        }
        fail(failures);
    }

    private static void requireSome(Object[] values, String message) {
        if (values == null || values.length == 0) {
            throw new IllegalArgumentException(message);
        }
    }

    private static void fail(List<String> failures) {
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.size() == 1 ? failures.get(0)
                    : failures.size() + " expectations failed:\n  " + String.join("\n  ", failures));
        }
    }

    /** An expectation waiting for its actions and repositories. */
    public static final class Expectation {
        private final AccessPolicy policy;
        private final Subject subject;
        private final boolean expected;

        private Expectation(AccessPolicy policy, Subject subject, boolean expected) {
            this.policy = policy;
            this.subject = Objects.requireNonNull(subject, "subject");
            this.expected = expected;
        }

        /**
         * The actions to check; finish with {@link ActionExpectation#on(String...)}.
         *
         * @param actions the actions; at least one
         * @return the last step, which takes the repositories
         * @throws IllegalArgumentException if no action is given
         */
        public ActionExpectation to(Action... actions) {
            requireSome(actions, "to(...) needs at least one action");
            return new ActionExpectation(this, List.of(actions));
        }

        /**
         * Checks the metrics decision now.
         *
         * @throws AssertionError if the decision is not the expected one, with its explanation
         */
        public void toReadMetrics() {
            Decision d = policy.decideMetrics(subject);
            if (d.allowed() != expected) {
                fail(List.of("expected " + subject + (expected ? " to be allowed" : " to be denied") + " to read metrics, but "
                        + d.explain()));
            }
        }
    }

    /** The last step of an expectation: the repositories, which runs the check. */
    public static final class ActionExpectation {
        private final Expectation e;
        private final List<Action> actions;

        private ActionExpectation(Expectation e, List<Action> actions) {
            this.e = e;
            this.actions = actions;
        }

        /**
         * Checks every action on every repository; all failures are reported together.
         *
         * @param repositories the repository names; at least one
         * @throws AssertionError if any decision is not the expected one, with each failure's explanation
         * @throws IllegalArgumentException if no repository is given
         */
        public void on(String... repositories) {
            requireSome(repositories, "on(...) needs at least one repository");
            List<String> failures = new ArrayList<>();
            for (String repository : Arrays.asList(repositories)) {
                for (Action action : actions) {
                    Decision d = e.policy.decide(e.subject, repository, action);
                    if (d.allowed() != e.expected) {
                        failures.add("expected " + e.subject + (e.expected ? " to be allowed to " : " to be denied ")
                                + action.configName() + " on '" + repository + "', but: " + d.explain());
                    }
                }
            }
            fail(failures);
        }
    }
}
