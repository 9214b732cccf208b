package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExplanationTest {
    private final AccessPolicy canonical = AccessPolicy.fromZotJson(CanonicalDeploymentTest.CANONICAL);
    private final Subject ci = Subject.user("ci-bot", "artifact-workloads");

    @Test
    void aDenialSaysWhatTheSubjectHoldsAndWhyTheActionIsMissing() {
        assertThat(canonical.decide(ci, "team/app", Action.UPDATE).explain()).isEqualTo(
                "Denied: user 'ci-bot' (groups: artifact-workloads) may not update 'team/app' — pattern '**' applies"
                        + " (the only matching pattern); there the user holds read, create (group 'artifact-workloads': read, create);"
                        + " update is not granted there, and the user is not in adminPolicy.");
    }

    @Test
    void aGrantNamesTheTierThatGaveIt() {
        assertThat(canonical.decide(ci, "team/app", Action.CREATE).explain()).endsWith(
                "; create is granted by group 'artifact-workloads'.");
        assertThat(canonical.decide(Subject.user("ops", "admins"), "team/app", Action.DELETE).explain()).isEqualTo(
                "Allowed: user 'ops' (groups: admins) may delete 'team/app' — pattern '**' applies (the only matching pattern);"
                        + " there the user holds nothing; delete is granted by adminPolicy (member of admin group 'admins').");
    }

    @Test
    void aLoggedInStrangerIsToldThatAnonymousReadIsOnlyForAnonymousCallers() {
        assertThat(canonical.decide(Subject.user("x"), "team/app", Action.READ).explain()).contains(
                "read is not granted there (anonymousPolicy has it, but only for callers without credentials)");
    }

    @Test
    void theChosenPatternSaysWhyItWonAndWhatItOverrides() {
        AccessPolicy p = AccessPolicy.fromZotJson("""
                {"repositories": {"**": {"defaultPolicy": ["read"]},
                                  "authz/*": {"policies": [{"users": ["alice"], "actions": ["create"]}]},
                                  "authz/image": {"policies": [{"users": ["alice"], "actions": ["create"]}]}},
                 "adminPolicy": {"users": ["alice"], "actions": ["create"]}}
                """);
        assertThat(p.decide(Subject.user("alice"), "authz/image", Action.READ).explain()).isEqualTo(
                "Denied: user 'alice' (no groups) may not read 'authz/image' — pattern 'authz/image' applies (at 11 bytes it is"
                        + " the longest of the 3 matching patterns; it overrides 'authz/*', '**' entirely); there the user holds"
                        + " create (as user: create); read is not granted there, and the user is in adminPolicy (listed in"
                        + " adminPolicy.users) but adminPolicy.actions (create) lacks read.");
    }

    @Test
    void aTieSaysHowItWasBroken() {
        AccessPolicy p = AccessPolicy.fromZotJson("""
                {"repositories": {"ab/*": {"anonymousPolicy": ["read"]}, "a?/c": {"anonymousPolicy": ["read"]}, "ab/c": {}}}
                """);
        assertThat(p.decide(Subject.anonymous(), "ab/c", Action.READ).explain()).contains(
                "pattern 'ab/c' applies (it ties in length with 'a?/c' and has fewer wildcards; it overrides 'a?/c', 'ab/*' entirely)");
        assertThat(p.decide(Subject.anonymous(), "ab/d", Action.READ).explain()).contains("(the only matching pattern)");
        AccessPolicy q = AccessPolicy.fromZotJson("""
                {"repositories": {"ab/*": {"anonymousPolicy": ["read"]}, "a?/c": {"anonymousPolicy": ["read"]}}}
                """);
        assertThat(q.decide(Subject.anonymous(), "ab/c", Action.READ).explain()).contains(
                "pattern 'a?/c' applies (it ties in length and wildcards with 'ab/*' and sorts first; it overrides 'ab/*' entirely)");
    }

    @Test
    void noMatchingPatternLeavesOnlyTheAdminPolicy() {
        AccessPolicy p = AccessPolicy.fromZotJson("{\"repositories\": {\"team/*\": {\"anonymousPolicy\": [\"read\"]}}}");
        assertThat(p.decide(Subject.anonymous(), "other", Action.READ).explain()).isEqualTo(
                "Denied: anonymous may not read 'other' — no pattern matches 'other', so only adminPolicy could allow;"
                        + " read is not granted, and adminPolicy never applies to anonymous callers.");
    }

    @Test
    void metricsAndCatalogDecisionsExplainTheirOwnRules() {
        assertThat(canonical.decideMetrics(Subject.anonymous()).explain())
                .isEqualTo("Allowed: anonymous may read metrics — metrics.anonymousPolicy includes read.");
        assertThat(canonical.decideMetrics(ci).explain()).isEqualTo(
                "Denied: user 'ci-bot' (groups: artifact-workloads) may not read metrics — only users listed in metrics.users"
                        + " may read metrics (the list is empty, which denies everyone, admins included).");
        assertThat(canonical.decideCatalog(Subject.user("ops", "admins"), "x").explain()).isEqualTo(
                "Allowed: user 'ops' (groups: admins) sees 'x' in the catalog — the user is an admin, and admins see every"
                        + " repository whatever adminPolicy.actions says.");
    }
}
