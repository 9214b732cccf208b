package dev.portcullis.bench;

import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.policy.Action;
import dev.portcullis.policy.PolicyDiff;
import dev.portcullis.policy.RepositoryRule;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@code PolicyDiff.between} on two policies of {@code patterns} patterns each: the generated
 * registry policy of {@link PolicyDecideBenchmark}, and the same after a typical change — one
 * pattern added that meets a pattern of every team, one removed, one rule's grants changed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PolicyDiffBenchmark {
    @Param({"1000"})
    public int patterns;

    AccessPolicy before;
    AccessPolicy after;

    @Setup(Level.Trial)
    public void setUp() {
        before = RealisticPolicies.generate(patterns);
        after = edited(before);
    }

    @Benchmark
    public PolicyDiff diff() {
        return PolicyDiff.between(before, after);
    }

    /** The same rules, except: a pattern for every team's app-0 to app-9 added, "team-1/**" removed, "team-3/**" without CI's grant. */
    static AccessPolicy edited(AccessPolicy policy) {
        AccessPolicy.Builder b = AccessPolicy.builder()
                .admin(policy.adminPolicy().users(), policy.adminPolicy().groups(), policy.adminPolicy().actions().toArray(new Action[0]))
                .repository("team-*/app-[0-9]", r -> r.anonymousPolicy(Action.READ).allowGroups(List.of("artifact-workloads"), Action.READ));
        for (RepositoryRule rule : policy.repositories()) {
            switch (rule.pattern()) {
                case "team-1/**" -> { }
                case "team-3/**" -> b.repository("team-3/**", r -> r.allowGroups(List.of("team-3-devs"), Action.READ, Action.CREATE, Action.UPDATE));
                default -> b.repository(rule);
            }
        }
        return b.build();
    }
}
