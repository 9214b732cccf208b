package dev.portcullis.policy.cli;

import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.policy.Action;
import dev.portcullis.policy.Decision;
import dev.portcullis.policy.Grant;
import dev.portcullis.policy.InvalidPolicyException;
import dev.portcullis.policy.PolicyDiff;
import dev.portcullis.policy.PolicyDocument;
import dev.portcullis.policy.PolicyLint;
import dev.portcullis.policy.RepositoryRule;
import dev.portcullis.policy.Subject;
import dev.portcullis.policy.WhoCan;
import dev.portcullis.policy.testing.CaseBundle;
import dev.portcullis.policy.testing.PolicyCase;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis-policy}: test, explain, lint, query, diff, format and convert access policies
 * without a server. Exit codes: 0 success; 1 a finding (a failed test, a lint error, a denial
 * from explain, a difference from diff, an unformatted file with fmt --check); 2 bad usage or an
 * input that cannot be read or parsed; 3 a diff that could not compare every repository name.
 */
@Command(name = "portcullis-policy", mixinStandardHelpOptions = true, version = "portcullis-policy 0.1.0",
        description = "Test, explain, lint, query, diff, format and convert Portcullis and zot access policies.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success",
            "1:a finding: a failed test, a lint error, a denial from explain, a difference from diff, an unformatted file",
            "2:bad usage, or an input that cannot be read or parsed",
            "3:diff stopped before comparing every repository name (a resource limit)"},
        footer = "",
        subcommands = {PolicyCli.TestCommand.class, PolicyCli.ExplainCommand.class, PolicyCli.LintCommand.class,
            PolicyCli.WhoCanCommand.class, PolicyCli.DiffCommand.class, PolicyCli.FmtCommand.class, PolicyCli.ConvertCommand.class})
public final class PolicyCli implements Runnable {
    static final int FINDING = 1;
    static final int BAD_INPUT = 2;
    static final int INCOMPLETE = 3;

