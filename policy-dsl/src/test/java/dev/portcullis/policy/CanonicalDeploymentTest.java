package dev.portcullis.policy;

import static dev.portcullis.policy.Action.CREATE;
import static dev.portcullis.policy.Action.DELETE;
import static dev.portcullis.policy.Action.READ;
import static dev.portcullis.policy.Action.UPDATE;
import static dev.portcullis.policy.testing.PolicyAssert.assertThat;

import org.junit.jupiter.api.Test;

/** The zot hardening this project reproduces (design.md), as a policy. */
class CanonicalDeploymentTest {
    static final String CANONICAL = """
            {
              "repositories": {
                "**": {
                  "policies": [ { "groups": ["artifact-workloads"], "actions": ["read", "create"] } ],
                  "anonymousPolicy": ["read"]
                }
              },
              "adminPolicy": { "groups": ["admins"], "actions": ["read", "create", "update", "delete"] },
              "metrics": { "anonymousPolicy": ["read"] }
            }
            """;

    private final AccessPolicy policy = AccessPolicy.fromZotJson(CANONICAL);
    private final Subject ci = Subject.user("ci-bot", "artifact-workloads");
    private final Subject admin = Subject.user("ops", "admins");
    private final Subject stranger = Subject.user("someone");

    @Test
    void anyoneMayPull() {
        assertThat(policy).allows(Subject.anonymous()).to(READ).on("team/app", "library/base", "x");
        assertThat(policy).denies(Subject.anonymous()).to(CREATE, UPDATE, DELETE).on("team/app");
    }

    @Test
    void ciCanPushNewTagsButNeverOverwriteOrDelete() {
        assertThat(policy).allows(ci).to(READ, CREATE).on("team/app", "deep/nested/name");
        assertThat(policy).denies(ci).to(UPDATE, DELETE).on("team/app", "deep/nested/name");
    }

    @Test
    void adminsMayDoEverything() {
        assertThat(policy).allows(admin).to(Action.values()).on("team/app", "anything/at/all");
    }

    @Test
    void aLoggedInStrangerGetsNothingBecauseAnonymousReadIsOnlyForAnonymous() {
        assertThat(policy).denies(stranger).to(Action.values()).on("team/app");
    }

    @Test
    void metricsStayReadableWithoutCredentials() {
        assertThat(policy).allows(Subject.anonymous()).toReadMetrics();
        assertThat(policy).denies(ci).toReadMetrics();
    }

    @Test
    void theCatalogShowsWhatEachMayRead() {
        assertThat(policy).listsInCatalog(Subject.anonymous(), "team/app").listsInCatalog(ci, "team/app")
                .listsInCatalog(admin, "team/app").doesNotListInCatalog(stranger, "team/app");
    }
}
