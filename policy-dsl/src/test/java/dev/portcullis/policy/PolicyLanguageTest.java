package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.policy.testing.PolicyCase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyLanguageTest {
    static final String CANONICAL = """
            # The canonical zot hardening: anyone pulls, CI pushes new tags, admins break glass.
            repo "**" {
              anonymous: read
              group artifact-workloads: read, create   # CI: new tags only, never overwrite
            }

            admin group admins: read, create, update, delete
            metrics anonymous: read

            test "ci pushes new tags but cannot overwrite them" {
              user ci groups [artifact-workloads] can read, create on team/app
              user ci groups [artifact-workloads] cannot update, delete on team/app
              anonymous can read on team/app
              anonymous cannot create on team/app
              anonymous can read metrics
              user ops group admins can delete on team/app
              user stranger cannot list team/app
            }
            """;

    @Test
    void theCanonicalDeploymentReadsNaturallyAndDecidesLikeItsZotJson() {
        AccessPolicy text = AccessPolicy.parse(CANONICAL);
        AccessPolicy json = AccessPolicy.fromZotJson(CanonicalDeploymentTest.CANONICAL);
        assertThat(text.toZotJson()).isEqualTo(json.toZotJson());
        assertThat(json.toText()).isEqualTo("""
                repo "**" {
                  anonymous: read
                  group artifact-workloads: read, create
                }

                admin group admins: read, create, update, delete
                metrics anonymous: read
                """);
    }

    @Test
    void testBlocksBecomeOneCasePerActionAndRepository() {
        PolicyDocument doc = PolicyDocument.parse(CANONICAL, "canonical.policy");
        List<PolicyCase> cases = doc.cases();
        assertThat(cases).hasSize(9);
        assertThat(cases.get(0)).isEqualTo(new PolicyCase("ci pushes new tags but cannot overwrite them", "canonical.policy:11",
                Subject.user("ci", "artifact-workloads"), PolicyCase.Check.READ, "team/app", true));
        assertThat(cases.get(6).check()).isEqualTo(PolicyCase.Check.METRICS);
        assertThat(cases.get(8)).isEqualTo(new PolicyCase("ci pushes new tags but cannot overwrite them", "canonical.policy:17",
                Subject.user("stranger"), PolicyCase.Check.CATALOG, "team/app", false));
        assertThat(cases).allSatisfy(c -> assertThat(c.decide(doc.policy()).allowed()).as(c.describe()).isEqualTo(c.expectAllowed()));
        assertThat(doc.lineOf("**")).contains(2);
    }

    @Test
    void everyConstruct() {
        AccessPolicy p = AccessPolicy.parse("""
                group ci: bot1, "bot two",
                    bot3
                group empty:
                repo "infra/*" {
                  authenticated: read
                  user alice, "user": all
                  user bob group ops, devs: read, update
                  groups ci: none
                }
                repo "a\\\\*b" {}
                admin user root group admins: read
                metrics user prometheus, grafana: read
                metrics anonymous: none
                """);
        assertThat(p.groups()).containsExactly(java.util.Map.entry("ci", List.of("bot1", "bot two", "bot3")),
                java.util.Map.entry("empty", List.of()));
        RepositoryRule infra = p.repositories().get(0);
        assertThat(infra.defaultPolicy()).containsExactly(Action.READ);
        assertThat(infra.policies()).containsExactly(
                new PolicyEntry(List.of("alice", "user"), List.of(), Set.of(Action.values())),
                new PolicyEntry(List.of("bob"), List.of("ops", "devs"), Set.of(Action.READ, Action.UPDATE)),
                new PolicyEntry(List.of(), List.of("ci"), Set.of()));
        assertThat(p.repositories().get(1).pattern()).isEqualTo("a\\*b");
        assertThat(p.adminPolicy()).isEqualTo(new AdminPolicy(List.of("root"), List.of("admins"), Set.of(Action.READ)));
        assertThat(p.metricsPolicy()).isEqualTo(new MetricsPolicy(List.of("prometheus", "grafana"), Set.of()));
        assertThat(p.toText()).isEqualTo("""
                group ci: bot1, "bot two", bot3
                group empty:

                repo "infra/*" {
                  authenticated: read
                  user alice, "user": read, create, update, delete
                  user bob group ops, devs: read, update
                  group ci: none
                }

                repo "a\\\\*b" {
                }

                admin user root group admins: read
                metrics user prometheus, grafana: read
                """);
        assertThat(AccessPolicy.parse(p.toText()).toText()).isEqualTo(p.toText());
    }

    private static final class Set {
        static java.util.Set<Action> of(Action... a) {
            return java.util.Set.of(a);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            `repo "**" {\\n  group ci: read, write\\n}` | policy:2:19: unknown action 'write' — did you mean 'create'? Valid actions are: read, create, update, delete.\\n      group ci: read, write\\n                      ^
            `repo "team/[ab" {}`                        | policy:1:6: invalid pattern 'team/[ab' at position 6: '[' is never closed; add the matching ']' or escape it as '\\['\\n    repo "team/[ab" {}\\n         ^
            `repo "**" {\\n  anonymus: read\\n}`        | policy:2:3: expected 'anonymous:', 'authenticated:', 'user …:' or 'group …:' inside a repo block, found 'anonymus'\\n      anonymus: read\\n      ^
            `rep "**" {}`                               | policy:1:1: expected a statement (repo, group, admin, metrics, test or policy), found 'rep' — did you mean 'repo'?\\n    rep "**" {}\\n    ^
            `repo "**" {\\n  anonymous: read`           | policy:1:1: this repo block is never closed; add '}'\\n    repo "**" {\\n    ^
            `repo "**" {}\\nrepo "**" {}`               | policy:2:6: pattern "**" is already defined on line 1; merge the two repo blocks\\n    repo "**" {}\\n         ^
            `admin group a: read\\nadmin user b: read`  | policy:2:1: admin is already given on line 1; zot's adminPolicy has one list of actions, so write one line: admin user … group …: actions\\n    admin user b: read\\n    ^
            `metrics user p: create`                    | policy:1:17: metrics can only be read; write 'read' or 'none'\\n    metrics user p: create\\n                    ^
            `repo "**" { anonymous read }`              | policy:1:23: expected ':' and the actions (anonymous: read), found 'read'\\n    repo "**" { anonymous read }\\n                          ^
            `repo "**" { group ci read }`              | policy:1:22: expected ':' and the actions (group … : read, create), found 'read'\\n    repo "**" { group ci read }\\n                         ^
            `repo "**" { user bob read }`              | policy:1:22: expected ':' and the actions (user … : read, create), found 'read'\\n    repo "**" { user bob read }\\n                         ^
            `group ci: "bot`                            | policy:1:11: this string is never closed; end it with '"' on the same line\\n    group ci: "bot\\n              ^
            `test "t" {\\n  user ci may read on x\\n}`  | policy:2:11: expected 'can' or 'cannot', found 'may'\\n      user ci may read on x\\n              ^
            `test "t" {\\n  user "" can read on x\\n}`  | policy:2:8: a user name must not be empty; write 'anonymous' for a caller without credentials\\n      user "" can read on x\\n           ^
            """)
    void errorsGiveLineColumnTheLineAndACaret(String text, String message) {
        String source = text.replace("\\n", "\n");
        assertThatThrownBy(() -> AccessPolicy.parse(source)).isInstanceOf(InvalidPolicyException.class)
                .hasMessage(message.replace("\\n", "\n"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            `repo "**" {\\n  user alice, "": read\\n}` | policy:2:15: an empty user name; zot gives such an entry to anonymous callers, Portcullis refuses it — to grant anonymous callers, write 'anonymous: read' (or other actions) in the repo block\\n      user alice, "": read\\n                  ^
            `admin user "": all`                      | policy:1:12: an empty user name; zot makes anonymous callers admins with it, Portcullis refuses it — anonymous callers can never be admins; remove it\\n    admin user "": all\\n               ^
            `metrics user "": read`                   | policy:1:14: an empty user name; zot lets no caller read metrics with it (it judges anonymous callers by metrics.anonymousPolicy alone), Portcullis refuses it — to let anonymous callers read metrics, write 'metrics anonymous: read'\\n    metrics user "": read\\n                 ^
            `group ci: bot, ""`                       | policy:1:16: an empty user name; zot gives config groups to no anonymous caller, so the entry names nobody, Portcullis refuses it — remove it (to grant anonymous callers, write 'anonymous: read' in a repo block)\\n    group ci: bot, ""\\n                   ^
            """)
    void anEmptyUserNameIsRefusedWhereverAUserNameCanBe(String text, String message) {
        assertThatThrownBy(() -> AccessPolicy.parse(text.replace("\\n", "\n"))).isInstanceOf(InvalidPolicyException.class)
                .hasMessage(message.replace("\\n", "\n"));
    }

    @Test
    void aTestOnlyFileNamesThePolicyItTests() {
        PolicyDocument doc = PolicyDocument.parse("""
                policy "registry.policy"
                test "anonymous pulls" {
                  anonymous can read on library/base
                }
                """, "registry-tests.policy");
        assertThat(doc.policyReference()).contains("registry.policy");
        assertThat(doc.hasRules()).isFalse();
        assertThatThrownBy(() -> AccessPolicy.parse("policy \"registry.policy\"\n")).hasMessage(
                "policy: this file holds tests for registry.policy (its 'policy' line), not rules; load that file instead");
    }

    @Test
    void aPolicyWithoutAccessControlHasNoTextForm() {
        assertThatThrownBy(() -> AccessPolicy.withoutAccessControl().toText()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has no text form");
    }

    @Test
    void formattingNormalisesLayoutKeepsCommentsAndIsIdempotent() {
        String messy = """


                # header comment
                group   ci :bot1 ,bot2,
                  bot3
                repo "**"{


                      anonymous :read   # anyone pulls

                    group artifact-workloads:read,create
                }



                test "t" {
                user ci groups [ a ,b ] can read on x
                }
                """;
        String formatted = PolicyPrinter.format("messy.policy", messy);
        assertThat(formatted).isEqualTo("""
                # header comment
                group ci: bot1, bot2,
                    bot3
                repo "**" {
                  anonymous: read  # anyone pulls

                  group artifact-workloads: read, create
                }

                test "t" {
                  user ci groups [a, b] can read on x
                }
                """);
        assertThat(PolicyPrinter.format("f", formatted)).isEqualTo(formatted);
        assertThat(AccessPolicy.parse(formatted).toZotJson()).isEqualTo(AccessPolicy.parse(messy).toZotJson());
    }
}
