package dev.portcullis.policy;

import static dev.portcullis.policy.Action.CREATE;
import static dev.portcullis.policy.Action.DELETE;
import static dev.portcullis.policy.Action.READ;
import static dev.portcullis.policy.Action.UPDATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each rule of zot-reference.md, pinned by name. */
class ZotSemanticsTest {
    private static final Subject ALICE = Subject.user("alice");
    private static final Subject ANON = Subject.anonymous();

    @Test
    void theLongestMatchingPatternReplacesShorterOnesEvenWhenItGrantsLess() {
        AccessPolicy p = AccessPolicy.fromZotJson("""
                {"repositories": {
                   "**":          {"policies": [{"users": ["alice"], "actions": ["read"]}]},
                   "authz/image": {"policies": [{"users": ["alice"], "actions": ["create"]}]}}}
                """);
        assertThat(p.decide(ALICE, "authz/image", READ).allowed()).isFalse();
        assertThat(p.decide(ALICE, "authz/image", CREATE).allowed()).isTrue();
        assertThat(p.decide(ALICE, "authz/image", READ).pattern()).contains("authz/image");
        assertThat(p.decide(ALICE, "other", READ).allowed()).isTrue();
    }

    @Test
    void doubleStarBeatsSingleStarBecauseItIsLongerNotBecauseItIsMoreSpecific() {
        AccessPolicy p = AccessPolicy.fromZotJson("""
                {"repositories": {
                   "*":  {"anonymousPolicy": ["read"]},
                   "**": {"anonymousPolicy": []}}}
                """);
        Decision d = p.decide(ANON, "foo", READ);
        assertThat(d.pattern()).contains("**");
        assertThat(d.allowed()).isFalse();
    }

    @Test
    void aLongerBracePatternBeatsAnExactName() {
        AccessPolicy p = AccessPolicy.fromZotJson("""
                {"repositories": {
                   "a/app":        {"anonymousPolicy": ["read"]},
                   "{a,b,c,d}/**": {"anonymousPolicy": []}}}
                """);
        assertThat(p.decide(ANON, "a/app", READ).pattern()).contains("{a,b,c,d}/**");
        assertThat(p.decide(ANON, "a/app", READ).allowed()).isFalse();
    }

    @Test
    void aTrailingDoubleStarAlsoMatchesTheBareParent() {
        AccessPolicy p = AccessPolicy.builder().repository("a/**", r -> r.anonymousPolicy(READ)).build();
        assertThat(p.decide(ANON, "a", READ).allowed()).isTrue();
        assertThat(p.decide(ANON, "a/b/c", READ).allowed()).isTrue();
        assertThat(p.decide(ANON, "ab", READ).allowed()).isFalse();
    }

    @Test
    void aSingleStarMatchesExactlyOneSegment() {
        AccessPolicy p = AccessPolicy.builder().repository("infra/*", r -> r.anonymousPolicy(READ)).build();
        assertThat(p.decide(ANON, "infra/x", READ).allowed()).isTrue();
        assertThat(p.decide(ANON, "infra", READ).allowed()).isFalse();
        assertThat(p.decide(ANON, "infra/x/y", READ).allowed()).isFalse();
        assertThat(p.decide(ANON, "infra", READ).pattern()).isEmpty();
    }

    @Test
    void authenticatedUsersNeverReceiveTheAnonymousPolicy() {
        AccessPolicy p = AccessPolicy.builder().repository("**", r -> r.anonymousPolicy(READ)).build();
        assertThat(p.decide(ANON, "app", READ).grantedBy()).isEqualTo(Grant.ANONYMOUS);
        assertThat(p.decide(ALICE, "app", READ).allowed()).isFalse();
    }

    @Test
    void anonymousNeverReceivesTheDefaultPolicy() {
        AccessPolicy p = AccessPolicy.builder().repository("**", r -> r.defaultPolicy(READ)).build();
        assertThat(p.decide(ALICE, "app", READ).grantedBy()).isEqualTo(Grant.DEFAULT);
        assertThat(p.decide(ANON, "app", READ).allowed()).isFalse();
    }

