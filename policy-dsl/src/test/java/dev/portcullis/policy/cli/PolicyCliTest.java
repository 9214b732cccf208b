package dev.portcullis.policy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command through the real entry point, with exact output and exit codes. */
class PolicyCliTest {
    static final String REGISTRY = """
            # anyone pulls, CI pushes new tags, admins break glass
            repo "**" {
              anonymous: read
              group artifact-workloads: read, create
            }

            admin group admins: all
            metrics anonymous: read

            test "ci pushes new tags but never overwrites" {
              user ci groups [artifact-workloads] can read, create on team/app
              user ci groups [artifact-workloads] cannot update, delete on team/app
              anonymous can read metrics
            }
            """;

    @TempDir
    Path dir;
    Path registry;

    record Run(int code, String out, String err) {
    }

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = PolicyCli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @BeforeEach
    void files() throws Exception {
        registry = write("registry.policy", REGISTRY);
    }

    @Test
    void testPassesAndCountsEveryCase() {
        Run r = cli("test", registry.toString());
        assertThat(r.out()).isEqualTo("5 passed, 0 failed\n");
        assertThat(r.code()).isZero();
    }

    @Test
    void testPrintsEachFailureWithItsExplanationAndExitsOne() throws Exception {
        Path broken = write("broken.policy", REGISTRY.replace("cannot update, delete", "can update"));
        Run r = cli("test", broken.toString());
        assertThat(r.out()).isEqualTo("FAIL " + broken + ":12 \"ci pushes new tags but never overwrites\": expected user 'ci'"
                + " (groups: artifact-workloads) can update on 'team/app'\n"
                + "     Denied: user 'ci' (groups: artifact-workloads) may not update 'team/app' — pattern '**' applies (the only"
                + " matching pattern); there the user holds read, create (group 'artifact-workloads': read, create); update is not"
                + " granted there, and the user is not in adminPolicy.\n"
                + "3 passed, 1 failed\n");
        assertThat(r.code()).isEqualTo(1);
    }

    @Test
    void testRunsJsonBundlesInlineAndByPolicyFile() throws Exception {
        Path inline = write("inline.json", """
                { "policy": { "repositories": { "**": { "anonymousPolicy": ["read"] } },
                              "adminPolicy": { "users": ["root"], "actions": [] },
                              "metrics": { "users": ["prometheus"] } },
                  "cases": [
                    { "name": "anonymous pulls", "user": null, "repo": "team/app", "action": "read", "expect": "allow" },
                    { "name": "anonymous cannot push", "user": null, "repo": "team/app", "action": "create", "expect": "deny" },
                    { "name": "prometheus scrapes", "user": "prometheus", "action": "metrics", "expect": "allow" },
                    { "name": "root lists everything", "user": "root", "groups": [], "repo": "x", "action": "catalog", "expect": "allow" },
                    { "name": "root cannot read", "user": "root", "repo": "x", "action": "read", "expect": "deny" }
                  ] }
                """);
        Path byFile = write("by-file.json", """
                { "policyFile": "registry.policy",
                  "cases": [ { "name": "ci pushes", "user": "ci", "groups": ["artifact-workloads"], "repo": "a/b",
                               "action": "create", "expect": "allow" } ] }
                """);
        Run r = cli("test", inline.toString(), byFile.toString(), registry.toString());
        assertThat(r.out()).isEqualTo("11 passed, 0 failed\n");
        assertThat(r.code()).isZero();
    }

