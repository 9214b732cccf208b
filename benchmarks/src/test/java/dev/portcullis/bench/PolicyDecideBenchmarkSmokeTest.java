package dev.portcullis.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.policy.Action;
import dev.portcullis.policy.Subject;
import org.junit.jupiter.api.Test;

/** The harness starts and every contender answers; speed is measured by JMH, not here. */
class PolicyDecideBenchmarkSmokeTest {

    @Test
    void everyContenderRunsOnASmallPolicy() {
        PolicyDecideBenchmark b = new PolicyDecideBenchmark();
        b.patterns = 10;
        b.setUp();
        for (int i = 0; i < 50; i++) {
            b.compiled();
            b.linearScan();
            b.jcasbin();
        }
        assertThat(RealisticPolicies.generate(1000).repositories()).hasSize(1000);
    }

    @Test
    void compiledAndLinearScanAgreeOnEveryQueryName() {
        PolicyDecideBenchmark b = new PolicyDecideBenchmark();
        b.patterns = 1000;
        b.setUp();
        int allowed = 0;
        for (String name : b.names) {
            assertThat(b.compiled(name)).as(name).isEqualTo(b.linearScan(name));
            allowed += b.compiled(name) ? 1 : 0;
        }
        assertThat(allowed).as("a mix of allowed and denied names").isBetween(100, 1000);
    }

    @Test
    void casbinSeesTheSameGrantsWhereOnlyOnePatternMatches() {
        AccessPolicy policy = RealisticPolicies.generate(10);
        var casbin = PolicyDecideBenchmark.casbinEnforcer(policy);
        // jCasbin takes the union of matching patterns, zot the longest: compare on a name only "**" matches
        String name = "elsewhere-1/lib";
        assertThat(casbin.enforce("ci", name, "read")).isEqualTo(policy.decide(Subject.user("ci", "artifact-workloads"), name, Action.READ).allowed());
    }
}