    @Test
    void perUserGrantsAndTheDefaultPolicyAddUp() {
        AccessPolicy p = AccessPolicy.builder()
                .repository("**", r -> r.allowUsers(List.of("alice"), CREATE).defaultPolicy(READ)).build();
        assertThat(p.decide(ALICE, "app", CREATE).grantedBy()).isEqualTo(Grant.USER);
        assertThat(p.decide(ALICE, "app", READ).grantedBy()).isEqualTo(Grant.DEFAULT);
        assertThat(p.decide(ALICE, "app", DELETE).allowed()).isFalse();
    }

    @Test
    void tiersAreConsultedUserThenGroupThenDefault() {
        AccessPolicy p = AccessPolicy.builder().repository("**", r -> r
                .allowGroups(List.of("devs"), READ, CREATE)
                .allowUsers(List.of("alice"), READ)
                .defaultPolicy(READ, CREATE, UPDATE)).build();
        Subject alice = Subject.user("alice", "devs");
        assertThat(p.decide(alice, "x", READ).grantedBy()).isEqualTo(Grant.USER);
        assertThat(p.decide(alice, "x", CREATE).grantedBy()).isEqualTo(Grant.GROUP);
        assertThat(p.decide(alice, "x", UPDATE).grantedBy()).isEqualTo(Grant.DEFAULT);
    }

    @Test
    void actionsImplyNothing() {
        AccessPolicy p = AccessPolicy.builder().repository("**", r -> r.allowUsers(List.of("alice"), CREATE, UPDATE, DELETE)).build();
        assertThat(p.decide(ALICE, "app", READ).allowed()).isFalse();
    }

    @Test
    void aStarInUsersIsALiteralUserNameNotAWildcard() {
        AccessPolicy p = AccessPolicy.fromZotJson("""
                {"repositories": {"**": {"policies": [{"users": ["*"], "actions": ["read"]}]}}}
                """);
        assertThat(p.decide(ALICE, "app", READ).allowed()).isFalse();
        assertThat(p.decide(Subject.user("*"), "app", READ).allowed()).isTrue();
    }

    @Test
    void anEmptyUserNameWhichZotGivesToAnonymousCallersIsRefusedWhileASpaceStaysALiteralName() {
        // zot's anonymous caller has the user name "", so there this entry lets anonymous callers read
        assertThatThrownBy(() -> AccessPolicy.fromZotJson("""
                {"repositories": {"**": {"policies": [{"users": [""], "actions": ["read"]}]}}}
                """)).isInstanceOf(InvalidPolicyException.class).hasMessageEndingWith("to grant anonymous callers, use anonymousPolicy");
        AccessPolicy meant = AccessPolicy.fromZotJson("""
                {"repositories": {"**": {"anonymousPolicy": ["read"]}}}
                """);
        assertThat(meant.decide(ANON, "app", READ).grantedBy()).isEqualTo(Grant.ANONYMOUS);
        // zot compares names exactly: " " is a user called " ", never the anonymous caller, there and here
        AccessPolicy space = AccessPolicy.fromZotJson("""
                {"repositories": {"**": {"policies": [{"users": [" "], "actions": ["read"]}]}}}
                """);
        assertThat(space.decide(ANON, "app", READ).allowed()).isFalse();
        assertThat(space.decide(Subject.user(" "), "app", READ).grantedBy()).isEqualTo(Grant.USER);
    }

    @Test
    void adminPolicyAppliesOnlyWhenTheRepositoryRuleDenied() {
        AccessPolicy p = AccessPolicy.builder()
                .repository("**", r -> r.allowUsers(List.of("root"), READ))
                .admin(List.of("root"), List.of(), READ, DELETE).build();
        Subject root = Subject.user("root");
        assertThat(p.decide(root, "app", READ).grantedBy()).isEqualTo(Grant.USER);
        assertThat(p.decide(root, "app", DELETE).grantedBy()).isEqualTo(Grant.ADMIN);
    }

