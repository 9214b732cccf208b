package dev.portcullis.policy.examples;

import static dev.portcullis.policy.testing.PolicyAssert.assertThat;

import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.policy.Action;
import dev.portcullis.policy.Subject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RegistryPolicyAssertTest {
    @Test
    void ciPushesNewTagsButNeverOverwritesThemAndAnyonePulls() {
        AccessPolicy policy = AccessPolicy.load(Path.of("../docs/examples/registry.policy"));   // or a zot config.json
        Subject ci = Subject.user("ci", "artifact-workloads");

        assertThat(policy).allows(ci).to(Action.READ, Action.CREATE).on("team/app");
        assertThat(policy).denies(ci).to(Action.UPDATE, Action.DELETE).on("team/app");
        assertThat(policy).allows(Subject.anonymous()).to(Action.READ).on("team/app");
        assertThat(policy).allows(Subject.anonymous()).toReadMetrics();
        assertThat(policy).listsInCatalog(Subject.anonymous(), "team/app");
    }
}
