package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ZotJsonTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"repositories": {                                                    | malformed JSON at line 1, column 19: Unexpected end-of-input: expected close marker for Object (start marker at line 1, column 18)
            {"repositories": {"**": {}, "**": {}}}                                | malformed JSON at line 1, column 33: key '**' appears twice in the same object; merge the two
            [1]                                                                   | expected a JSON object (a zot accessControl object or a whole zot config), got an array: [1]
            {"repositories": []}                                                  | repositories must be an object, got an array: []
            {"repositories": {"**": {"policies": {}}}}                            | repositories["**"].policies must be an array of {"users", "groups", "actions"} objects, got an object: {}
            {"repositories": {"**": {"policies": [{"users": "alice"}]}}}          | repositories["**"].policies[0].users must be an array of strings, got a string; write ["alice"]
            {"repositories": {"**": {"defaultPolicy": "read"}}}                   | repositories["**"].defaultPolicy must be an array of actions (read, create, update, delete), got a string: "read"; write ["read"]
            {"metrics": {"users": [1]}}                                           | metrics.users[0] must be a string, got a number: 1
            {"repositories": {"infra/*": {"policies": [{"users": ["a"], "actions": ["read", "write"]}]}}} | repositories["infra/*"].policies[0].actions[1]: unknown action 'write' — did you mean 'create'? Valid actions are: read, create, update, delete.
            {"adminPolicy": {"users": ["root"], "actions": ["Delete"]}}           | adminPolicy.actions[0]: unknown action 'Delete' — did you mean 'delete'? Valid actions are: read, create, update, delete.
            {"repositories": {"**": {"anonymousPolicy": ["fly"]}}}                | repositories["**"].anonymousPolicy[0]: unknown action 'fly' Valid actions are: read, create, update, delete.
            {"repositories": {"team/[ab": {}}}                                    | repositories["team/[ab"]: invalid pattern 'team/[ab' at position 6: '[' is never closed; add the matching ']' or escape it as '\\['
            {"repositories": {"/team/*": {}}}                                     | repositories["/team/*"]: pattern '/team/*' starts with '/', but repository names never do, so it can never match; remove the leading '/'
            {"http": {"accessControl": {"repositories": {"a{b": {}}}}}            | http.accessControl.repositories["a{b"]: invalid pattern 'a{b' at position 2: '{' is never closed; add the matching '}' or escape it as '\\{'
            {"repositories": {"**": {"anonymousPolicies": ["read"]}}}             | repositories["**"].anonymousPolicies: unknown repository rule key 'anonymousPolicies'; did you mean 'anonymousPolicy'? (valid keys are policies, defaultPolicy, anonymousPolicy)
            {"**": {"anonymousPolicy": ["read"]}}                                 | unknown accessControl key "**"; it looks like a repository pattern: since zot 2.0, patterns go inside "repositories": {"**": {...}}
            {"adminpolicy": {}}                                                   | unknown accessControl key "adminpolicy"; did you mean 'adminPolicy'? (valid keys are groups, repositories, adminPolicy, metrics)
            {"http": {"accessControl": {"metrics": {"groups": ["ops"]}}}}         | http.accessControl.metrics.groups: unknown metrics key 'groups'; valid keys are users, anonymousPolicy
            {"http": "yes"}                                                       | http must be an object, got a string: "yes"
            {"repositories": {"**": {"defaultPolicy": ["read", "delete"]}}}, "prod/**": {"defaultPolicy": ["read"]}}} | malformed JSON at line 1, column 64: Unexpected character (',' (code 44)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')
            {"repositories": {}} {"x": 1}                                         | malformed JSON at line 1, column 22: more follows the end of the JSON object; remove it, or the '}' that closes the object too early
            {"http": {"AccessControl": {"repositories": {}}}}                     | http.AccessControl: did you mean http.accessControl? A misspelt access control would be no access control at all
            {"http": {"accesControl": {"repositories": {}}}}                      | http.accesControl: did you mean http.accessControl? A misspelt access control would be no access control at all
            {"http": {}, "accessControl": {"repositories": {}}}                   | 'accessControl' beside 'http' at the top level: in a whole zot config the access control goes in http.accessControl; in an accessControl object, remove 'http'
            {"repositories": {"**": {"anonymousPolicy": ["read"]}}, "http": {}}   | 'repositories' beside 'http' at the top level: in a whole zot config the access control goes in http.accessControl; in an accessControl object, remove 'http'
            {"repositories": {"**": {"policies": [{"users": ["a"], "actions": ["read"], "conditions": ["x"]}]}}} | repositories["**"].policies[0].conditions: CEL conditions are not supported by Portcullis yet; remove them (a rule with conditions would otherwise grant more than intended)
            """)
    void badInputNamesThePlaceAndWhatToDo(String json, String message) {
        assertThatThrownBy(() -> AccessPolicy.fromZotJson(json)).isInstanceOf(InvalidPolicyException.class).hasMessage(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"repositories": {"**": {"policies": [{"users": ["alice", ""], "actions": ["read"]}]}}} | repositories["**"].policies[0].users[1]: an empty user name; zot gives such an entry to anonymous callers, Portcullis refuses it — to grant anonymous callers, use anonymousPolicy
            {"http": {"accessControl": {"adminPolicy": {"users": [""], "actions": ["read"]}}}}     | http.accessControl.adminPolicy.users[0]: an empty user name; zot makes anonymous callers admins with it, Portcullis refuses it — anonymous callers can never be admins; remove it
            {"metrics": {"users": ["prometheus", ""]}}                                              | metrics.users[1]: an empty user name; zot lets no caller read metrics with it (it judges anonymous callers by metrics.anonymousPolicy alone), Portcullis refuses it — to let anonymous callers read metrics, use metrics.anonymousPolicy
            {"groups": {"ci": {"users": [""]}}, "repositories": {"**": {"policies": [{"groups": ["ci"], "actions": ["read"]}]}}} | groups["ci"].users[0]: an empty user name; zot gives config groups to no anonymous caller, so the entry names nobody, Portcullis refuses it — remove it (to grant anonymous callers, use a repository's anonymousPolicy)
            """)
    void anEmptyUserNameIsRefusedWhereverAUserNameCanBe(String json, String message) {
        assertThatThrownBy(() -> AccessPolicy.fromZotJson(json)).isInstanceOf(InvalidPolicyException.class).hasMessage(message);
    }

    @Test
    void theBuilderRefusesAnEmptyUserNameNamingThePlace() {
        assertThatThrownBy(() -> AccessPolicy.builder().repository("team/**", r -> r.allowUsers(List.of("alice", ""), Action.READ)).build())
                .isInstanceOf(InvalidPolicyException.class)
                .hasMessage("repositories[\"team/**\"].policies[0].users[1]: an empty user name; zot gives such an entry to anonymous callers,"
                        + " Portcullis refuses it — to grant anonymous callers, use anonymousPolicy");
        assertThatThrownBy(() -> AccessPolicy.builder().admin(List.of(""), List.of(), Action.READ).build())
                .hasMessageStartingWith("adminPolicy.users[0]: an empty user name; zot makes anonymous callers admins with it");
        assertThatThrownBy(() -> AccessPolicy.builder().metrics(List.of("")).build())
                .hasMessageStartingWith("metrics.users[0]: an empty user name; zot lets no caller read metrics with it");
        assertThatThrownBy(() -> AccessPolicy.builder().group("ci", "bot", "").build())
                .hasMessageStartingWith("groups[\"ci\"].users[1]: an empty user name; zot gives config groups to no anonymous caller");
        RepositoryRule rule = new RepositoryRule("**", List.of(new PolicyEntry(List.of(""), List.of(), java.util.Set.of(Action.READ))),
                java.util.Set.of(), java.util.Set.of());
        assertThatThrownBy(() -> AccessPolicy.builder().repository(rule).build()).hasMessageStartingWith("repositories[\"**\"].policies[0].users[0]: ");
    }

    @Test
    void anEmptyDocumentIsRejected() {
        assertThatThrownBy(() -> AccessPolicy.fromZotJson("  "))
                .hasMessage("the policy is empty; expected a JSON object (a zot accessControl object or a whole zot config)");
    }

    @Test
    void fileErrorsStartWithTheFileName(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"repositories\": {\"**\": {\"defaultPolicy\": [\"push\"]}}}");
        assertThatThrownBy(() -> AccessPolicy.fromZotJson(file)).hasMessage(file
                + ": repositories[\"**\"].defaultPolicy[0]: unknown action 'push' — did you mean 'create'? Valid actions are: read, create, update, delete.");
        assertThatThrownBy(() -> AccessPolicy.fromZotJson(dir.resolve("missing.json")))
                .hasMessageStartingWith(dir.resolve("missing.json") + ": cannot read the policy file: java.nio.file.NoSuchFileException");
    }

    @Test
    void nullValuesCountAsAbsentLikeInZot() {
        AccessPolicy p = AccessPolicy.fromZotJson("""
                {"groups": null, "repositories": {"**": {"policies": null, "anonymousPolicy": ["read"], "defaultPolicy": null}},
                 "adminPolicy": null}
                """);
        assertThat(p.decide(Subject.anonymous(), "x", Action.READ).allowed()).isTrue();
    }

    @Test
    void writesTheAccessControlObjectInZotShape() {
        AccessPolicy p = AccessPolicy.fromZotJson(CanonicalDeploymentTest.CANONICAL);
        assertThat(p.toZotJson()).isEqualTo("""
                {
                  "repositories" : {
                    "**" : {
                      "policies" : [ {
                        "users" : [ ],
                        "groups" : [ "artifact-workloads" ],
                        "actions" : [ "read", "create" ]
                      } ],
                      "defaultPolicy" : [ ],
                      "anonymousPolicy" : [ "read" ]
                    }
                  },
                  "adminPolicy" : {
                    "users" : [ ],
                    "groups" : [ "admins" ],
                    "actions" : [ "read", "create", "update", "delete" ]
                  },
                  "metrics" : {
                    "users" : [ ],
                    "anonymousPolicy" : [ "read" ]
                  }
                }
                """);
    }

    @Test
    void aPolicyWithoutAccessControlIsWrittenAsAConfigThatHasNone() {
        String json = AccessPolicy.withoutAccessControl().toZotJson();
        assertThat(json).isEqualTo("{\n  \"http\" : { }\n}\n");
        assertThat(AccessPolicy.fromZotJson(json).hasAccessControl()).isFalse();
    }

    @Test
    void theBuilderRejectsTheSamePatternTwiceAndInvalidPatterns() {
        AccessPolicy.Builder b = AccessPolicy.builder().repository("**", r -> r.anonymousPolicy(Action.READ));
        assertThatThrownBy(() -> b.repository("**", r -> r.defaultPolicy(Action.READ)))
                .hasMessage("repositories[\"**\"]: the pattern is defined twice; merge the two definitions into one");
        assertThatThrownBy(() -> AccessPolicy.builder().repository("a/[", r -> { }).build())
                .isInstanceOf(InvalidPolicyException.class)
                .hasMessage("repositories[\"a/[\"]: invalid pattern 'a/[' at position 3: '[' is never closed; add the matching ']' or escape it as '\\['");
    }

    @Test
    void actionParseNamesTheValueAndTheValidOnes() {
        assertThat(Action.parse("update")).isEqualTo(Action.UPDATE);
        assertThatThrownBy(() -> Action.parse("READ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown action 'READ' — did you mean 'read'? Valid actions are: read, create, update, delete.");
        assertThatThrownBy(() -> Action.parse("creat")).hasMessageContaining("did you mean 'create'?");
        assertThatThrownBy(() -> Action.parse("pull")).hasMessageContaining("did you mean 'read'?");
    }
}