    @Test
    void anAdminWithoutTheActionIsDenied() {
        AccessPolicy p = AccessPolicy.builder().admin(List.of(), List.of("admins"), READ, CREATE).build();
        Subject admin = Subject.user("bob", "admins");
        assertThat(p.decide(admin, "app", CREATE).grantedBy()).isEqualTo(Grant.ADMIN);
        assertThat(p.decide(admin, "app", DELETE).allowed()).isFalse();
    }

    @Test
    void adminPolicyCoversRepositoriesThatNoPatternMatches() {
        AccessPolicy p = AccessPolicy.builder()
                .repository("team/*", r -> r.anonymousPolicy(READ))
                .admin(List.of("root"), List.of(), Action.values()).build();
        Decision d = p.decide(Subject.user("root"), "elsewhere", DELETE);
        assertThat(d.allowed()).isTrue();
        assertThat(d.pattern()).isEmpty();
        assertThat(p.decide(ALICE, "elsewhere", READ).allowed()).isFalse();
        assertThat(p.decide(ANON, "elsewhere", READ).allowed()).isFalse();
    }

    @Test
    void anEmptyAccessControlDeniesEverything() {
        AccessPolicy p = AccessPolicy.fromZotJson("{}");
        for (Action a : Action.values()) {
            assertThat(p.decide(ALICE, "app", a).allowed()).isFalse();
            assertThat(p.decide(ANON, "app", a).allowed()).isFalse();
        }
        assertThat(p.decideMetrics(ALICE).allowed()).isFalse();
    }

    @Test
    void aConfigWithoutAccessControlLetsEveryAuthenticatedUserDoEverything() {
        AccessPolicy p = AccessPolicy.fromZotJson("""
                {"distSpecVersion": "1.1.0", "storage": {"rootDirectory": "/tmp/zot"},
                 "http": {"address": "127.0.0.1", "port": "8080", "auth": {"htpasswd": {"path": "/etc/zot/htpasswd"}}}}
                """);
        assertThat(p.hasAccessControl()).isFalse();
        for (Action a : Action.values()) {
            assertThat(p.decide(ALICE, "any/repo", a).allowed()).isTrue();
            assertThat(p.decide(ANON, "any/repo", a).allowed()).isFalse();
        }
        assertThat(p.decideMetrics(ALICE).allowed()).isTrue();
        assertThat(p.decideMetrics(ANON).allowed()).isFalse();
        assertThat(p.canList(ALICE, "any/repo")).isTrue();
        assertThat(p.canList(ANON, "any/repo")).isFalse();
    }

    @Test
    void aWholeConfigIsReadFromHttpAccessControl() {
        AccessPolicy p = AccessPolicy.fromZotJson("""
                {"http": {"realm": "zot", "accessControl": {"repositories": {"**": {"anonymousPolicy": ["read"]}}}},
                 "log": {"level": "debug"}}
                """);
        assertThat(p.decide(ANON, "app", READ).allowed()).isTrue();
    }

    @Test
    void configGroupsApplyToEveryAuthenticatedUserIncludingOidcAndApiKeyUsers() {
        AccessPolicy p = AccessPolicy.fromZotJson("""
                {"groups": {"ci": {"users": ["bot1"]}},
                 "repositories": {"**": {"policies": [{"groups": ["ci"], "actions": ["create"]}]}}}
                """);
        // whatever authenticated bot1 (htpasswd, OIDC, API key), the config group applies
        assertThat(p.decide(Subject.user("bot1"), "app", CREATE).grantedBy()).isEqualTo(Grant.GROUP);
        assertThat(p.decide(Subject.user("bot1", "from-idp"), "app", CREATE).grantedBy()).isEqualTo(Grant.GROUP);
        assertThat(p.decide(Subject.user("bot2"), "app", CREATE).allowed()).isFalse();
    }

