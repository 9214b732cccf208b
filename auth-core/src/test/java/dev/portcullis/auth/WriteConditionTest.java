package dev.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.Outcome.WriteCondition;
import dev.portcullis.auth.routes.PathRoutes;
import dev.portcullis.policy.AccessPolicy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a write is allowed under travels to the application, whose commit checks it. */
class WriteConditionTest {
    private static final String POLICY = """
            {"repositories": {
               "**": {"anonymousPolicy": ["read", "create"], "defaultPolicy": ["read", "create"]},
               "mirror/**": {"policies": [{"users": ["syncer"], "actions": ["read", "update"]}, {"users": ["ops"], "actions": ["read", "create", "update"]}]}}}
            """;
    private final Set<String> existing = Set.of("team/app:v1", "mirror/base:latest");
    private final List<AuthEvent> events = new ArrayList<>();
    private final Portcullis portcullis = Portcullis.builder().policy(AccessPolicy.fromZotJson(POLICY)).realm("test")
            .htpasswd(htpasswd()).existence((repo, tag) -> existing.contains(repo + ":" + tag)).listener(events::add).build();

    private static java.nio.file.Path htpasswd() {
        try {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("htpasswd", "");
            file.toFile().deleteOnExit();
            String hash = at.favre.lib.crypto.bcrypt.BCrypt.withDefaults().hashToString(4, "pw".toCharArray());
            java.nio.file.Files.writeString(file, "alice:" + hash + "\nsyncer:" + hash + "\nops:" + hash + "\n");
            return file;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String basic(String user) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":pw").getBytes(StandardCharsets.UTF_8));
    }

    private Outcome.Proceed proceed(Outcome outcome) {
        assertThat(outcome).isInstanceOf(Outcome.Proceed.class);
        return (Outcome.Proceed) outcome;
    }

    @Test
    void aCreateAllowedBecauseTheTagIsAbsentMustStillFindItAbsent() {
        Outcome.Proceed p = proceed(portcullis.handle(TestRequest.of("PUT", "/v2/team/app/manifests/v2", basic("alice"))));
        assertThat(p.writeConditions()).singleElement().satisfies(c -> {
            assertThat(c.repository()).isEqualTo("team/app");
            assertThat(c.target()).isEqualTo("v2");
            assertThat(c.expect()).isEqualTo(WriteCondition.Expect.ABSENT);
            assertThat(c.holds(false)).isTrue();
            assertThat(c.holds(true)).isFalse();
        });
    }

    @Test
    void theRefusalIsTheDenialOfTheUpdateItWouldNowBeAndIsAudited() {
        WriteCondition c = proceed(portcullis.handle(TestRequest.of("PUT", "/v2/team/app/manifests/v2", basic("alice")))).writeConditions().get(0);
        int before = events.size();
        Outcome.Respond refusal = c.refusal();
        Outcome denied = portcullis.handle(TestRequest.of("PUT", "/v2/team/app/manifests/v1", basic("alice")));
        assertThat(denied).isInstanceOf(Outcome.Respond.class);
        assertThat(refusal.status()).isEqualTo(403);
        assertThat(refusal.bodyText()).isEqualTo(((Outcome.Respond) denied).bodyText());
        AuthEvent audited = events.get(before);
        assertThat(audited.status()).isEqualTo(403);
        assertThat(audited.user()).isEqualTo("alice");
        assertThat(audited.path()).isEqualTo("/v2/team/app/manifests/v2");
        assertThat(audited.reason()).startsWith("'v2' was created after the request was allowed, before it committed: Denied: user 'alice'");
    }

    @Test
    void anAnonymousCreateThatLosesIsAnsweredAsAnAnonymousUpdate() {
        WriteCondition c = proceed(portcullis.handle(TestRequest.of("PUT", "/v2/team/app/manifests/v2"))).writeConditions().get(0);
        Outcome.Respond refusal = c.refusal();
        assertThat(refusal.status()).isEqualTo(401);
        assertThat(refusal.headers()).containsEntry("WWW-Authenticate", "Basic realm=\"test\"");
    }

    @Test
    void anUpdateAllowedBecauseTheTagExistsMustStillFindItThere() {
        Outcome.Proceed p = proceed(portcullis.handle(TestRequest.of("PUT", "/v2/mirror/base/manifests/latest", basic("syncer"))));
        assertThat(p.writeConditions()).singleElement().satisfies(c -> assertThat(c.expect()).isEqualTo(WriteCondition.Expect.PRESENT));
        assertThat(p.writeConditions().get(0).refusal().bodyText()).contains("may not create 'mirror/base'");
    }

    @Test
    void aCallerWhoMayBothCreateAndUpdateWritesUnconditionally() {
        assertThat(proceed(portcullis.handle(TestRequest.of("PUT", "/v2/mirror/base/manifests/new", basic("ops")))).writeConditions()).isEmpty();
        assertThat(proceed(portcullis.handle(TestRequest.of("PUT", "/v2/mirror/base/manifests/latest", basic("ops")))).writeConditions()).isEmpty();
        assertThat(proceed(portcullis.handle(TestRequest.of("GET", "/v2/team/app/manifests/v1"))).writeConditions()).isEmpty();
    }

    @Test
    void everyTagOfAPushByDigestCarriesItsOwnCondition() {
        String digest = "sha256:" + "a".repeat(64);
        Outcome.Proceed p = proceed(portcullis.handle(TestRequest.of("PUT", "/v2/team/app/manifests/" + digest + "?tag=v2&tag=v3", basic("alice"))));
        assertThat(p.writeConditions()).extracting(WriteCondition::target).containsExactly("v2", "v3");
    }

    @Test
    void aGenericStoresArtifactWriteCarriesItsPathAsTheTarget() {
        Portcullis generic = Portcullis.builder().policy(AccessPolicy.fromZotJson(POLICY)).htpasswd(htpasswd())
                .routes(PathRoutes.of("/files/{repo}/**")).existence((repo, path) -> false).build();
        Outcome.Proceed p = proceed(generic.handle(TestRequest.of("PUT", "/files/docs/guide/v1.pdf", basic("alice"))));
        assertThat(p.writeConditions()).singleElement().satisfies(c -> {
            assertThat(c.repository()).isEqualTo("docs");
            assertThat(c.target()).isEqualTo("guide/v1.pdf");
        });
    }

    @Test
    void aMetadataWriteByACallerWhoMayOnlyCreateMustOnlyAddAndOneWhoMayUpdateWritesFreely() {
        Portcullis maven = Portcullis.builder().policy(AccessPolicy.fromZotJson(POLICY)).htpasswd(htpasswd())
                .routes(dev.portcullis.auth.routes.MavenRoutes.under("/maven")).existence((repo, path) -> false).build();
        String metadata = "/maven/mirror/org/acme/app/maven-metadata.xml";
        Outcome.Proceed created = proceed(maven.handle(TestRequest.of("PUT", "/maven/team/org/acme/app/maven-metadata.xml", basic("alice"))));
        assertThat(created.writeConditions()).singleElement().satisfies(c -> {
            assertThat(c.repository()).isEqualTo("team/org/acme/app");
            assertThat(c.target()).isEqualTo("team/org/acme/app/maven-metadata.xml");
            assertThat(c.expect()).isEqualTo(WriteCondition.Expect.ONLY_ADDS);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.holds(true)).as("existence cannot judge it: fail closed")
                    .isInstanceOf(IllegalStateException.class);
            assertThat(c.refusal().bodyText()).contains("may not update 'team/org/acme/app'");
        });
        assertThat(proceed(maven.handle(TestRequest.of("PUT", metadata, basic("ops")))).writeConditions()).isEmpty();
        assertThat(proceed(maven.handle(TestRequest.of("PUT", metadata, basic("syncer")))).writeConditions()).as("update alone").isEmpty();
        Outcome denied = maven.handle(TestRequest.of("PUT", metadata, basic("alice")));
        assertThat(denied).isInstanceOfSatisfying(Outcome.Respond.class, r -> {
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.bodyText()).contains("may not create 'mirror/org/acme/app'");
        });
    }

    /** zot's detectManifestCollision reaches the application for the DELETEs it applies to, never for an admin. */
    @Test
    void theBehavioursOfTheCallerOnTheRepositoryTravelWithADelete() {
        Portcullis p = Portcullis.builder().policy(AccessPolicy.fromZotJson("""
                {"repositories": {"**": {"policies": [{"users": ["alice"], "actions": ["read", "delete", "detectManifestCollision"]}]}},
                 "adminPolicy": {"users": ["ops"], "actions": ["read", "delete"]}}
                """)).htpasswd(htpasswd()).build();
        assertThat(proceed(p.handle(TestRequest.of("DELETE", "/v2/team/app/manifests/sha256:" + "a".repeat(64), basic("alice"))))
                .behaviours()).containsExactly(dev.portcullis.policy.Behaviour.DETECT_MANIFEST_COLLISION);
        assertThat(proceed(p.handle(TestRequest.of("GET", "/v2/team/app/manifests/v1", basic("alice")))).behaviours())
                .as("zot asks only when deleting").isEmpty();
        assertThat(proceed(p.handle(TestRequest.of("DELETE", "/v2/team/app/manifests/v1", basic("ops")))).behaviours())
                .as("never for admins").isEmpty();
    }
}
