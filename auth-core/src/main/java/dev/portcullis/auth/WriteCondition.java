package dev.portcullis.auth;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * The condition under which the pipeline allowed a write: it decided on the request's head, from the application's
 * {@link dev.portcullis.auth.routes.ExistenceLookup}, that the target was absent (the caller may create but not
 * update it) or present (the caller may update but not create it). The application writes after the body, which may
 * take minutes; meanwhile someone else may create or delete the target. So the application commits the write only
 * if the target is still as the condition says, in one atomic step with the write (create-if-absent, say), and
 * otherwise changes nothing and answers {@link #refusal()}.
 *
 * <pre>{@code
 * for (WriteCondition c : conditions) {                      // empty for callers who may both create and update
 *     if (!storage.putTag(repository, tag, manifest, c.expect())) {   // atomic: checks and writes under one lock
 *         return c.refusal();                                // 403 DENIED (401 for anonymous), as a denied update
 *     }
 * }
 * }</pre>
 *
 * Writes by a caller who holds both {@code create} and {@code update} carry no condition and commit as they are.
 */
public final class WriteCondition {
    /** What the target must still be when the write commits. */
    public enum Expect {
        /** The caller may create but not update: the target must still be absent (create-if-absent). */
        ABSENT,
        /** The caller may update but not create: the target must still exist. */
        PRESENT
    }

    private final String repository;
    private final String target;
    private final Expect expect;
    private final Supplier<Outcome.Respond> refusal;

    WriteCondition(String repository, String target, Expect expect, Supplier<Outcome.Respond> refusal) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.target = Objects.requireNonNull(target, "target");
        this.expect = Objects.requireNonNull(expect, "expect");
        this.refusal = refusal;
    }

    /** The repository the write goes to. */
    public String repository() {
        return repository;
    }

    /** The tag (OCI) or artifact path (generic store) the existence lookup was asked about. */
    public String target() {
        return target;
    }

    /** What the target must still be when the write commits. */
    public Expect expect() {
        return expect;
    }

    /** Whether the write may commit, given whether the target exists at the moment of the commit. */
    public boolean holds(boolean targetExists) {
        return targetExists == (expect == Expect.PRESENT);
    }

    /**
     * The answer for a write whose condition no longer held when it was to commit: the pipeline's own denial of the
     * other action (a denied {@code update} for {@link Expect#ABSENT}, a denied {@code create} for
     * {@link Expect#PRESENT}), 403 {@code DENIED} with the same body, or 401 for an anonymous caller. Each call
     * writes an audit event, so call it once, when refusing.
     */
    public Outcome.Respond refusal() {
        return refusal.get();
    }

    @Override
    public String toString() {
        return "WriteCondition[" + repository + " " + target + " must be " + expect.name().toLowerCase(java.util.Locale.ROOT)
                + " at commit]";
    }
}
