package dev.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.Argon2Hasher;
import dev.portcullis.auth.apikey.JdbcApiKeyStore;
import dev.portcullis.auth.routes.MavenRoutes;
import dev.portcullis.auth.routes.Route;
import dev.portcullis.auth.routes.RouteResolver;
import dev.portcullis.policy.AccessPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a builder refuses at once, what the start says it protects, and the warnings a wrong setup earns. */
class StartupChecksTest {
    private static final AccessPolicy CREATE_ONLY = AccessPolicy.parse("""
            repo "team/**" {
              group ci: read, create
              anonymous: read
            }
            """);
    private static final AccessPolicy CREATE_AND_UPDATE = AccessPolicy.parse("""
            repo "team/**" {
              group ci: read, create, update
              anonymous: read
            }
            """);

    @Test
    void aPolicyThatTellsCreateFromUpdateNeedsAnExistenceLookupBeforeTheFirstPush() {
        assertThatThrownBy(() -> Portcullis.builder().policy(CREATE_ONLY).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no ExistenceLookup was given")
                .hasMessageContaining(".existence((repository, tag) -> yourStorage.exists(repository, tag))");
        assertThatThrownBy(() -> Portcullis.builder().policy(CREATE_ONLY).routes(MavenRoutes.under("/maven")).build())
                .as("Maven's artifact files are written once too").isInstanceOf(IllegalStateException.class);
        assertThat(Portcullis.builder().policy(CREATE_ONLY).existence((repository, tag) -> false).build()).isNotNull();
        assertThat(Portcullis.builder().policy(CREATE_AND_UPDATE).build()).as("whether a tag exists cannot matter").isNotNull();
        RouteResolver readsOnly = new RouteResolver() {
            @Override
            public Route resolve(dev.portcullis.auth.routes.RequestTarget target) {
                return new Route.Unprotected("nothing here");
            }

            @Override
            public boolean writesTags() {
                return false;
            }
        };
        assertThat(Portcullis.builder().policy(CREATE_ONLY).routes(readsOnly).build()).isNotNull();
    }

    @Test
    void theStartSaysWhatIsProtectedAndHowWithoutASecret(@TempDir Path dir) throws Exception {
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), "");
        try (JdbcApiKeyStore store = JdbcApiKeyStore.open(dir.resolve("keys.db").toString())) {
            ApiKeyService keys = ApiKeyService.builder(store).hasher(new Argon2Hasher(256, 1, 1)).build();
            Portcullis p = Portcullis.builder().policy(CREATE_AND_UPDATE).apiKeys(keys).htpasswd(htpasswd).build();
            assertThat(p.summary())
                    .startsWith("routes OCI distribution API under /v2/ (the default); authentication registry tokens from /auth/token (signed"
                            + " with a key generated at the start: replicas refuse each other's), API keys, htpasswd " + htpasswd)
                    .contains("; key store JdbcApiKeyStore[").contains("keys.db")
                    .contains("; policy given in code sha256:").contains("; existence lookup none")
                    .endsWith("; self-service page /auth/");
        }
        Portcullis maven = Portcullis.builder().policy(CREATE_AND_UPDATE).routes(MavenRoutes.under("/maven")).build();
        assertThat(maven.summary()).startsWith("routes Maven repositories under /maven/; authentication none (anonymous callers only)")
                .contains("self-service page off");
        String digest = maven.summary().replaceAll(".*sha256:(\\w+).*", "$1");
        assertThat(Portcullis.builder().policy(CREATE_AND_UPDATE).build().summary()).as("the same policy, the same digest")
                .contains("sha256:" + digest);
        assertThat(Portcullis.builder().policy(CREATE_ONLY).existence((r, t) -> true).build().summary())
                .doesNotContain("sha256:" + digest).contains("existence lookup given");
    }

    @Test
    void theConfigurationFileNamesWhereItsPolicyCameFrom(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("config.json"), """
                {"http": {"accessControl": {"repositories": {"**": {"anonymousPolicy": ["read"]}}}}}
                """);
        assertThat(PortcullisConfig.load(config).build().summary()).contains("policy http.accessControl of " + config + " sha256:");
        Files.writeString(dir.resolve("registry.policy"), "repo \"**\" {\n  anonymous: read\n}\n");
        Path withFile = Files.writeString(dir.resolve("file.json"), """
                {"portcullis": {"policyFile": "registry.policy"}}
                """);
        assertThat(PortcullisConfig.load(withFile).build().summary()).contains("policy " + dir.resolve("registry.policy") + " sha256:");
    }

    @Test
    void aWriteThatTheDefaultRoutesLeaveUncheckedIsSaidOnceAndOnlyWhenNoRoutesWereChosen() {
        Portcullis defaults = Portcullis.builder().policy(CREATE_AND_UPDATE).build();
        assertThat(defaults.handle(TestRequest.of("GET", "/files/a"))).isInstanceOf(Outcome.Proceed.class);
        assertThat(defaults.warnedAboutUnprotectedWrite()).as("reads are not worth a warning").isFalse();
        assertThat(defaults.handle(TestRequest.of("PUT", "/files/a"))).as("still the application's").isInstanceOf(Outcome.Proceed.class);
        assertThat(defaults.warnedAboutUnprotectedWrite()).isTrue();

        Portcullis chosen = Portcullis.builder().policy(CREATE_AND_UPDATE)
                .routes(dev.portcullis.auth.routes.OciDistributionRoutes.INSTANCE).build();
        chosen.handle(TestRequest.of("DELETE", "/files/a"));
        assertThat(chosen.warnedAboutUnprotectedWrite()).as("the application said it is a registry").isFalse();
    }

    @Test
    void aPasswordThatIsNotAnApiKeyIsReportedAsSuchNotAsAnUnknownUser() {
        List<AuthEvent> events = new ArrayList<>();
        ApiKeyService keys = ApiKeyService.builder(new dev.portcullis.auth.apikey.InMemoryApiKeyStore())
                .hasher(new Argon2Hasher(256, 1, 1)).build();
        Portcullis p = Portcullis.builder().policy(CREATE_AND_UPDATE).apiKeys(keys).listener(events::add).build();
        assertThat(p.summary()).as("a store of the application's own is named, never printed: it could hold a password")
                .contains("; key store InMemoryApiKeyStore;");
        String basic = java.util.Base64.getEncoder().encodeToString("ci:my-login-password".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Outcome o = p.handle(TestRequest.of("GET", "/v2/team/app/manifests/v1", "Authorization: Basic " + basic));
        assertThat(o).isInstanceOf(Outcome.Respond.class);
        assertThat(((Outcome.Respond) o).status()).isEqualTo(401);
        assertThat(events).last().extracting(AuthEvent::reason).asString()
                .isEqualTo("Basic credentials of user 'ci': the password is not an API key of this registry (they start with 'pck_')")
                .doesNotContain("my-login-password");
    }
}
