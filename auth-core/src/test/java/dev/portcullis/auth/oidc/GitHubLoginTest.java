package dev.portcullis.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.Identity;
import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.PortcullisConfig;
import dev.portcullis.auth.session.SessionCookies;
import dev.portcullis.auth.session.SessionKeyRing;
import dev.portcullis.policy.AccessPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Login with GitHub (zot's {@code providers.github}) against a local stand-in that serves GitHub's documented shapes. */
class GitHubLoginTest {
    static final String EXTERNAL = "https://registry.example.com";
    static final String POLICY = """
            {"repositories": {"**": {"policies": [{"groups": ["octo-org"], "actions": ["read", "create"]}]}}}
            """;
    GitHubStandIn github;

    @BeforeEach
    void start() throws Exception {
        github = new GitHubStandIn();
    }

    @AfterEach
    void stop() {
        github.close();
    }

    Portcullis portcullis(GitHubProviderSettings settings) {
        OidcLogin login = OidcLogin.builder().externalUrl(EXTERNAL).sessions(new SessionCookies(SessionKeyRing.generate(), Duration.ofHours(2), true))
                .provider(settings).providerTimeout(Duration.ofSeconds(2)).build();
        return Portcullis.builder().policy(AccessPolicy.fromZotJson(POLICY)).oidc(login).existence((r, t) -> false).closeWith(login).build();
    }

    static Identity identity(Browser browser) {
        Outcome out = browser.request("GET", "/v2/team/app/manifests/v1");
        assertThat(out).isInstanceOf(Outcome.Proceed.class);
        return ((Outcome.Proceed) out).identity();
    }

    @Test
    void theVerifiedPrimaryEmailNamesTheUserAndOrganizationsAndTeamsAreTheGroups() throws Exception {
        try (Portcullis p = portcullis(github.settings("github"))) {
            Browser browser = new Browser(p, EXTERNAL);
            Outcome.Respond done = browser.login("github", "/ui/");
            assertThat(done.status()).as(done.bodyText()).isEqualTo(302);
            assertThat(done.headers()).containsEntry("Location", "/ui/");
            Identity who = identity(browser);
            assertThat(who.name()).isEqualTo("octocat@github.com");
            assertThat(who.groups()).containsExactly("github", "octo-org", "github/justice-league");
            assertThat(who.method()).isEqualTo(Identity.AuthMethod.SESSION);

            assertThat(github.lastAuthorize).containsEntry("client_id", GitHubStandIn.CLIENT_ID).containsEntry("scope", "read:org user:email")
                    .containsEntry("redirect_uri", EXTERNAL + "/auth/callback/github").containsEntry("code_challenge_method", "S256")
                    .containsKey("state").doesNotContainKey("nonce");
            assertThat(github.lastTokenForm).containsKeys("code", "code_verifier").containsEntry("client_secret", GitHubStandIn.CLIENT_SECRET);
            assertThat(github.apiRequests()).containsExactly("GET /api/user/emails", "GET /api/user/orgs", "GET /api/user/teams");
            assertThat(github.apiHeaders).allSatisfy(h -> assertThat(h).matches("Bearer gho_\\w+ \\| application/vnd\\.github\\+json \\| 2022-11-28"));
            assertThat(browser.respond("POST", "/auth/logout", "X-Portcullis-Csrf: 1").bodyText()).as("GitHub has no logout page").isEqualTo("{}");
        }
    }

    @Test
    void organizationsAndTeamsAreReadPageByPage() throws Exception {
        github.pageSize = 2;
        github.orgs = java.util.stream.Stream.concat(IntStream.rangeClosed(1, 4).mapToObj(i -> "org-" + i), java.util.stream.Stream.of("octo-org")).toList();
        github.teams = List.of("org-1/a", "org-2/b", "org-3/c");
        try (Portcullis p = portcullis(github.settings("github"))) {
            Browser browser = new Browser(p, EXTERNAL);
            assertThat(browser.login("github", "/").status()).isEqualTo(302);
            assertThat(identity(browser).groups()).containsExactly("org-1", "org-2", "org-3", "org-4", "octo-org", "org-1/a", "org-2/b", "org-3/c");
            assertThat(github.apiRequests()).hasSize(1 + 3 + 2);
        }
    }

    @Test
    void aPrimaryEmailGitHubDoesNotCallVerifiedOrNoneAtAllNamesNobody() throws Exception {
        try (Portcullis p = portcullis(github.settings("github"))) {
            github.emails = "[{\"email\":\"ceo@victim.example\",\"verified\":false,\"primary\":true,\"visibility\":\"private\"}]";
            Outcome.Respond unverified = new Browser(p, EXTERNAL).login("github", "/");
            assertThat(unverified.status()).isEqualTo(401);
            assertThat(unverified.bodyText()).contains("does not say the primary email address is verified").doesNotContain("victim");
            github.emails = "[{\"email\":\"second@example.com\",\"verified\":true,\"primary\":false,\"visibility\":null}]";
            Outcome.Respond none = new Browser(p, EXTERNAL).login("github", "/");
            assertThat(none.status()).isEqualTo(401);
            assertThat(none.bodyText()).contains("no primary email address");
        }
    }

    @Test
    void theLoginOrIdNamesTheUserWhenConfigured() throws Exception {
        try (Portcullis byLogin = portcullis(github.settings("github").withUsername("login"));
                Portcullis byId = portcullis(github.settings("github").withUsername("id"))) {
            Browser a = new Browser(byLogin, EXTERNAL);
            assertThat(a.login("github", "/").status()).isEqualTo(302);
            assertThat(identity(a).name()).isEqualTo("octocat");
            Browser b = new Browser(byId, EXTERNAL);
            assertThat(b.login("github", "/").status()).isEqualTo(302);
            assertThat(identity(b).name()).isEqualTo("583231");
            assertThat(github.apiRequests()).doesNotContain("GET /api/user/emails");
        }
    }

    @Test
    void withoutReadOrgTheUserLogsInWithoutGroupsAsInZot() throws Exception {
        try (Portcullis p = portcullis(github.settings("github").withScopes(List.of("user:email")))) {
            Browser browser = new Browser(p, EXTERNAL);
            assertThat(browser.login("github", "/").status()).isEqualTo(302);
            Outcome out = browser.request("GET", "/v2/team/app/manifests/v1");
            assertThat(((Outcome.Respond) out).status()).as("authenticated, in no group the policy names").isEqualTo(403);
        }
        try (Portcullis p = portcullis(github.settings("github").withScopes(List.of("read:org")))) {
            Outcome.Respond noEmailScope = new Browser(p, EXTERNAL).login("github", "/");
            assertThat(noEmailScope.status()).isEqualTo(401);
            assertThat(noEmailScope.bodyText()).contains("user:email");
        }
    }

    @Test
    void withOrganizationsOnlyTheirMembersLogInAndOnlyTheyAndTheirTeamsAreGroups() throws Exception {
        try (Portcullis p = portcullis(github.settings("github").withOrganizations(List.of("OCTO-ORG")))) {
            Browser browser = new Browser(p, EXTERNAL);
            assertThat(browser.login("github", "/").status()).isEqualTo(302);
            assertThat(identity(browser).groups()).as("GitHub's case; github and its team left out").containsExactly("octo-org");
        }
        try (Portcullis p = portcullis(github.settings("github").withOrganizations(List.of("acme")))) {
            Outcome.Respond outsider = new Browser(p, EXTERNAL).login("github", "/");
            assertThat(outsider.status()).isEqualTo(401);
            assertThat(outsider.bodyText()).contains("not a member of acme");
        }
    }

    @Test
    void aRateLimitedListIs503NotALoginWithoutGroups() throws Exception {
        github.rateLimited = true;
        try (Portcullis p = portcullis(github.settings("github"))) {
            Outcome.Respond limited = new Browser(p, EXTERNAL).login("github", "/");
            assertThat(limited.status()).isEqualTo(503);
            assertThat(limited.bodyText()).contains("limits this application's requests");
            github.rateLimited = false;
            Browser browser = new Browser(p, EXTERNAL);
            assertThat(browser.login("github", "/").status()).isEqualTo(302);
            assertThat(identity(browser).groups()).contains("octo-org");
        }
    }

    @Test
    void aRefusedCodeOrAWrongSecretIsRefusedWithGitHubsReason() throws Exception {
        try (Portcullis p = portcullis(github.settings("github"))) {
            Browser browser = new Browser(p, EXTERNAL);
            Outcome.Respond start = browser.respond("GET", "/auth/login?provider=github");
            URI back = browser.providerRedirect(URI.create(start.headers().get("Location")));
            URI forged = URI.create(back.toString().replaceFirst("code=[^&]+", "code=0123456789abcdef0123"));
            Outcome.Respond refused = browser.callback(forged);
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.bodyText()).contains("GitHub refused the code: bad_verification_code");
        }
        GitHubProviderSettings s = github.settings("github");
        GitHubProviderSettings wrongSecret = new GitHubProviderSettings(s.name(), s.clientId(), "not-the-secret", s.scopes(), s.authorizationEndpoint(),
                s.tokenEndpoint(), s.apiUrl(), s.username(), s.organizations());
        try (Portcullis p = portcullis(wrongSecret)) {
            Outcome.Respond refused = new Browser(p, EXTERNAL).login("github", "/");
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.bodyText()).contains("incorrect_client_credentials", "check the client id and secret").doesNotContain("not-the-secret");
        }
    }

    @Test
    void gitHubDownIs503AndTheLoginRecovers() throws Exception {
        try (Portcullis p = portcullis(github.settings("github"))) {
            Browser browser = new Browser(p, EXTERNAL);
            Outcome.Respond start = browser.respond("GET", "/auth/login?provider=github");
            URI back = browser.providerRedirect(URI.create(start.headers().get("Location")));
            github.down = true;
            Outcome.Respond down = browser.callback(back);
            assertThat(down.status()).isEqualTo(503);
            assertThat(down.bodyText()).contains("GitHub's token endpoint failed (HTTP 503)").doesNotContain("Unicorn");
            github.down = false;
            assertThat(new Browser(p, EXTERNAL).login("github", "/").status()).isEqualTo(302);
        }
    }

    @Test
    void aNextPageOnAnotherOriginIsNotFollowedWithTheToken() throws Exception {
        try (GitHubStandIn elsewhere = new GitHubStandIn(); Portcullis p = portcullis(github.settings("github"))) {
            github.pageSize = 1;
            github.nextBase = elsewhere.base();
            Outcome.Respond out = new Browser(p, EXTERNAL).login("github", "/");
            assertThat(out.status()).isEqualTo(503);
            assertThat(out.bodyText()).contains("next page is on another origin");
            assertThat(elsewhere.requests).isEmpty();
        }
    }

    @Test
    void zotsGitHubProviderEntryConfiguresIt(@TempDir Path dir) throws Exception {
        PortcullisConfig config = PortcullisConfig.parse("""
                {"http": {"externalUrl": "%s", "auth": {"openid": {"providers": {"github": {
                    "clientid": "%s", "clientsecret": "%s", "scopes": ["read:org", "user", "repo"],
                    "authurl": "%s/login/oauth/authorize", "tokenurl": "%s/login/oauth/access_token", "apiurl": "%s/api"}}}},
                  "accessControl": {"repositories": {"**": {"policies": [{"groups": ["octo-org"], "actions": ["read"]}]}}}}}
                """.formatted(EXTERNAL, GitHubStandIn.CLIENT_ID, GitHubStandIn.CLIENT_SECRET, github.base(), github.base(), github.base()), dir);
        try (Portcullis p = config.builder().existence((r, t) -> false).build()) {
            Browser browser = new Browser(p, EXTERNAL);
            assertThat(browser.login("github", "/").status()).isEqualTo(302);
            assertThat(github.lastAuthorize).containsEntry("scope", "read:org user repo");
            assertThat(identity(browser).name()).isEqualTo("octocat@github.com");
        }
    }
}