    @Test
    void aFileThatCannotBeParsedExitsTwoWithTheReasonAndTheOthersStillRun() throws Exception {
        Path bad = write("bad.policy", "repo \"**\" {\n  anonymous: raed\n}\n");
        Run r = cli("test", bad.toString(), registry.toString());
        assertThat(r.err()).isEqualTo("error: " + bad + ":2:14: unknown action 'raed' — did you mean 'read'? Valid actions are: read,"
                + " create, update, delete.\n      anonymous: raed\n                 ^\n");
        assertThat(r.out()).isEqualTo("5 passed, 0 failed\n");
        assertThat(r.code()).isEqualTo(2);
        Path badBundle = write("bad.json", "{ \"policy\": {}, \"cases\": [ { \"user\": null, \"repo\": \"x\", \"action\": \"push\", \"expect\": \"allow\" } ] }");
        Run b = cli("test", badBundle.toString());
        assertThat(b.err()).isEqualTo("error: " + badBundle + ": cases[0].action: unknown check 'push'; expected one of read, create,"
                + " update, delete, metrics, catalog\n");
        assertThat(b.code()).isEqualTo(2);
    }

    @Test
    void anEmptyUserNameInACaseOrOnTheCommandLineIsAnErrorThatSaysHowToNameAnonymous() throws Exception {
        Path bundle = write("anonymous.json", """
                { "policy": { "repositories": { "**": { "anonymousPolicy": ["read"] } } },
                  "cases": [ { "user": "", "repo": "team/app", "action": "read", "expect": "allow" } ] }
                """);
        Run test = cli("test", bundle.toString());
        assertThat(test.err()).isEqualTo("error: " + bundle + ": cases[0].user: an empty user name; zot gives it to anonymous callers, a case"
                + " names them with null — write \"user\": null\n");
        assertThat(test.code()).isEqualTo(2);
        Run explain = cli("explain", "--policy", registry.toString(), "--user", "", "--repo", "team/app", "--action", "read");
        assertThat(explain.err()).isEqualTo("error: --user: an empty user name; for a caller without credentials, use --anonymous\n");
        assertThat(explain.code()).isEqualTo(2);
    }

    @Test
    void testsBesideThePolicyNameTheFileTheyTest() throws Exception {
        Path tests = write("registry-tests.policy", """
                policy "registry.policy"
                test "admins break glass" {
                  user ops group admins can update, delete on team/app
                }
                """);
        assertThat(cli("test", tests.toString()).out()).isEqualTo("2 passed, 0 failed\n");
    }

    @Test
    void coverageListsRulesNoCaseExercised() {
        Run r = cli("test", "--coverage", registry.toString());
        assertThat(r.out()).isEqualTo("coverage of " + registry + ": 2 of 4 rules exercised\n"
                + "  not exercised: repo \"**\" anonymous (anonymousPolicy)\n"
                + "  not exercised: admin (adminPolicy)\n"
                + "5 passed, 0 failed\n");
    }

    @Test
    void explainPrintsTheDecisionAndExitsByIt() {
        Run denied = cli("explain", "--policy", registry.toString(), "--user", "ci", "--groups", "artifact-workloads",
                "--repo", "team/app", "--action", "update");
        assertThat(denied.out()).startsWith("Denied: user 'ci' (groups: artifact-workloads) may not update 'team/app'");
        assertThat(denied.code()).isEqualTo(1);
        Run allowed = cli("explain", "--policy", registry.toString(), "--anonymous", "--action", "metrics");
        assertThat(allowed.out()).isEqualTo("Allowed: anonymous may read metrics — metrics.anonymousPolicy includes read.\n");
        assertThat(allowed.code()).isZero();
        Run both = cli("explain", "--policy", registry.toString(), "--anonymous", "--user", "x", "--repo", "a", "--action", "read");
        assertThat(both.err()).isEqualTo("error: give exactly one of --user NAME and --anonymous\n");
        assertThat(both.code()).isEqualTo(2);
    }

