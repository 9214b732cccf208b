package dev.portcullis.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.policy.PolicyDiff;
import org.junit.jupiter.api.Test;

/** The harness starts and the diff finds the three edits; speed is measured by JMH, not here. */
class PolicyDiffBenchmarkSmokeTest {

    @Test
    void theEditedPolicyDiffersWhereItWasEdited() {
        PolicyDiffBenchmark b = new PolicyDiffBenchmark();
        b.patterns = 100;
        b.setUp();
        assertThat(b.before.repositories()).hasSize(100);
        assertThat(b.after.repositories()).hasSize(100);
        PolicyDiff diff = b.diff();
        assertThat(diff.complete()).isTrue();
        assertThat(diff.changes()).contains(
                new PolicyDiff.Change("anonymous", true, "read", "team-0/app-0", "team-0/[a-m]*", "team-*/app-[0-9]"),
                new PolicyDiff.Change("group team-1-devs", false, "update", "team-1", "team-1/**", "**"),
                new PolicyDiff.Change("group artifact-workloads", false, "create", "team-3", "team-3/**", "team-3/**"));
    }
}