    @Test
    void equalLengthPatternsTieBreakOnFewerWildcardsThenLexicographically() {
        // all three match "ab/c" and are 4 bytes long
        AccessPolicy p = AccessPolicy.fromZotJson("""
                {"repositories": {"ab/*": {"anonymousPolicy": ["read"]},
                                  "a?/c": {"anonymousPolicy": ["create"]},
                                  "ab/c": {"anonymousPolicy": ["delete"]}}}
                """);
        assertThat(p.decide(ANON, "ab/c", READ).pattern()).contains("ab/c");
        assertThat(p.decide(ANON, "ab/d", READ).pattern()).contains("ab/*");
        AccessPolicy wildcardsOnly = AccessPolicy.fromZotJson("""
                {"repositories": {"ab/*": {"anonymousPolicy": ["read"]}, "a?/c": {"anonymousPolicy": ["create"]}}}
                """);
        // one wildcard each: '?' (63) sorts before 'b' (98)
        assertThat(wildcardsOnly.decide(ANON, "ab/c", CREATE).pattern()).contains("a?/c");
        AccessPolicy reversed = AccessPolicy.fromZotJson("""
                {"repositories": {"a?/c": {"anonymousPolicy": ["create"]}, "ab/*": {"anonymousPolicy": ["read"]}}}
                """);
        assertThat(reversed.decide(ANON, "ab/c", CREATE).pattern()).contains("a?/c");
    }

    @Test
    void patternLengthIsMeasuredInBytesNotCharacters() {
        // "dépôt/*" is 7 characters but 9 bytes, so it beats "d*/{a,b}" (8 characters, 8 bytes)
        AccessPolicy p = AccessPolicy.fromZotJson("""
                {"repositories": {"dépôt/*": {"anonymousPolicy": ["read"]}, "d*/{a,b}": {"anonymousPolicy": []}}}
                """);
        assertThat(p.decide(ANON, "dépôt/a", READ).pattern()).contains("dépôt/*");
    }

    @Test
    void theCatalogShowsAdminsEverythingWhateverTheirActions() {
        AccessPolicy p = AccessPolicy.fromZotJson("""
                {"repositories": {"public/**": {"anonymousPolicy": ["read"], "defaultPolicy": ["read"]},
                                  "private/**": {"policies": [{"users": ["alice"], "actions": ["create"]}]}},
                 "adminPolicy": {"users": ["root"], "actions": []}}
                """);
        List<String> all = List.of("public/a", "private/b", "unmatched");
        assertThat(p.filterCatalog(Subject.user("root"), all)).containsExactly("public/a", "private/b", "unmatched");
        assertThat(p.decide(Subject.user("root"), "private/b", READ).allowed()).isFalse();
        assertThat(p.filterCatalog(ALICE, all)).containsExactly("public/a");
        assertThat(p.filterCatalog(ANON, all)).containsExactly("public/a");
    }

    @Test
    void metricsOpenToAnonymousOnlyThroughMetricsAnonymousPolicy() {
        AccessPolicy open = AccessPolicy.fromZotJson("""
                {"repositories": {"**": {"anonymousPolicy": ["read"]}}, "metrics": {"anonymousPolicy": ["read"]}}
                """);
        AccessPolicy closed = AccessPolicy.fromZotJson("""
                {"repositories": {"**": {"anonymousPolicy": ["read"]}}, "metrics": {"users": ["prometheus"]}}
                """);
        assertThat(open.decideMetrics(ANON).allowed()).isTrue();
        assertThat(closed.decideMetrics(ANON).allowed()).isFalse();
    }

    @Test
    void metricsForAuthenticatedUsersOnlyThroughMetricsUsers() {
        AccessPolicy p = AccessPolicy.fromZotJson("""
                {"metrics": {"users": ["prometheus"], "anonymousPolicy": ["read"]},
                 "adminPolicy": {"users": ["root"], "actions": ["read", "create", "update", "delete"]}}
                """);
        assertThat(p.decideMetrics(Subject.user("prometheus")).allowed()).isTrue();
        assertThat(p.decideMetrics(Subject.user("root")).allowed()).isFalse();
        assertThat(p.decideMetrics(ALICE).allowed()).isFalse();
    }

    @Test
    void anEmptyMetricsUserListDeniesEveryAuthenticatedUserAdminsIncluded() {
        AccessPolicy p = AccessPolicy.fromZotJson("""
                {"metrics": {"users": []}, "adminPolicy": {"groups": ["admins"], "actions": ["read"]}}
                """);
        assertThat(p.decideMetrics(Subject.user("boss", "admins")).allowed()).isFalse();
    }
}
