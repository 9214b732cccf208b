package dev.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** zot's live reload of the policy: a changed file takes effect for the next requests; an invalid one never does. */
class ConfigReloadTest {
    @TempDir
    Path dir;

    static String basic(String user) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":pw").getBytes(StandardCharsets.UTF_8));
    }

    private String config(String actions) {
        return """
                {"http": {"auth": {"htpasswd": {"path": "htpasswd"}},
                          "accessControl": {"repositories": {"**": {"policies": [{"users": ["alice"], "actions": [%s]}]}}}}}
                """.formatted(actions);
    }

    /** Waits (on the watcher, which checks every second) until the reloads say so. */
    private static ConfigReloads await(Portcullis p, Predicate<ConfigReloads> done) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        while (!done.test(p.reloads()) && Instant.now().isBefore(deadline)) {
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // the watcher runs on its own thread
        }
        assertThat(done.test(p.reloads())).as("the watcher saw the change: %s", p.reloads()).isTrue();
        return p.reloads();
    }

    private int status(Portcullis p, String method, String path) {
        Outcome o = p.handle(TestRequest.of(method, path, basic("alice")));
        return o instanceof Outcome.Respond r ? r.status() : 200;
    }

    @Test
    void aChangedPolicyTakesEffectAndAnInvalidOneIsRefused() throws Exception {
        Files.writeString(dir.resolve("htpasswd"), "alice:" + at.favre.lib.crypto.bcrypt.BCrypt.withDefaults().hashToString(4, "pw".toCharArray()) + "\n");
        Path file = Files.writeString(dir.resolve("config.json"), config("\"read\""));
        try (Portcullis p = PortcullisConfig.load(file).build()) {
            assertThat(status(p, "DELETE", "/v2/team/app/manifests/v1")).isEqualTo(403);

            Files.writeString(file, config("\"read\", \"delete\""));
            await(p, r -> r.applied() == 1);
            assertThat(status(p, "DELETE", "/v2/team/app/manifests/v1")).as("the new policy").isEqualTo(200);
            assertThat(p.policy().toZotJson()).contains("delete");

            Files.writeString(file, config("\"read\", \"delete\"").replace("\"policies\"", "\"polices\""));
            ConfigReloads refused = await(p, r -> r.refused() == 1);
            assertThat(refused.lastRefusal()).contains("changed and is invalid").contains("polices");
            assertThat(status(p, "DELETE", "/v2/team/app/manifests/v1")).as("the running policy stays").isEqualTo(200);

            Files.writeString(file, config("\"read\", \"create\""));
            ConfigReloads needsLookup = await(p, r -> r.refused() == 2);
            assertThat(needsLookup.lastRefusal()).as("create without update needs an existence lookup this application lacks")
                    .contains("ExistenceLookup");
            assertThat(status(p, "DELETE", "/v2/team/app/manifests/v1")).isEqualTo(200);

            Files.writeString(file, "{\"http\": {}}");
            ConfigReloads openToAll = await(p, r -> r.refused() == 3);
            assertThat(openToAll.lastRefusal()).as("no authentication and no accessControl: zot's everyone-may-do-everything")
                    .contains("no authentication and no accessControl");
            assertThat(status(p, "DELETE", "/v2/team/app/manifests/v1")).isEqualTo(200);

            Files.writeString(file, config("\"read\"").replace("\"htpasswd\": {\"path\": \"htpasswd\"}",
                    "\"htpasswd\": {\"path\": \"htpasswd\"}, \"failDelay\": 1"));
            await(p, r -> r.applied() == 2);
            assertThat(status(p, "DELETE", "/v2/team/app/manifests/v1")).as("the policy, though failDelay waits for a restart")
                    .isEqualTo(403);
        }
    }

    @Test
    void aPolicyFileIsWatchedTooAndThePageShowsTheNewRights() throws Exception {
        Files.writeString(dir.resolve("htpasswd"), "alice:" + at.favre.lib.crypto.bcrypt.BCrypt.withDefaults().hashToString(4, "pw".toCharArray()) + "\n");
        Path policy = Files.writeString(dir.resolve("registry.policy"), "repo \"team/**\" {\n  user alice: read\n}\n");
        Path file = Files.writeString(dir.resolve("config.json"), """
                {"http": {"auth": {"htpasswd": {"path": "htpasswd"}, "apikey": true}}, "portcullis": {"policyFile": "registry.policy"}}
                """);
        try (Portcullis p = PortcullisConfig.load(file).build()) {
            assertThat(new String(((Outcome.Respond) p.handle(TestRequest.of("GET", "/auth/", basic("alice")))).body(), StandardCharsets.UTF_8))
                    .doesNotContain("delete");
            Files.writeString(policy, "repo \"team/**\" {\n  user alice: read, delete\n}\n");
            await(p, r -> r.applied() == 1);
            assertThat(status(p, "DELETE", "/v2/team/app/manifests/v1")).isEqualTo(200);
            assertThat(new String(((Outcome.Respond) p.handle(TestRequest.of("GET", "/auth/", basic("alice")))).body(), StandardCharsets.UTF_8))
                    .as("the self-service page shows the new rights").contains("delete");

            Path other = Files.writeString(dir.resolve("other.policy"), "repo \"team/**\" {\n  user alice: read\n}\n");
            Files.writeString(file, Files.readString(file).replace("registry.policy", "other.policy"));
            await(p, r -> r.applied() == 2);
            assertThat(status(p, "DELETE", "/v2/team/app/manifests/v1")).isEqualTo(403);
            Files.writeString(other, "repo \"team/**\" {\n  user alice: read, delete\n}\n");
            await(p, r -> r.applied() == 3);
            assertThat(status(p, "DELETE", "/v2/team/app/manifests/v1")).as("the policy file the configuration names now is watched")
                    .isEqualTo(200);
        }
        try (Portcullis inCode = PortcullisConfig.load(file).builder().policy(dev.portcullis.policy.AccessPolicy.parse(
                "repo \"**\" {\n  anonymous: read\n}\n")).build()) {
            assertThat(inCode.reloads()).as("a policy given in code is never replaced by the file's").isEqualTo(ConfigReloads.NONE);
        }
        assertThat(Portcullis.builder().policy(dev.portcullis.policy.AccessPolicy.parse("repo \"**\" {\n  anonymous: read\n}\n")).build()
                .reloads()).as("settings from code: nothing watched").isEqualTo(ConfigReloads.NONE);
    }
}
