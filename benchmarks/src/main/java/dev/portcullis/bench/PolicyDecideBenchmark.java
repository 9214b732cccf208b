package dev.portcullis.bench;

import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.policy.Action;
import dev.portcullis.policy.Permissions;
import dev.portcullis.policy.PolicyEntry;
import dev.portcullis.policy.RepositoryPattern;
import dev.portcullis.policy.RepositoryRule;
import dev.portcullis.policy.Subject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * grants with {@code globMatch}. Measures through the public API: the scan matches with
 * {@link RepositoryPattern}, the policy's own glob semantics.
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
    private RepositoryPattern[] scanPatterns;
    /** Per scanned pattern, its place in the policy's precedence: the lower, the more specific. */
    private int[] scanPrecedence;
    private Enforcer casbin;
    String[] names;
    private final Subject subject = Subject.user("ci", "artifact-workloads");
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        policy = RealisticPolicies.generate(patterns);
        scanPatterns = policy.repositories().stream().map(r -> RepositoryPattern.compile(r.pattern())).toArray(RepositoryPattern[]::new);
        scanPrecedence = precedence(policy, scanPatterns);
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
        int best = -1;
        for (int i = 0; i < scanPatterns.length; i++) {
            if (scanPatterns[i].matches(name) && (best < 0 || scanPrecedence[i] < scanPrecedence[best])) {
                best = i;
            }
        }
        return best >= 0 && rule(scanPatterns[best].pattern()).policies().stream()
                .anyMatch(p -> p.groups().contains("artifact-workloads") && p.actions().contains(Action.CREATE));
    }

    /** By a walk over the rules, the lookup this benchmark has always included. */
    private RepositoryRule rule(String pattern) {
        for (RepositoryRule r : policy.repositories()) {
            if (r.pattern().equals(pattern)) {
                return r;
            }
        }
        throw new IllegalArgumentException("no pattern " + pattern);
    }

    /**
     * zot's choice among matching patterns (the longest in bytes) with the policy's tie-break, as ranks: {@link Permissions}
     * lists the patterns of a subject who may do everything everywhere (the generated policies' admins) in precedence order.
     */
    private static int[] precedence(AccessPolicy policy, RepositoryPattern[] patterns) {
        Map<String, Integer> rank = new HashMap<>();
        for (Permissions.Grants g : Permissions.of(policy, Subject.user("root", "admins")).grants()) {
            rank.put(g.pattern(), rank.size());
        }
        return Arrays.stream(patterns).mapToInt(p -> rank.get(p.pattern())).toArray();
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
