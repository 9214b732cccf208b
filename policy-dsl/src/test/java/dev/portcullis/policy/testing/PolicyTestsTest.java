package dev.portcullis.policy.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.policy.InvalidPolicyException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

class PolicyTestsTest {
    private static final Path EXAMPLES = Path.of("..", "docs", "examples");
    private static final String RULES = """
            repo "**" {
              anonymous: read
              group artifact-workloads: read, create
            }
            """;

    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    @Test
    void aFailingCaseFailsItsTestWithTheCaseAndTheExplanation() throws Exception {
        Path file = write("team.policy", RULES + """

                test "CI pushes new tags" {
                  user ci groups [artifact-workloads] can create on team/app
                }

                test "CI overwrites tags" {
                  user ci groups [artifact-workloads] can update on team/app
                }
                """);
        List<DynamicTest> tests = PolicyTests.of(file).toList();

        assertThat(tests).extracting(DynamicTest::getDisplayName).containsExactly(
                "user 'ci' (groups: artifact-workloads) can create on 'team/app' (team.policy:7)",
                "user 'ci' (groups: artifact-workloads) can update on 'team/app' (team.policy:11)");
        assertThatCode(() -> tests.get(0).getExecutable().execute()).doesNotThrowAnyException();
        assertThatThrownBy(() -> tests.get(1).getExecutable().execute())
                .isInstanceOfSatisfying(AssertionFailedError.class, e -> {
                    assertThat(e.getExpected().getStringRepresentation()).isEqualTo("allowed");
                    assertThat(e.getActual().getStringRepresentation()).isEqualTo("denied");
                })
                .hasMessage(file + ":11 \"CI overwrites tags\": expected user 'ci' (groups: artifact-workloads) can update on 'team/app', but:"
                        + " Denied: user 'ci' (groups: artifact-workloads) may not update 'team/app' — pattern '**' applies (the only matching"
                        + " pattern); there the user holds read, create (group 'artifact-workloads': read, create); update is not granted there,"
                        + " and the user is not in adminPolicy.");
    }

    @Test
    void eachTestPointsAtItsFileAndLineSoThatAnIdeOpensIt() {
        List<DynamicTest> tests = PolicyTests.of(EXAMPLES.resolve("registry.policy")).toList();

        assertThat(tests).hasSize(28);
        assertThat(tests.get(0).getDisplayName()).isEqualTo("anonymous can read on 'team/app' (registry.policy:24)");
        assertThat(tests.get(0).getTestSourceUri()).contains(
                URI.create(EXAMPLES.resolve("registry.policy").toAbsolutePath().normalize().toUri() + "?line=24"));
        assertThat(tests.get(tests.size() - 1).getDisplayName())
                .isEqualTo("user 'ci-bot' (groups: artifact-workloads) cannot read metrics (registry.policy:49)");
    }

    @Test
    void aCaseBundleGivesOneTestPerCase() {
        List<DynamicTest> tests = PolicyTests.of(EXAMPLES.resolve("registry-cases.json")).toList();

        assertThat(tests).extracting(DynamicTest::getDisplayName).containsExactly(
                "anonymous can read on 'team/app' (registry-cases.json cases[0])",
                "anonymous cannot create on 'team/app' (registry-cases.json cases[1])",
                "user 'ci-bot' (groups: artifact-workloads) can create on 'team/app' (registry-cases.json cases[2])",
                "user 'ci-bot' (groups: artifact-workloads) cannot update on 'team/app' (registry-cases.json cases[3])",
                "anonymous can read metrics (registry-cases.json cases[4])",
                "user 'ops-lead' (groups: admins) can list 'infra/dns' in the catalog (registry-cases.json cases[5])");
        assertThat(tests.get(0).getTestSourceUri()).contains(EXAMPLES.resolve("registry-cases.json").toAbsolutePath().normalize().toUri());
    }

    @Test
    void aTestsOnlyFileRunsAgainstThePolicyItNames() throws Exception {
        write("team.policy", RULES);
        Path tests = write("team-tests.policy", """
                policy "team.policy"

                test "anyone pulls" {
                  anonymous can read on team/app
                  anonymous can create on team/app
                }
                """);

        List<DynamicTest> all = PolicyTests.of(tests).toList();
        assertThatCode(() -> all.get(0).getExecutable().execute()).doesNotThrowAnyException();
        assertThatThrownBy(() -> all.get(1).getExecutable().execute()).isInstanceOf(AssertionFailedError.class)
                .hasMessageStartingWith(tests + ":5 \"anyone pulls\": expected anonymous can create on 'team/app', but: Denied: anonymous");
    }

    @Test
    void aDirectoryGivesAContainerPerPolicyFileWithTests() throws Exception {
        write("team.policy", RULES);   // rules only, tested from the file below: no container
        write("team-tests.policy", "policy \"team.policy\"\ntest \"pull\" {\n  anonymous can read on team/app\n}\n");
        write("infra/infra.policy", RULES + "test \"no anonymous push\" {\n  anonymous cannot create on infra/dns\n}\n");
        write("broken/bad.policy", "repo \"**\" {\n  anonymous: write\n}\n");

        List<DynamicContainer> containers = PolicyTests.under(dir).toList();

        assertThat(containers).extracting(DynamicContainer::getDisplayName).containsExactly(
                Path.of("broken", "bad.policy").toString(), Path.of("infra", "infra.policy").toString(), "team-tests.policy");
        assertThat(tests(containers.get(1))).extracting(DynamicTest::getDisplayName)
                .containsExactly("anonymous cannot create on 'infra/dns' (infra.policy:6)");
        assertThat(tests(containers.get(2))).extracting(DynamicTest::getDisplayName)
                .containsExactly("anonymous can read on 'team/app' (team-tests.policy:3)");
        // a file that does not load is one failing test with the error, and the other files still run
        List<DynamicTest> broken = tests(containers.get(0));
        assertThat(broken).hasSize(1);
        assertThatThrownBy(() -> broken.get(0).getExecutable().execute()).isInstanceOf(InvalidPolicyException.class)
                .hasMessageContaining("bad.policy:2").hasMessageContaining("unknown action 'write'");
    }

    private static List<DynamicTest> tests(DynamicContainer container) {
        return container.getChildren().map(DynamicTest.class::cast).toList();
    }

    @Test
    void nothingToRunIsAnErrorNotAPass() throws Exception {
        Path rulesOnly = write("rules.policy", RULES);
        assertThatThrownBy(() -> PolicyTests.of(rulesOnly)).isInstanceOf(InvalidPolicyException.class)
                .hasMessage(rulesOnly + ": no test cases; add a test block (see the policy language's Tests section)");
        assertThatThrownBy(() -> PolicyTests.under(dir)).isInstanceOf(InvalidPolicyException.class)
                .hasMessageContaining("no .policy file with test cases under it (1 .policy file(s) found)");
        assertThatThrownBy(() -> PolicyTests.under(dir.resolve("missing"))).isInstanceOf(InvalidPolicyException.class)
                .hasMessageStartingWith(dir.resolve("missing") + ": cannot list the directory");
    }

    @Test
    void theDocumentedExampleDirectoryHoldsOneFile() {
        List<? extends DynamicNode> containers = PolicyTests.under(EXAMPLES).toList();
        assertThat(containers).extracting(DynamicNode::getDisplayName).containsExactly("registry.policy");
    }
}