    @Test
    void lintReportsSeverityLocationAndFix() throws Exception {
        Path p = write("team.policy", """
                group ci: bot1
                repo "**" {
                  anonymous: read
                }
                repo "Team/*" {
                  anonymous: read, delete
                }
                repo "ab/*" {}
                repo "a?/c" {}
                repo "lib/*" {}
                repo "lib/**" {
                  user "*": read
                }
                admin group admins: none
                """);
        Run r = cli("lint", p.toString());
        assertThat(r.out()).isEqualTo("error: " + p + ":5 repo \"Team/*\": pattern 'Team/*' contains upper-case letters, but OCI"
                + " repository names are lower-case, so it can never match a real repository\n"
                + "  fix: write it in lower case: 'team/*'\n"
                + "warning: " + p + ":5 repo \"Team/*\": anonymous callers may delete in repositories matching 'Team/*'\n"
                + "  fix: give anonymous callers read at most; writers should authenticate (an account or an API key)\n"
                + "warning: " + p + ":11 repo \"lib/**\": users: [\"*\"] names a user literally called '*'; it is not a wildcard\n"
                + "  fix: to grant every authenticated user, use defaultPolicy (authenticated: in a .policy file)\n"
                + "warning: " + p + ":14 admin: adminPolicy names admins but no actions: they may do nothing beyond seeing every repository"
                + " in the catalog\n"
                + "  fix: add the actions admins need, e.g. read, create, update, delete\n"
                + "warning: " + p + " metrics: metrics.users is empty: every authenticated caller, admins included, is denied the metrics"
                + " endpoint (403)\n"
                + "  fix: list the scraper's user in metrics.users (metrics user prometheus: read)\n"
                + "warning: " + p + ":1 group ci: group 'ci' is defined but no repository rule or adminPolicy grants it anything\n"
                + "  fix: grant it something, or remove it\n"
                + "warning: " + p + ":8 repo \"ab/*\": patterns 'ab/*' and 'a?/c' are equally long (4 bytes) and both match names such as"
                + " 'ab/c'; zot would pick one at random, Portcullis picks 'a?/c' (fewer wildcards, then lexicographic order)\n"
                + "  fix: make the two patterns disjoint, or the one that should win longer\n"
                + "warning: " + p + ":10 repo \"lib/*\": pattern 'lib/*' never applies: every repository name it matches is matched by a"
                + " longer pattern ('lib/**')\n"
                + "  fix: remove it, or narrow the longer patterns if it was meant to apply\n"
                + "1 error(s), 7 warning(s)\n");
        assertThat(r.code()).isEqualTo(1);
    }

    @Test
    void lintOfAnUnloadableFileIsAnErrorAndACleanFileHasNoFindings() throws Exception {
        Path json = write("config.json", "{\"repositories\": {\"**\": {\"anonymousPolicy\": [\"write\"]}}}");
        Run r = cli("lint", json.toString());
        assertThat(r.out()).startsWith("error: " + json + ": repositories[\"**\"].anonymousPolicy[0]: unknown action 'write'");
        assertThat(r.code()).isEqualTo(1);
        Path clean = write("clean.policy", "repo \"**\" {\n  anonymous: read\n}\nmetrics user prometheus: read\n");
        assertThat(cli("lint", clean.toString()).out()).isEqualTo("no findings\n");
    }

    @Test
    void lintReportsAnEmptyUserNameAsAnErrorWithItsPlaceAndWhatToWriteInstead() throws Exception {
        Path json = write("ported.json", "{\"repositories\": {\"**\": {\"policies\": [{\"users\": [\"alice\", \"\"], \"actions\": [\"read\"]}]}}}");
        Run r = cli("lint", json.toString());
        assertThat(r.out()).isEqualTo("error: " + json + ": repositories[\"**\"].policies[0].users[1]: an empty user name; zot gives such an"
                + " entry to anonymous callers, Portcullis refuses it — to grant anonymous callers, use anonymousPolicy\n"
                + "  fix: correct the file so that it loads\n"
                + "1 error(s), 0 warning(s)\n");
        assertThat(r.code()).isEqualTo(1);
        Path text = write("ported.policy", "repo \"**\" {\n  user \"\": read\n}\n");
        Run t = cli("lint", text.toString());
        assertThat(t.out()).isEqualTo("error: " + text + ":2:8: an empty user name; zot gives such an entry to anonymous callers, Portcullis"
                + " refuses it — to grant anonymous callers, write 'anonymous: read' (or other actions) in the repo block\n"
                + "      user \"\": read\n"
                + "           ^\n"
                + "  fix: correct the file so that it loads\n"
                + "1 error(s), 0 warning(s)\n");
        assertThat(t.code()).isEqualTo(1);
    }

