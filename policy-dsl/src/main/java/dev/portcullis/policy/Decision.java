package dev.portcullis.policy;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one access question, able to explain itself.
 *
 * <pre>{@code
 * Decision d = policy.decide(Subject.user("ci", "artifact-workloads"), "team/app", Action.UPDATE);
 * if (!d.allowed()) log.info(d.explain());
 * }</pre>
 *
 * The explanation is composed only when asked for, so deciding stays cheap.
 */
public final class Decision {
    private final CompiledPolicy policy;
    private final Question question;
    private final Subject subject;
    private final @Nullable String repository;
    private final Action action;
    private final boolean allowed;
    private final Grant grantedBy;
    private final @Nullable String pattern;

    Decision(CompiledPolicy policy, Question question, Subject subject, @Nullable String repository, Action action,
             boolean allowed, Grant grantedBy, @Nullable String pattern) {
        this.policy = policy;
        this.question = question;
        this.subject = subject;
        this.repository = repository;
        this.action = action;
        this.allowed = allowed;
        this.grantedBy = grantedBy;
        this.pattern = pattern;
    }

    /**
     * The answer.
     *
     * @return true if the subject may do what it asked
     */
    public boolean allowed() {
        return allowed;
    }

    /**
     * The pattern whose rule applied, or empty when no pattern matched (or for metrics).
     *
     * @return the pattern, e.g. {@code team/**}; empty also for a policy without {@code accessControl}
     */
    public Optional<String> pattern() {
        return Optional.ofNullable(pattern);
    }

    /**
     * The tier that granted the action, or {@link Grant#NONE} for a denial.
     *
     * @return the tier; {@link Grant#USER} for a user listed in {@code metrics.users}
     */
    public Grant grantedBy() {
        return grantedBy;
    }

    /**
     * Who asked.
     *
     * @return the subject as passed to the policy, without the groups the policy adds
     */
    public Subject subject() {
        return subject;
    }

    /**
     * The repository asked about, or {@code null} for a metrics decision.
     *
     * @return the repository name, or {@code null} for metrics
     */
    public @Nullable String repository() {
        return repository;
    }

    /**
     * The action asked about ({@code READ} for metrics and catalog listing).
     *
     * @return the action
     */
    public Action action() {
        return action;
    }

    /**
     * One human sentence: who asked for what, which pattern applied and why it won over the other
     * matching patterns, what the subject holds there, and why the action is or is not granted.
     *
     * @return the explanation, composed on each call
     */
    public String explain() {
        return new Explanation(policy, question, subject, repository, action, allowed, grantedBy, pattern).sentence();
    }

    @Override
    public String toString() {
        return explain();
    }
}
