package dev.portcullis.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.casbin.jcasbin.main.Enforcer;
import org.casbin.jcasbin.model.Model;
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
 * {@code decide} at 10, 1,000 and 10,000 patterns: the compiled index against a linear scan over
 * the same precompiled patterns (what zot does, minus Go) and against jCasbin enforcing the same
 * grants with {@code globMatch}.
 *
 * <p>Lives in {@code dev.portcullis.policy} to reach the package-private {@link Glob} for the scan.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PolicyDecideBenchmark {
    private static final String CASBIN_MODEL = """
            [request_definition]
            r = sub, obj, act
            [policy_definition]
            p = sub, obj, act
            [role_definition]
            g = _, _
            [policy_effect]
            e = some(where (p.eft == allow))
            [matchers]
            m = g(r.sub, p.sub) && globMatch(r.obj, p.obj) && r.act == p.act
            """;
    private static final int NAMES = 1024;

    @Param({"10", "1000", "10000"})
    public int patterns;

    private AccessPolicy policy;
    private Glob[] scanGlobs;
    private Enforcer casbin;
    String[] names;
    private final Subject subject = Subject.user("ci", "artifact-workloads");
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        policy = RealisticPolicies.generate(patterns);
        scanGlobs = policy.repositories().stream().map(r -> Glob.compile(r.pattern())).toArray(Glob[]::new);
        names = RealisticPolicies.names(patterns, NAMES, new Random(42));
        casbin = casbinEnforcer(policy);
    }

    /** The Portcullis evaluator: trie of literal prefixes, compiled patterns. */
    @Benchmark
    public boolean compiled() {
        return compiled(nextName());
    }

    boolean compiled(String name) {
        return policy.decide(subject, name, Action.CREATE).allowed();
    }

    /** zot's algorithm over the same compiled patterns: test every pattern, keep the longest match. */
    @Benchmark
    public boolean linearScan() {
        return linearScan(nextName());
    }

    boolean linearScan(String name) {
        Glob best = null;
        for (Glob g : scanGlobs) {
            if (g.matches(name) && (best == null || PatternIndex.PRECEDENCE.compare(g, best) < 0)) {
                best = g;
            }
        }
        return best != null && policy.rule(best.pattern()).policies().stream()
                .anyMatch(p -> p.groups().contains("artifact-workloads") && p.actions().contains(Action.CREATE));
    }

    /** jCasbin with the same grants, one policy line per (pattern, principal, action). */
    @Benchmark
    public boolean jcasbin() {
        return casbin.enforce("ci", nextName(), "create");
    }

    private String nextName() {
        String n = names[next];
        next = (next + 1) & (NAMES - 1);
        return n;
    }

    static Enforcer casbinEnforcer(AccessPolicy policy) {
        Model model = new Model();
        model.loadModelFromText(CASBIN_MODEL);
        Enforcer e = new Enforcer(model);
        e.enableAutoSave(false);
        List<List<String>> lines = new ArrayList<>();
        for (RepositoryRule rule : policy.repositories()) {
            for (PolicyEntry entry : rule.policies()) {
                for (String principal : concat(entry.users(), entry.groups())) {
                    for (Action a : entry.actions()) {
                        lines.add(List.of(principal, rule.pattern(), a.configName()));
                    }
                }
            }
        }
        e.addPolicies(lines);
        e.addGroupingPolicy("ci", "artifact-workloads");
        return e;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
