package dev.portcullis.policy.fuzz;

import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.policy.Action;
import dev.portcullis.policy.InvalidPolicyException;
import dev.portcullis.policy.Subject;
import java.util.List;
import java.util.function.Supplier;

/** What every policy a parser accepted must survive: questions about any subject and repository, never an exception. */
final class PolicyFuzzing {
    private static final List<Subject> SUBJECTS = List.of(Subject.anonymous(), Subject.user("alice", "developers"), Subject.user("ops", "admins"),
            Subject.user("**", "*"));

    private static final List<String> REPOSITORIES = List.of("team/app", "a", "infra/dns/core", "library/base");

    private PolicyFuzzing() {
    }

    /** Loads a policy; if the loader accepts the text, asks it everything. Any exception but the documented refusal escapes. */
    static void loadAndAsk(Supplier<AccessPolicy> loader) {
        AccessPolicy policy;
        try {
            policy = loader.get();
        } catch (InvalidPolicyException expected) {
            return;
        }
        ask(policy);
    }

    private static void ask(AccessPolicy policy) {
        for (Subject subject : SUBJECTS) {
            for (Action action : Action.values()) {
                for (String repository : REPOSITORIES) {
                    policy.decide(subject, repository, action);
                }
            }
            policy.decideMetrics(subject);
            policy.decideCatalog(subject, "team/app");
        }
    }
}
