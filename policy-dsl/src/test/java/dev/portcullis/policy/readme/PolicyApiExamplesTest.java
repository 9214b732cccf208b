package dev.portcullis.policy.readme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.policy.Action;
import dev.portcullis.policy.Decision;
import dev.portcullis.policy.Subject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples of docs/policy-api.md, through the public API only: they compile, run and decide as the page says. */
class PolicyApiExamplesTest {
    /** The page's first example as a program, run in a directory holding zot's config.json. */
    public static final class DecideAndExplain {
        public static void main(String[] args) {
            Logger log = Logger.getLogger("registry");
            AccessPolicy policy = AccessPolicy.fromZotJson(Path.of("config.json")); // zot's config.json, or just its accessControl object
            Decision d = policy.decide(Subject.user("ci-bot", "artifact-workloads"), "team/app", Action.UPDATE);
            if (!d.allowed()) {
                log.info(d.explain());
            }
            // Denied: user 'ci-bot' (groups: artifact-workloads) may not update 'team/app' — pattern '**' applies
            // (the only matching pattern); there the user holds read, create (group 'artifact-workloads': read, create);
            // update is not granted there, and the user is not in adminPolicy.
        }
    }

    @Test
    void aZotConfigDecidesAndExplainsAsThePageShows(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), """
                {
                  "http": {
                    "accessControl": {
                      "repositories": {
                        "**": {
                          "policies": [{ "groups": ["artifact-workloads"], "actions": ["read", "create"] }],
                          "anonymousPolicy": ["read"]
                        }
                      },
                      "adminPolicy": { "groups": ["admins"], "actions": ["read", "create", "update", "delete"] }
                    }
                  }
                }
                """);
        ExampleProcess.Result run = ExampleProcess.run(DecideAndExplain.class, dir);
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).as("the explanation the page prints in its comment").contains("INFO: Denied: user 'ci-bot' (groups:"
                + " artifact-workloads) may not update 'team/app' — pattern '**' applies (the only matching pattern); there the user holds"
                + " read, create (group 'artifact-workloads': read, create); update is not granted there, and the user is not in"
                + " adminPolicy.\n");
    }

    @Test
    void aPolicyBuiltInCodeDecidesAsItsZotJson() {
        AccessPolicy policy = AccessPolicy.builder()
            .group("ci", "bot1", "bot2")                                    // config groups
            .repository("**", r -> r.anonymousPolicy(Action.READ)
                                   .allowGroups(List.of("artifact-workloads"), Action.READ, Action.CREATE))
            .repository("infra/*", r -> r.allowUsers(List.of("alice"), Action.values()))
            .admin(List.of(), List.of("admins"), Action.values())
            .metrics(List.of("prometheus"), Action.READ)                    // users; anonymousPolicy
            .build();

        assertThat(policy.decide(Subject.anonymous(), "team/app", Action.READ).allowed()).isTrue();
        assertThat(policy.decide(Subject.user("ci-bot", "artifact-workloads"), "team/app", Action.CREATE).allowed()).isTrue();
        assertThat(policy.decide(Subject.user("ci-bot", "artifact-workloads"), "team/app", Action.UPDATE).allowed()).isFalse();
        assertThat(policy.decide(Subject.user("alice"), "infra/dns", Action.DELETE).allowed()).isTrue();
        assertThat(policy.decide(Subject.user("alice"), "team/app", Action.READ).allowed()).as("authenticated: no anonymousPolicy").isFalse();
        assertThat(policy.decide(Subject.user("root", "admins"), "team/app", Action.DELETE).allowed()).isTrue();
        assertThat(policy.decideMetrics(Subject.user("prometheus")).allowed()).isTrue();
        assertThat(policy.decideMetrics(Subject.anonymous()).allowed()).as("metrics(users, anonymousPolicy...)").isTrue();
        assertThat(policy.decideMetrics(Subject.user("alice")).allowed()).isFalse();
        assertThat(AccessPolicy.fromZotJson(policy.toZotJson()).decide(Subject.user("bot1"), "infra/x", Action.READ).allowed())
                .as("bot1 is in the config group ci, which has nothing on infra/*").isFalse();
    }
}
