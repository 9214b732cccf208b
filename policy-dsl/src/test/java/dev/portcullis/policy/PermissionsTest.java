package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class PermissionsTest {
    private final AccessPolicy policy = AccessPolicy.fromZotJson("""
            {"groups": {"ops": {"users": ["olga"]}},
             "repositories": {"**": {"defaultPolicy": ["read"], "anonymousPolicy": ["read"]},
                              "team/**": {"policies": [{"groups": ["developers"], "actions": ["read", "create"]}], "defaultPolicy": ["read"]},
                              "secret/**": {"policies": [{"users": ["sam"], "actions": ["read"]}]},
                              "infra/app": {"policies": [{"groups": ["ops"], "actions": ["read", "update"]}]}},
             "adminPolicy": {"groups": ["admins"], "actions": ["read", "delete"]}}""");

    @Test
    void aDeveloperReadsEverywhereAndCreatesUnderTeamButNotInSecret() {
        Permissions p = Permissions.of(policy, Subject.user("erin", "developers"));
        assertThat(p.toString()).isEqualTo("read, create under team/**; read in every other repository");
        assertThat(p.nothingUnder()).containsExactly("infra/app", "secret/**");
    }

    @Test
    void groupsFromThePolicysGroupSectionCount() {
        assertThat(Permissions.of(policy, Subject.user("olga")).toString())
                .isEqualTo("read, update in infra/app; read under team/**; read in every other repository");
    }

    @Test
    void adminActionsApplyUnderEveryPatternAndWhereNoneMatches() {
        Permissions p = Permissions.of(policy, Subject.user("ada", "admins"));
        assertThat(p.grants()).extracting(Permissions.Grants::pattern).containsExactly("infra/app", "secret/**", "team/**", "**", null);
        assertThat(p.grants().get(1).actions()).isEqualTo(EnumSet.of(Action.READ, Action.DELETE));
        assertThat(p.nothingUnder()).isEmpty();
    }

    @Test
    void anonymousCallersGetTheAnonymousTierOnly() {
        Permissions p = Permissions.of(policy, Subject.anonymous());
        assertThat(p.toString()).isEqualTo("read in every other repository");
        assertThat(p.nothingUnder()).containsExactly("infra/app", "secret/**", "team/**");
    }

    @Test
    void everyLineAgreesWithDecide() {
        List<String> repositories = List.of("team/app", "team/a/b", "secret/x", "infra/app", "infra/other", "plain");
        for (Subject s : List.of(Subject.anonymous(), Subject.user("erin", "developers"), Subject.user("olga"), Subject.user("sam"),
                Subject.user("ada", "admins"), Subject.user("nobody"))) {
            Permissions p = Permissions.of(policy, s);
            for (String repo : repositories) {
                String pattern = policy.decide(s, repo, Action.READ).pattern().orElse(null);
                EnumSet<Action> expected = EnumSet.noneOf(Action.class);
                for (Action a : Action.values()) {
                    if (policy.decide(s, repo, a).allowed()) {
                        expected.add(a);
                    }
                }
                EnumSet<Action> listed = p.grants().stream().filter(g -> java.util.Objects.equals(g.pattern(), pattern))
                        .findFirst().map(g -> EnumSet.copyOf(g.actions())).orElse(EnumSet.noneOf(Action.class));
                assertThat(listed).as("%s in %s", s, repo).isEqualTo(expected);
            }
        }
    }

    @Test
    void withoutAccessControlAuthenticatedUsersMayDoEverythingAndAnonymousNothing() {
        AccessPolicy open = AccessPolicy.withoutAccessControl();
        assertThat(Permissions.of(open, Subject.user("x")).toString()).isEqualTo("read, create, update, delete in every repository");
        assertThat(Permissions.of(open, Subject.anonymous()).isEmpty()).isTrue();
        assertThat(Permissions.of(open, Subject.anonymous()).toString()).isEqualTo("nothing");
    }

    @Test
    void aSinglePatternIsEveryRepository() {
        AccessPolicy p = AccessPolicy.fromZotJson("""
                {"repositories": {"**": {"anonymousPolicy": ["read"]}}}""");
        assertThat(Permissions.of(p, Subject.anonymous()).toString()).isEqualTo("read in every repository");
    }
}