    @Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * Runs the command line and exits the JVM with its exit code.
     *
     * @param args the command and its options, e.g. {@code test registry.policy}
     */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err));
    }

    /**
     * Runs the command line with the given streams and returns the exit code (for embedding and tests).
     *
     * @param args the command and its options, e.g. {@code test registry.policy}
     * @param out where results go; flushed before returning
     * @param err where errors and usage messages go; flushed before returning
     * @return the exit code: 0 success, 1 a finding, 2 bad usage or input, 3 an incomplete diff
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new PolicyCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof InvalidPolicyException || e instanceof UserError) {
                commandLine.getErr().println("error: " + e.getMessage());
                return BAD_INPUT;
            }
            throw e;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: test, explain, lint, who-can, diff, fmt or convert");
    }

    /** A user mistake reported as one line, exit code 2. */
    static final class UserError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UserError(String message) {
            super(message);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError(file + ": cannot read the file: " + e);
        }
    }

    // ------------------------------------------------------------------ test

    @Command(name = "test", description = "Run the test blocks of .policy files and JSON case bundles; ends with 'N passed, M failed'.")
    static final class TestCommand implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "FILE", description = ".policy files with test blocks, or JSON case bundles")
        List<Path> files;

        @Option(names = "--coverage", description = "List the rules (pattern × tier) that no passing or failing case was granted by.")
        boolean coverage;

        private record Suite(String policySource, AccessPolicy policy, List<PolicyCase> cases) {
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int passed = 0;
            int failed = 0;
            boolean broken = false;
            Map<String, String> names = new LinkedHashMap<>();
            Map<String, AccessPolicy> policies = new LinkedHashMap<>();
            Map<String, Set<String>> exercised = new LinkedHashMap<>();
            for (Path file : files) {
                Suite suite;
                try {
                    suite = load(file);
                } catch (InvalidPolicyException | UserError e) {
                    err.println("error: " + e.getMessage());
                    broken = true;
                    continue;
                }
                if (suite.cases().isEmpty()) {
                    err.println("warning: " + file + " has no test cases");
                }
                // one coverage report per policy file, however each test file names it
                String key = Path.of(suite.policySource()).toAbsolutePath().normalize().toString();
                names.putIfAbsent(key, suite.policySource());
                policies.putIfAbsent(key, suite.policy());
                Set<String> hit = exercised.computeIfAbsent(key, k -> new LinkedHashSet<>());
                for (PolicyCase c : suite.cases()) {
                    Decision d = c.decide(suite.policy());
                    if (d.allowed()) {
                        hit.add(ruleKey(c.check(), d));
                    }
                    if (d.allowed() == c.expectAllowed()) {
                        passed++;
                    } else {
                        failed++;
                        out.println("FAIL " + c.location() + " \"" + c.name() + "\": expected " + c.describe());
                        out.println("     " + d.explain());
                    }
                }
            }
            if (coverage) {
                policies.forEach((key, policy) -> printCoverage(out, names.getOrDefault(key, ""), policy, exercised.getOrDefault(key, Set.of())));
            }
            out.println(passed + " passed, " + failed + " failed");
            return broken ? BAD_INPUT : failed > 0 ? FINDING : 0;
        }

        private static Suite load(Path file) {
            CaseBundle b = CaseBundle.load(file);
            return new Suite(b.policySource(), b.policy(), b.cases());
        }

        private static String ruleKey(PolicyCase.Check check, Decision d) {
            if (check == PolicyCase.Check.METRICS) {
                return d.grantedBy() == Grant.ANONYMOUS ? "metrics anonymous" : "metrics user";
            }
            if (d.grantedBy() == Grant.ADMIN) {
                return "admin";
            }
            return "repo " + d.pattern().orElse("") + " " + d.grantedBy();
        }

        private static void printCoverage(PrintWriter out, String source, AccessPolicy policy, Set<String> hit) {
            Map<String, String> rules = new LinkedHashMap<>();
            for (RepositoryRule r : policy.repositories()) {
                String name = "repo \"" + r.pattern() + "\" ";
                if (r.policies().stream().anyMatch(e -> !e.users().isEmpty() && !e.actions().isEmpty())) {
                    rules.put("repo " + r.pattern() + " USER", name + "user grants");
                }
                if (r.policies().stream().anyMatch(e -> !e.groups().isEmpty() && !e.actions().isEmpty())) {
                    rules.put("repo " + r.pattern() + " GROUP", name + "group grants");
                }
                if (!r.defaultPolicy().isEmpty()) {
                    rules.put("repo " + r.pattern() + " DEFAULT", name + "authenticated (defaultPolicy)");
                }
                if (!r.anonymousPolicy().isEmpty()) {
                    rules.put("repo " + r.pattern() + " ANONYMOUS", name + "anonymous (anonymousPolicy)");
                }
            }
            if (!policy.adminPolicy().actions().isEmpty()
                    && (!policy.adminPolicy().users().isEmpty() || !policy.adminPolicy().groups().isEmpty())) {
                rules.put("admin", "admin (adminPolicy)");
            }
            if (policy.metricsPolicy().anonymousPolicy().contains(Action.READ)) {
                rules.put("metrics anonymous", "metrics anonymous");
            }
            if (!policy.metricsPolicy().users().isEmpty()) {
                rules.put("metrics user", "metrics users");
            }
            List<String> missing = new ArrayList<>();
            rules.forEach((key, label) -> {
                if (!hit.contains(key)) {
                    missing.add(label);
                }
            });
            out.println("coverage of " + source + ": " + (rules.size() - missing.size()) + " of " + rules.size() + " rules exercised");
            missing.forEach(m -> out.println("  not exercised: " + m));
        }
    }

    // ------------------------------------------------------------------ explain

    @Command(name = "explain", description = "Decide one request and explain the decision. Exit 0 if allowed, 1 if denied.")
    static final class ExplainCommand implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--policy", required = true, paramLabel = "FILE", description = "a .policy or zot .json file")
        Path policy;

        @Option(names = "--user", paramLabel = "NAME", description = "the user asking")
        String user;

        @Option(names = "--groups", split = ",", paramLabel = "GROUP", description = "the user's groups, comma-separated")
        List<String> groups = new ArrayList<>();

        @Option(names = "--anonymous", description = "ask as a caller without credentials")
        boolean anonymous;

        @Option(names = "--repo", paramLabel = "NAME", description = "the repository (not needed for metrics)")
        String repo;

        @Option(names = "--action", required = true, paramLabel = "ACTION", description = "read, create, update, delete, metrics or catalog")
        String action;

        @Override
        public Integer call() {
            if (anonymous == (user != null)) {
                throw new UserError("give exactly one of --user NAME and --anonymous");
            }
            if (anonymous && !groups.isEmpty()) {
                throw new UserError("--groups needs --user: an anonymous caller has no groups");
            }
            if ("".equals(user)) {
                throw new UserError("--user: an empty user name; for a caller without credentials, use --anonymous");
            }
            PolicyCase.Check check;
            try {
                check = PolicyCase.Check.parse(action);
            } catch (IllegalArgumentException e) {
                throw new UserError("--action: " + e.getMessage());
            }
            if (check != PolicyCase.Check.METRICS && repo == null) {
                throw new UserError("--repo is required for --action " + action);
            }
            Subject subject = anonymous ? Subject.anonymous() : Subject.user(user, groups);
            Decision d = new PolicyCase("explain", "command line", subject, check, repo, true).decide(AccessPolicy.load(policy));
            spec.commandLine().getOut().println(d.explain());
            return d.allowed() ? 0 : FINDING;
        }
    }

    // ------------------------------------------------------------------ lint

    @Command(name = "lint", description = "Report mistakes a policy can load with. Exit 1 if any finding is an error.")
    static final class LintCommand implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "a .policy or zot .json file")
        Path file;

        @Option(names = "--store", paramLabel = "oci|maven", defaultValue = "oci", description = "what the policy protects: an OCI"
                + " registry (lower-case names) or Maven repositories (names may hold capitals; deploy traps) (default: ${DEFAULT-VALUE})")
        String store;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PolicyLint.Store kind = switch (store) {
                case "oci" -> PolicyLint.Store.OCI;
                case "maven" -> PolicyLint.Store.MAVEN;
                default -> throw new CommandLine.ParameterException(spec.commandLine(), "--store must be oci or maven, not '" + store + "'");
            };
            List<PolicyLint.Finding> findings;
            try {
                if (file.toString().endsWith(".json") || (!file.toString().endsWith(".policy") && read(file).stripLeading().startsWith("{"))) {
                    findings = PolicyLint.check(AccessPolicy.fromZotJson(file), kind);
                } else {
                    PolicyDocument doc = PolicyDocument.parse(file);
                    if (doc.policyReference().isPresent()) {
                        throw new UserError(file + " holds tests for " + doc.policyReference().get() + "; lint that file");
                    }
                    findings = PolicyLint.check(doc, kind);
                }
            } catch (InvalidPolicyException e) {
                String message = String.valueOf(e.getMessage());
                String location = file.toString();
                if (message.startsWith(location + ":")) { // the loader already names the file (and line)
                    int end = message.indexOf(": ", location.length() + 1);
                    location = message.substring(0, end);
                    message = message.substring(end + 2);
                }
                findings = List.of(new PolicyLint.Finding(PolicyLint.Severity.ERROR, location, message, "correct the file so that it loads"));
            }
            findings.forEach(out::println);
            long errors = findings.stream().filter(f -> f.severity() == PolicyLint.Severity.ERROR).count();
            out.println(findings.isEmpty() ? "no findings" : errors + " error(s), " + (findings.size() - errors) + " warning(s)");
            return errors > 0 ? FINDING : 0;
        }
    }

    // ------------------------------------------------------------------ who-can

    @Command(name = "who-can", description = "List every principal that may perform an action on a repository.")
    static final class WhoCanCommand implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--policy", required = true, paramLabel = "FILE")
        Path policy;

        @Option(names = "--action", required = true, paramLabel = "ACTION", description = "read, create, update or delete")
        String action;

        @Option(names = "--repo", required = true, paramLabel = "NAME")
        String repo;

        @Override
        public Integer call() {
            Action a;
            try {
                a = Action.parse(action);
            } catch (IllegalArgumentException e) {
                throw new UserError("--action: " + e.getMessage());
            }
            spec.commandLine().getOut().print(WhoCan.of(AccessPolicy.load(policy), a, repo));
            return 0;
        }
    }

    // ------------------------------------------------------------------ diff

    @Command(name = "diff", description = "Show who gains or loses what between two policies (either format). "
            + "No output and exit 0 when they decide the same; exit 1 when they differ; exit 3 when it stopped before comparing"
            + " every repository name (a resource limit): the changes printed are real, but there may be others.")
    static final class DiffCommand implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "OLD")
        Path before;

        @Parameters(index = "1", paramLabel = "NEW")
        Path after;

        @Override
        public Integer call() {
            PolicyDiff diff = PolicyDiff.between(AccessPolicy.load(before), AccessPolicy.load(after));
            diff.changes().forEach(spec.commandLine().getOut()::println);
            if (!diff.complete()) {
                spec.commandLine().getErr().println("incomplete: the patterns of " + before + " and " + after + " tell too many kinds of"
                        + " repository name apart to compare them all; the changes printed are real, but there may be others."
                        + " Diff smaller parts of the policies, or simplify patterns with many '*', '?' or '**' in a row");
                return INCOMPLETE;
            }
            return diff.changes().isEmpty() ? 0 : FINDING;
        }
    }

    // ------------------------------------------------------------------ fmt

    @Command(name = "fmt", description = "Rewrite .policy files in the canonical layout (comments kept); --check only reports.")
    static final class FmtCommand implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "FILE", description = ".policy files")
        List<Path> files;

        @Option(names = "--check", description = "Change nothing; list the files that are not formatted and exit 1 if any.")
        boolean check;

        @Override
        public Integer call() {
            boolean unformatted = false;
            for (Path file : files) {
                if (!file.toString().endsWith(".policy")) {
                    throw new UserError(file + ": fmt formats .policy files; for zot JSON use 'convert'");
                }
                String text = read(file);
                AccessPolicy.parse(file); // never rewrite a file that does not parse
                String formatted = PolicyDocument.format(text, file.toString());
                if (formatted.equals(text)) {
                    continue;
                }
                if (check) {
                    spec.commandLine().getOut().println(file + " is not formatted");
                    unformatted = true;
                } else {
                    try {
                        Files.writeString(file, formatted, StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        throw new UserError(file + ": cannot write the file: " + e);
                    }
                    spec.commandLine().getOut().println("formatted " + file);
                }
            }
            return unformatted ? FINDING : 0;
        }
    }

    // ------------------------------------------------------------------ convert

    @Command(name = "convert", description = "Convert between zot JSON and the policy language (the default target is the other format).")
    static final class ConvertCommand implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "a .policy or zot .json file (a whole zot config works too)")
        Path file;

        @Option(names = "--to", paramLabel = "FORMAT", description = "text or json")
        String to;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write here instead of standard output")
        Path output;

        @Override
        public Integer call() {
            AccessPolicy policy = AccessPolicy.load(file);
            String target = to != null ? to : file.toString().endsWith(".policy") ? "json" : "text";
            String result = switch (target) {
                case "json" -> policy.toZotJson();
                case "text" -> {
                    if (!policy.hasAccessControl()) {
                        throw new UserError(file + " has no accessControl (zot then lets every authenticated user do everything);"
                                + " the policy language has no form for that: write the rules you want instead");
                    }
                    yield policy.toText();
                }
                default -> throw new UserError("--to must be 'text' or 'json', got '" + target + "'");
            };
            if (output == null) {
                spec.commandLine().getOut().print(result);
            } else {
                try {
                    Files.writeString(output, result, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UserError(output + ": cannot write the file: " + e);
                }
            }
            return 0;
        }
    }
}
