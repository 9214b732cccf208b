package dev.portcullis.policy.testing;

import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.policy.Decision;
import dev.portcullis.policy.InvalidPolicyException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.opentest4j.AssertionFailedError;

/**
 * The {@code test} blocks of {@code .policy} files (and JSON case bundles) as JUnit 5 dynamic tests: one test per
 * case, so that a policy's own tests run, and fail, in the build like any other test.
 *
 * <pre>{@code
 * @TestFactory
 * Stream<DynamicTest> registryPolicy() {
 *     return PolicyTests.of(Path.of("src/main/resources/registry.policy"));
 * }
 *
 * @TestFactory
 * Stream<DynamicContainer> everyPolicy() {
 *     return PolicyTests.under(Path.of("policies"));
 * }
 * }</pre>
 *
 * Each test is named by the case and where it is written, e.g. {@code user 'ci' (groups: artifact-workloads) cannot
 * update on 'team/app' (registry.policy:31)}, and points at that file and line, so an IDE opens it. A failing case
 * throws {@link AssertionFailedError} with the case's location, its test's name, what it expected and the decision's
 * {@linkplain Decision#explain() explanation}, as {@code portcullis-policy test} prints it.
 *
 * <p>This class needs JUnit Jupiter's API ({@code org.junit.jupiter:junit-jupiter-api}) on the class path. It is an
 * optional dependency of this module: a test class path that runs JUnit 5 has it, and the policy library itself never
 * brings JUnit along. Everything else in this package works without it.
 */
public final class PolicyTests {
    private PolicyTests() {
    }

    /**
     * One dynamic test per case of a {@code .policy} file's {@code test} blocks, or of a JSON case bundle (a file whose
     * name ends in {@code .json}, see {@link CaseBundle}). A {@code .policy} file that holds only tests
     * ({@code policy "registry.policy"}) runs them against the file it names, relative to itself.
     *
     * @param file a {@code .policy} file with {@code test} blocks, or a JSON case bundle
     * @return the tests, in file order; read when this is called, run when JUnit runs them
     * @throws InvalidPolicyException when the file (or the policy it names) cannot be read or parsed, or the file has no
     *     test cases — a test factory that silently ran nothing would pass
     */
    public static Stream<DynamicTest> of(Path file) {
        return tests(load(file));
    }

    /**
     * Every {@code .policy} file under a directory (its subdirectories included), each as a container of its cases'
     * tests, named by its path relative to {@code directory}, in path order. Files without {@code test} blocks (rules
     * tested from another file) are left out; a file that cannot be read or parsed becomes one failing test that
     * carries the error, so that the other files still run. JSON case bundles are not picked up here: give them to
     * {@link #of(Path)}.
     *
     * @param directory the directory to search
     * @return one container per {@code .policy} file that has tests
     * @throws InvalidPolicyException when {@code directory} cannot be listed, or no {@code .policy} file under it has a
     *     test case (a mistyped directory would otherwise pass)
     */
    public static Stream<DynamicContainer> under(Path directory) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(directory)) {
            files = walk.filter(p -> p.getFileName() != null && p.getFileName().toString().endsWith(".policy") && Files.isRegularFile(p))
                    .sorted()
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            throw new InvalidPolicyException(directory + ": cannot list the directory: " + e, e);
        }
        List<DynamicContainer> containers = files.stream()
                .flatMap(file -> container(directory.relativize(file).toString(), file))
                .toList();
        if (containers.isEmpty()) {
            throw new InvalidPolicyException(directory.toAbsolutePath().normalize() + ": no .policy file with test cases under it ("
                    + files.size() + " .policy file(s) found); check the path, which is relative to the working directory");
        }
        return containers.stream();
    }

    /** The file's container; none for a file without cases. */
    private static Stream<DynamicContainer> container(String name, Path file) {
        Suite suite;
        try {
            suite = read(file);
        } catch (InvalidPolicyException e) {
            DynamicTest broken = DynamicTest.dynamicTest(file + " loads", uri(file, 0), () -> {
                throw e;
            });
            return Stream.of(DynamicContainer.dynamicContainer(name, uri(file, 0), Stream.of(broken)));
        }
        return suite.cases().isEmpty() ? Stream.empty() : Stream.of(DynamicContainer.dynamicContainer(name, uri(file, 0), tests(suite)));
    }

    /** A file's cases and the policy they run against, read as {@code portcullis-policy test} reads them. */
    private record Suite(Path file, AccessPolicy policy, List<PolicyCase> cases) {
    }

    private static Suite load(Path file) {
        Suite suite = read(file);
        if (suite.cases().isEmpty()) {
            throw new InvalidPolicyException(file + ": no test cases; add a test block (see the policy language's Tests section)");
        }
        return suite;
    }

    private static Suite read(Path file) {
        CaseBundle bundle = CaseBundle.load(file);
        return new Suite(file, bundle.policy(), bundle.cases());
    }

    private static Stream<DynamicTest> tests(Suite suite) {
        return suite.cases().stream().map(c -> test(suite.file(), suite.policy(), c));
    }

    private static DynamicTest test(Path file, AccessPolicy policy, PolicyCase c) {
        String prefix = file.toString();
        String where = c.location().startsWith(prefix) && file.getFileName() != null
                ? file.getFileName() + c.location().substring(prefix.length())
                : c.location();
        return DynamicTest.dynamicTest(c.describe() + " (" + where + ")", uri(file, line(prefix, c.location())), () -> {
            Decision d = c.decide(policy);
            if (d.allowed() != c.expectAllowed()) {
                throw new AssertionFailedError(c.location() + " \"" + c.name() + "\": expected " + c.describe() + ", but: " + d.explain(),
                        verdict(c.expectAllowed()), verdict(d.allowed()));
            }
        });
    }

    private static String verdict(boolean allowed) {
        return allowed ? "allowed" : "denied";
    }

    /** The line of a {@code .policy} case's location ({@code FILE:LINE}); 0 for a case bundle's ({@code FILE cases[3]}). */
    private static int line(String file, String location) {
        if (location.length() > file.length() + 1 && location.startsWith(file + ":")) {
            String digits = location.substring(file.length() + 1);
            if (digits.chars().allMatch(Character::isDigit) && digits.length() < 10) {
                return Integer.parseInt(digits);
            }
        }
        return 0;
    }

    /** The file, and the line when known, in the form JUnit turns into a file source that IDEs open. */
    private static URI uri(Path file, int line) {
        URI uri = file.toAbsolutePath().normalize().toUri();
        return line > 0 ? URI.create(uri + "?line=" + line) : uri;
    }
}