    @Test
    void lintForAMavenStoreAcceptsCapitalsAndWarnsOfDeployTraps() throws Exception {
        Path json = write("maven.json", """
                {"repositories": {
                  "**": {"anonymousPolicy": ["read"], "policies": [{"groups": ["artifact-workloads"], "actions": ["read", "create"]}]},
                  "releases/org/Acme/*": {"policies": [{"groups": ["acme-ci"], "actions": ["read", "create"]}]},
                  "releases/org/Beta/**": {"policies": [{"groups": ["beta-ci"], "actions": ["read", "create"]}]},
                  "releases/com/other/**": {"policies": [{"groups": ["other-ci"], "actions": ["read", "create", "update"]}]}},
                 "adminPolicy": {"groups": ["admins"], "actions": ["read", "create", "update", "delete"]},
                 "metrics": {"users": ["prometheus"]}}
                """);
        Run oci = cli("lint", json.toString());
        assertThat(oci.out()).contains("upper-case");
        assertThat(oci.code()).isEqualTo(1);
        Run maven = cli("lint", "--store", "maven", json.toString());
        assertThat(maven.out()).doesNotContain("upper-case")
                .contains("warning: repositories[\"releases/org/Acme/*\"]: group 'acme-ci' may deploy below 'releases/org/Acme' but may not"
                        + " create 'releases/org/Acme' itself")
                .contains("warning: repositories[\"releases/com/other/**\"]: group 'other-ci' may update in 'releases/com/other/**', which holds"
                        + " release repositories")
                .doesNotContain("may deploy below 'releases/org/Beta'").doesNotContain("may deploy below 'releases/com/other'")
                .endsWith("0 error(s), 2 warning(s)\n");
        assertThat(maven.code()).isZero();
        assertThat(cli("lint", "--store", "npm", json.toString()).code()).isEqualTo(2);
    }

    @Test
    void convertAndFmtRefuseAnEmptyUserNameAndLeaveTheFileAlone() throws Exception {
        String ported = "metrics user \"\": read\n";
        Path text = write("ported.policy", ported);
        String error = "error: " + text + ":1:14: an empty user name; zot lets no caller read metrics with it (it judges anonymous callers by"
                + " metrics.anonymousPolicy alone), Portcullis refuses it — to let anonymous callers read metrics, write 'metrics anonymous:"
                + " read'\n    metrics user \"\": read\n                 ^\n";
        for (String command : List.of("convert", "fmt")) {
            Run r = cli(command, text.toString());
            assertThat(r.err()).as(command).isEqualTo(error);
            assertThat(r.out()).as(command).isEmpty();
            assertThat(r.code()).as(command).isEqualTo(2);
        }
        assertThat(Files.readString(text)).isEqualTo(ported);
    }

    @Test
    void whoCanListsEveryKindOfPrincipal() throws Exception {
        Path p = write("who.json", """
                {"groups": {"ci": {"users": ["bot1", "bot2"]}},
                 "repositories": {"team/**": {"policies": [{"users": ["alice"], "groups": ["ci"], "actions": ["create"]}],
                                              "defaultPolicy": ["create"], "anonymousPolicy": ["create"]}},
                 "adminPolicy": {"users": ["root"], "groups": ["admins"], "actions": ["create", "delete"]}}
                """);
        Run r = cli("who-can", "--policy", p.toString(), "--action", "create", "--repo", "team/app");
        assertThat(r.out()).isEqualTo("""
                create on 'team/app' (pattern 'team/**'):
                  user alice
                  group ci (members by config: bot1, bot2)
                  any authenticated user (defaultPolicy)
                  anonymous (anonymousPolicy)
                  admin user root (adminPolicy)
                  admin group admins (adminPolicy)
                """);
        assertThat(cli("who-can", "--policy", p.toString(), "--action", "update", "--repo", "other").out()).isEqualTo("""
                update on 'other' (no pattern matches; only adminPolicy applies):
                  nobody
                """);
    }

