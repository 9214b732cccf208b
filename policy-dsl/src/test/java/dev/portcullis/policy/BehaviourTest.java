package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** zot's fifth action, detectManifestCollision: a behaviour, loaded, decided, written, linted and diffed as zot has it. */
class BehaviourTest {
    private static final String ZOT = """
            {"http": {"accessControl": {
              "groups": {"release": {"users": ["rita"]}},
              "repositories": {
                "**": {"policies": [{"users": ["alice"], "actions": ["read", "delete", "detectManifestCollision"]},
                                    {"users": ["alice"], "actions": ["create"]},
                                    {"groups": ["release"], "actions": ["read", "delete", "detectManifestCollision"]}],
                       "defaultPolicy": ["read"], "anonymousPolicy": ["read"]},
                "infra/**": {"policies": [{"users": ["alice"], "actions": ["read", "delete"]}],
                             "defaultPolicy": ["read", "delete", "detectManifestCollision"]}},
              "adminPolicy": {"users": ["root"], "actions": ["read", "create", "update", "delete"]}}}}
            """;

    @Test
    void zotsJsonLoadsItAsABehaviourNotAnAction() {
        AccessPolicy p = AccessPolicy.fromZotJson(ZOT);
        RepositoryRule all = p.repositories().get(0);
        assertThat(all.policies().get(0).actions()).containsExactly(Action.READ, Action.DELETE);
        assertThat(all.policies().get(0).behaviours()).containsExactly(Behaviour.DETECT_MANIFEST_COLLISION);
        assertThat(p.repositories().get(1).defaultBehaviours()).containsExactly(Behaviour.DETECT_MANIFEST_COLLISION);
        assertThat(AccessPolicy.fromZotJson(p.toZotJson()).repositories()).as("written back as zot has it").isEqualTo(p.repositories());
        assertThat(p.toZotJson().replaceAll("\\s", "")).contains("\"actions\":[\"read\",\"delete\",\"detectManifestCollision\"]");
    }

    /** zot: never for admins; the pattern that applies; there, any entry naming the user or a group, or the default. */
    @Test
    void itIsDecidedAsZotDecidesBehaviours() {
        AccessPolicy p = AccessPolicy.fromZotJson(ZOT);
        Behaviour detect = Behaviour.DETECT_MANIFEST_COLLISION;
        assertThat(p.behaves(Subject.user("alice"), "team/app", detect)).isTrue();
        assertThat(p.behaves(Subject.user("rita"), "team/app", detect)).as("through the config group release").isTrue();
        assertThat(p.behaves(Subject.user("bob"), "team/app", detect)).isFalse();
        assertThat(p.behaves(Subject.anonymous(), "team/app", detect)).isFalse();
        assertThat(p.behaves(Subject.user("bob"), "infra/dns", detect)).as("infra's defaultPolicy").isTrue();
        assertThat(p.behaves(Subject.user("alice"), "infra/dns", detect))
                .as("alice's own entry there does not list it, but the default gives it to every authenticated user, as in zot").isTrue();
        assertThat(p.behaves(Subject.user("root"), "infra/dns", detect)).as("never for admins, as in zot").isFalse();
        assertThat(AccessPolicy.fromZotJson("{\"http\": {\"accessControl\": {\"repositories\": {\"**\": {\"defaultPolicy\": [\"read\"]}}}}}")
                .behaves(Subject.user("bob"), "x", detect)).isFalse();
    }

    @Test
    void itIsRefusedWhereItCannotApplySayingWhy() {
        assertThatThrownBy(() -> AccessPolicy.fromZotJson("""
                {"http": {"accessControl": {"adminPolicy": {"users": ["root"], "actions": ["delete", "detectManifestCollision"]}}}}
                """)).isInstanceOf(InvalidPolicyException.class).hasMessage("http.accessControl.adminPolicy.actions[1]: detectManifestCollision is a behaviour of a"
                        + " repository's rule (its policies, defaultPolicy or anonymousPolicy); it does not apply to admins, whom zot never applies"
                        + " it to: remove it here");
        assertThatThrownBy(() -> AccessPolicy.parse("admin user root: delete, detectManifestCollision\n"))
                .isInstanceOf(InvalidPolicyException.class).hasMessageContaining("detectManifestCollision is a behaviour of a repo block's users");
        assertThatThrownBy(() -> AccessPolicy.parse("repo \"**\" {\n  anonymous: read\n}\ntest \"t\" {\n  anonymous can detectManifestCollision on x\n}\n"))
                .isInstanceOf(InvalidPolicyException.class).hasMessageContaining("not apply to a test's can or cannot");
        assertThatThrownBy(() -> AccessPolicy.fromZotJson("{\"http\": {\"accessControl\": {\"repositories\": {\"**\": {\"defaultPolicy\": "
                + "[\"detectmanifestcollision\"]}}}}}")).as("zot's spelling, exactly").hasMessageContaining("unknown action 'detectmanifestcollision'");
    }

    @Test
    void thePolicyLanguageReadsAndWritesIt() {
        AccessPolicy p = AccessPolicy.parse("""
                repo "team/**" {
                  anonymous: read
                  authenticated: read, detectManifestCollision
                  user alice: read, delete, detectManifestCollision
                }
                """);
        assertThat(p.behaves(Subject.user("alice"), "team/app", Behaviour.DETECT_MANIFEST_COLLISION)).isTrue();
        assertThat(p.toText()).contains("  authenticated: read, detectManifestCollision\n", "  user alice: read, delete, detectManifestCollision\n");
        assertThat(AccessPolicy.parse(p.toText()).repositories()).isEqualTo(p.repositories());
        assertThat(AccessPolicy.fromZotJson(p.toZotJson()).repositories()).isEqualTo(p.repositories());
    }

    @Test
    void lintSaysWhereItDoesNothing() {
        AccessPolicy p = AccessPolicy.parse("""
                repo "team/**" {
                  authenticated: read, detectManifestCollision
                  user alice: read, delete, detectManifestCollision
                }
                admin user root: read, create, update, delete
                metrics user prom: read
                """);
        List<PolicyLint.Finding> findings = PolicyLint.check(p);
        assertThat(findings).extracting(PolicyLint.Finding::message).contains("detectManifestCollision only changes how a manifest is deleted"
                + " by digest, and the line that gives it to authenticated users grants no delete: it does nothing there");
        assertThat(PolicyLint.check(p, PolicyLint.Store.MAVEN)).extracting(PolicyLint.Finding::message)
                .contains("detectManifestCollision applies to OCI manifests, which a Maven repository does not have: it does nothing here");
    }

    @Test
    void diffReportsWhoGainsOrLosesIt() {
        AccessPolicy before = AccessPolicy.parse("repo \"**\" {\n  user alice: read, delete\n}\n");
        AccessPolicy after = AccessPolicy.parse("repo \"**\" {\n  user alice: read, delete, detectManifestCollision\n}\n");
        assertThat(PolicyDiff.between(before, after).changes()).extracting(Object::toString)
                .containsExactly("+ user alice now has detectManifestCollision on 'x' (pattern '**'; before: '**')");
        assertThat(PolicyDiff.between(after, before).changes()).extracting(Object::toString)
                .containsExactly("- user alice no longer has detectManifestCollision on 'x' (pattern '**'; before: '**')");
    }
}
