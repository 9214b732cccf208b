package dev.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.Argon2Hasher;
import dev.portcullis.auth.apikey.InMemoryApiKeyStore;
import dev.portcullis.policy.AccessPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The audit events' kinds, which set their log level, and the audit log's JSON line: its schema and what it never holds. */
class AuditLogTest {
    private final List<AuthEvent> events = new ArrayList<>();
    private final ApiKeyService keys = ApiKeyService.builder(new InMemoryApiKeyStore()).hasher(new Argon2Hasher(256, 1, 1)).build();
    private final Portcullis portcullis = Portcullis.builder().policy(AccessPolicy.parse("""
            repo "team/**" {
              user ci: read, create, update
              anonymous: read
            }
            """)).apiKeys(keys).listener(events::add).failureLimit(1000, java.time.Duration.ofMinutes(1)).build();

    private AuthEvent decide(String method, String path, String... headers) {
        portcullis.handle(TestRequest.of(method, path, headers));
        return events.get(events.size() - 1);
    }

    @Test
    void anAnonymousChallengeIsNotADenialAndEachOutcomeHasItsKind() {
        assertThat(decide("GET", "/v2/team/app/manifests/v1").kind()).isEqualTo(AuthEvent.Kind.ALLOWED);
        assertThat(decide("PUT", "/v2/team/app/manifests/v1").kind()).as("the first step of every client")
                .isEqualTo(AuthEvent.Kind.CHALLENGED);
        String wrong = Base64.getEncoder().encodeToString("ci:pck_AAAAAAAAAAA_wrongwrongwrongwrongwrongwrong12".getBytes(StandardCharsets.UTF_8));
        assertThat(decide("PUT", "/v2/team/app/manifests/v1", "Authorization: Basic " + wrong).kind()).isEqualTo(AuthEvent.Kind.FAILED);
        String token = keys.create(new ApiKeyService.KeyRequest("ops", List.of(), "ops", List.of(), null, "test")).token();
        assertThat(decide("PUT", "/v2/team/app/manifests/v1", "Authorization: Bearer " + token).kind()).as("ops has no right there")
                .isEqualTo(AuthEvent.Kind.DENIED);
        assertThat(AuthEvent.Kind.of(429, true)).isEqualTo(AuthEvent.Kind.THROTTLED);
        assertThat(AuthEvent.Kind.of(503, false)).isEqualTo(AuthEvent.Kind.ERROR);
        assertThat(AuthEvent.Kind.of(400, false)).isEqualTo(AuthEvent.Kind.REJECTED);
        assertThat(AuthEventListener.level(AuthEvent.Kind.CHALLENGED)).as("a challenge is routine, not an INFO deny")
                .isEqualTo(org.slf4j.event.Level.DEBUG);
        assertThat(AuthEventListener.level(AuthEvent.Kind.ALLOWED)).isEqualTo(org.slf4j.event.Level.DEBUG);
        for (AuthEvent.Kind refusal : List.of(AuthEvent.Kind.FAILED, AuthEvent.Kind.DENIED, AuthEvent.Kind.REJECTED, AuthEvent.Kind.THROTTLED)) {
            assertThat(AuthEventListener.level(refusal)).as(refusal.label()).isEqualTo(org.slf4j.event.Level.INFO);
        }
        assertThat(AuthEventListener.level(AuthEvent.Kind.ERROR)).isEqualTo(org.slf4j.event.Level.WARN);
    }

    @Test
    void theJsonLineHasTheDocumentedFieldsTheKeyIdAndNeverTheSecret() throws Exception {
        ApiKeyService.CreatedKey created = keys.create(new ApiKeyService.KeyRequest("ci", List.of(), "ci", List.of(), null, "test"));
        AuthEvent event = decide("PUT", "/v2/team/app/manifests/v1", "Authorization: Bearer " + created.token());
        String line = AuthEventListener.json(event);
        assertThat(line).doesNotContain("\n").doesNotContain(created.token())
                .doesNotContain(created.token().substring(created.token().lastIndexOf('_') + 1));
        JsonNode json = new ObjectMapper().readTree(line);
        List<String> fields = new ArrayList<>();
        json.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("time", "outcome", "status", "user", "auth", "keyId", "method", "path", "repository",
                "action", "grantedBy", "pattern", "client", "reason");
        assertThat(Instant.parse(json.get("time").asText())).isNotNull();
        assertThat(json.get("outcome").asText()).isEqualTo("allowed");
        assertThat(json.get("status").asInt()).isZero();
        assertThat(json.get("user").asText()).isEqualTo("ci");
        assertThat(json.get("auth").asText()).isEqualTo("API_KEY");
        assertThat(json.get("keyId").asText()).isEqualTo(event.keyId()).isNotBlank();
        assertThat(json.get("repository").asText()).isEqualTo("team/app");
        assertThat(json.get("action").asText()).isEqualTo("create");
        assertThat(json.get("grantedBy").asText()).isEqualTo("user");
        assertThat(json.get("pattern").asText()).isEqualTo("team/**");

        AuthEvent anonymous = decide("PUT", "/v2/team/app/manifests/v1");
        JsonNode challenged = new ObjectMapper().readTree(AuthEventListener.json(anonymous));
        assertThat(challenged.get("outcome").asText()).isEqualTo("challenged");
        assertThat(challenged.get("user").isNull()).as("absent values are null, never missing").isTrue();
    }
}