    @Test
    void diffShowsAGroupGrantAdded() throws Exception {
        Path after = write("after.policy", REGISTRY.replace("group artifact-workloads: read, create",
                "group artifact-workloads: read, create\n  group releasers: update"));
        Run r = cli("diff", registry.toString(), after.toString());
        assertThat(r.out()).isEqualTo("+ group releasers may now update 'x' (pattern '**'; before: '**')\n");
        assertThat(r.code()).isEqualTo(1);
    }

    @Test
    void diffShowsAnonymousReadRemoved() throws Exception {
        Path after = write("after.policy", REGISTRY.replace("  anonymous: read\n", ""));
        assertThat(cli("diff", registry.toString(), after.toString()).out()).isEqualTo("""
                - anonymous may no longer read 'x' (pattern '**'; before: '**')
                - anonymous may no longer see 'x' in the catalog (pattern '**'; before: '**')
                """);
    }

    @Test
    void diffShowsANewLongerPatternShadowingPartOfDoubleStar() throws Exception {
        Path after = write("after.json", """
                {"repositories": {"**": {"policies": [{"groups": ["artifact-workloads"], "actions": ["read", "create"]}],
                                         "anonymousPolicy": ["read"]},
                                  "infra/*": {"policies": [{"groups": ["ops"], "actions": ["read", "create", "update", "delete"]}]}},
                 "adminPolicy": {"groups": ["admins"], "actions": ["read", "create", "update", "delete"]},
                 "metrics": {"anonymousPolicy": ["read"]}}
                """);
        assertThat(cli("diff", registry.toString(), after.toString()).out()).isEqualTo("""
                - anonymous may no longer read 'infra/x' (pattern 'infra/*'; before: '**')
                - anonymous may no longer see 'infra/x' in the catalog (pattern 'infra/*'; before: '**')
                - group artifact-workloads may no longer read 'infra/x' (pattern 'infra/*'; before: '**')
                - group artifact-workloads may no longer create 'infra/x' (pattern 'infra/*'; before: '**')
                - group artifact-workloads may no longer see 'infra/x' in the catalog (pattern 'infra/*'; before: '**')
                + group ops may now read 'infra/x' (pattern 'infra/*'; before: '**')
                + group ops may now create 'infra/x' (pattern 'infra/*'; before: '**')
                + group ops may now update 'infra/x' (pattern 'infra/*'; before: '**')
                + group ops may now delete 'infra/x' (pattern 'infra/*'; before: '**')
                + group ops may now see 'infra/x' in the catalog (pattern 'infra/*'; before: '**')
                """);
    }

    @Test
    void diffFindsAnonymousReadWhereANewPatternMeetsOneOfFiftyFive() throws Exception {
        StringBuilder teams = new StringBuilder("repo \"**\" {\n  anonymous: read\n  authenticated: read\n}\n");
        for (int n = 1; n <= 55; n++) {
            teams.append("repo \"team").append(n).append("/*\" {\n  authenticated: read\n}\n");
        }
        Path before = write("teams.policy", teams.toString());
        Path after = write("teams-apps.policy", teams + "repo \"team*/app\" {\n  anonymous: read\n  authenticated: read\n}\n");
        assertThat(cli("explain", "--policy", after.toString(), "--anonymous", "--repo", "team55/app", "--action", "read").code()).isZero();

        Run r = cli("diff", before.toString(), after.toString());

        assertThat(r.out().lines()).hasSize(110).contains(
                "+ anonymous may now read 'team55/app' (pattern 'team*/app'; before: 'team55/*')",
                "+ anonymous may now see 'team55/app' in the catalog (pattern 'team*/app'; before: 'team55/*')");
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isEqualTo(1);
    }

