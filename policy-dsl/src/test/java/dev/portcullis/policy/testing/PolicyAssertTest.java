package dev.portcullis.policy.testing;

import static dev.portcullis.policy.testing.PolicyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.policy.Action;
import dev.portcullis.policy.Subject;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyAssertTest {
    private final AccessPolicy policy = AccessPolicy.builder()
            .repository("**", r -> r.anonymousPolicy(Action.READ).allowGroups(List.of("artifact-workloads"), Action.READ, Action.CREATE))
            .metrics(List.of("prometheus"))
            .build();
    private final Subject ci = Subject.user("ci", "artifact-workloads");

    @Test
    void passingExpectationsThrowNothing() {
        assertThatCode(() -> {
            assertThat(policy).allows(ci).to(Action.CREATE).on("team/app");
            assertThat(policy).denies(ci).to(Action.UPDATE, Action.DELETE).on("team/app", "other");
            assertThat(policy).allows(Subject.user("prometheus")).toReadMetrics();
            assertThat(policy).denies(Subject.anonymous()).toReadMetrics();
            assertThat(policy).listsInCatalog(ci, "team/app").doesNotListInCatalog(Subject.user("nobody"), "team/app");
        }).doesNotThrowAnyException();
    }

    @Test
    void aFailureCarriesTheExplanation() {
        assertThatThrownBy(() -> assertThat(policy).allows(ci).to(Action.UPDATE).on("team/app"))
                .isInstanceOf(AssertionError.class)
                .hasMessage("expected user 'ci' (groups: artifact-workloads) to be allowed to update on 'team/app', but: Denied: user 'ci'"
                        + " (groups: artifact-workloads) may not update 'team/app' — pattern '**' applies (the only matching pattern);"
                        + " there the user holds read, create (group 'artifact-workloads': read, create); update is not granted there,"
                        + " and the user is not in adminPolicy.");
    }

    @Test
    void everyFailedCombinationIsReportedTogether() {
        assertThatThrownBy(() -> assertThat(policy).denies(ci).to(Action.READ, Action.CREATE).on("a", "b"))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("4 expectations failed:\n  expected user 'ci' (groups: artifact-workloads) to be denied read on 'a'");
    }

    @Test
    void metricsAndCatalogFailuresAreExplainedToo() {
        assertThatThrownBy(() -> assertThat(policy).allows(ci).toReadMetrics())
                .hasMessageStartingWith("expected user 'ci' (groups: artifact-workloads) to be allowed to read metrics, but Denied:");
        assertThatThrownBy(() -> assertThat(policy).listsInCatalog(Subject.user("nobody"), "team/app"))
                .hasMessageStartingWith("expected user 'nobody' to see 'team/app' in the catalog, but Denied:");
    }

    @Test
    void anExpectationWithoutRepositoriesIsAMistakeNotAPass() {
        assertThatThrownBy(() -> assertThat(policy).allows(ci).to(Action.READ).on())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("on(...) needs at least one repository");
    }
}