    @Test
    void aDiffThatCannotCompareEveryNameSaysSoAndExitsThree() throws Exception {
        // 'a' and 20 more characters: the automaton must remember where each 'a' of the last 21 characters was
        String pattern = "*a" + "?".repeat(20);
        Path before = write("before.policy", "repo \"" + pattern + "\" {\n  anonymous: read\n}\n");
        Path after = write("after.policy", "repo \"" + pattern + "\" {\n  anonymous: read, create\n}\n");

        Run r = cli("diff", before.toString(), after.toString());

        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("incomplete: the patterns of " + before + " and " + after + " tell too many kinds of repository"
                + " name apart to compare them all; the changes printed are real, but there may be others. Diff smaller parts of the"
                + " policies, or simplify patterns with many '*', '?' or '**' in a row\n");
        assertThat(r.code()).isEqualTo(3);
        assertThat(cli("--help").out()).contains("\nExit codes:\n", "\n  3   diff stopped before comparing every repository name (a resource"
                + " limit)\n");
    }

    @Test
    void diffOfReorderedOrReformattedPoliciesIsEmpty() throws Exception {
        Path json = write("same.json", """
                {"metrics": {"anonymousPolicy": ["read"]},
                 "adminPolicy": {"actions": ["delete", "update", "create", "read"], "groups": ["admins"]},
                 "repositories": {"**": {"anonymousPolicy": ["read"],
                                         "policies": [{"actions": ["create", "read"], "groups": ["artifact-workloads"]}]}}}
                """);
        Run r = cli("diff", registry.toString(), json.toString());
        assertThat(r.out()).isEmpty();
        assertThat(r.code()).isZero();
    }

    @Test
    void fmtRewritesInPlaceAndCheckOnlyReports() throws Exception {
        Path messy = write("messy.policy", "repo \"**\"{\n      anonymous :read # pull\n\n\n}\n");
        Run check = cli("fmt", "--check", messy.toString());
        assertThat(check.out()).isEqualTo(messy + " is not formatted\n");
        assertThat(check.code()).isEqualTo(1);
        Run fix = cli("fmt", messy.toString());
        assertThat(fix.out()).isEqualTo("formatted " + messy + "\n");
        assertThat(Files.readString(messy)).isEqualTo("repo \"**\" {\n  anonymous: read  # pull\n}\n");
        assertThat(cli("fmt", "--check", messy.toString()).code()).isZero();
        assertThat(cli("fmt", registry.toString()).out()).isEmpty();
    }

    @Test
    void convertGoesBothWays() throws Exception {
        Run toJson = cli("convert", registry.toString());
        Path json = write("registry.json", toJson.out());
        Run back = cli("convert", json.toString());
        assertThat(back.out()).isEqualTo("""
                repo "**" {
                  anonymous: read
                  group artifact-workloads: read, create
                }

                admin group admins: read, create, update, delete
                metrics anonymous: read
                """);
        Path out = dir.resolve("out.json");
        assertThat(cli("convert", registry.toString(), "--to", "json", "-o", out.toString()).code()).isZero();
        assertThat(Files.readString(out)).isEqualTo(toJson.out());
        Path zotConfig = write("config.json", "{\"http\": {\"address\": \"0.0.0.0\"}}");
        Run none = cli("convert", zotConfig.toString());
        assertThat(none.err()).startsWith("error: " + zotConfig + " has no accessControl");
        assertThat(none.code()).isEqualTo(2);
    }

    @Test
    void noCommandIsAUsageError() {
        Run r = cli();
        assertThat(r.err()).startsWith("name a command: test, explain, lint, who-can, diff, fmt or convert\nUsage: portcullis-policy");
        assertThat(r.code()).isEqualTo(2);
    }
}
