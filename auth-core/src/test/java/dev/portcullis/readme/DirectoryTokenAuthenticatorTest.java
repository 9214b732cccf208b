package dev.portcullis.readme;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.portcullis.auth.AuthEvent;
import dev.portcullis.auth.Identity;
import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.PortcullisConfig;
import dev.portcullis.auth.TestRequest;
import dev.portcullis.policy.AccessPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "Writing an authenticator" example, outside Portcullis's packages, through its public API only. */
class DirectoryTokenAuthenticatorTest {
    private final Map<String, Identity> tokens = Map.of("dir_builder", DirectoryTokenAuthenticator.user("builder", List.of("builders")));
    private final AtomicInteger lookups = new AtomicInteger();
    private final AtomicBoolean down = new AtomicBoolean();
    private final List<AuthEvent> events = new CopyOnWriteArrayList<>();
    private Portcullis portcullis;

    @BeforeEach
    void pipeline(@TempDir Path dir) throws IOException {
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"),
                "ops:" + BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, "ops-password".toCharArray()) + "\n");
        DirectoryTokenAuthenticator.Directory directory = token -> {
            lookups.incrementAndGet();
            if (down.get()) {
                throw new IOException("connection refused");
            }
            return Optional.ofNullable(tokens.get(token));
        };
        portcullis = Portcullis.builder()
                .policy(AccessPolicy.parse("""
                        repo "team/**" {
                          group builders: read, create
                          user ops: read
                        }
                        """))
                .htpasswd(htpasswd)
                .authenticator(new DirectoryTokenAuthenticator(directory))
                .existence((repository, tag) -> false) // builders may create but not update: pushes ask whether a tag exists
                .listener(events::add)
                .build();
    }

    @Test
    void aDirectoryTokenIsAskedOnceThenDecidedWithoutBlocking() {
        TestRequest push = TestRequest.of("PUT", "/v2/team/app/blobs/uploads/", "Authorization: Bearer dir_builder");
        assertThat(portcullis.handleWithoutBlocking(push)).as("the first time, the directory must be asked").isEmpty();
        assertThat(portcullis.handle(push)).isInstanceOfSatisfying(Outcome.Proceed.class,
                p -> assertThat(p.identity()).isEqualTo(DirectoryTokenAuthenticator.user("builder", List.of("builders"))));
        assertThat(portcullis.handleWithoutBlocking(push)).get().isInstanceOf(Outcome.Proceed.class);
        assertThat(lookups).hasValue(1);
        assertThat(events).last().satisfies(e -> assertThat(e.authMethod()).isEqualTo(Identity.AuthMethod.OTHER));
    }

    @Test
    void thePolicyDecidesForTheDirectoryUser() {
        Outcome delete = portcullis.handle(TestRequest.of("DELETE", "/v2/team/app/manifests/v1", "Authorization: Bearer dir_builder"));
        assertThat(delete).isInstanceOfSatisfying(Outcome.Respond.class, r -> assertThat(r.status()).isEqualTo(403));
    }

    @Test
    void anUnknownTokenIs401AndAnUnreachableDirectory503() {
        Outcome unknown = portcullis.handle(TestRequest.of("GET", "/v2/team/app/tags/list", "Authorization: Bearer dir_stranger"));
        assertThat(unknown).isInstanceOfSatisfying(Outcome.Respond.class, r -> assertThat(r.status()).isEqualTo(401));
        assertThat(events).last().satisfies(e -> assertThat(e.reason()).isEqualTo("unknown directory token"));
        down.set(true);
        Outcome unavailable = portcullis.handle(TestRequest.of("GET", "/v2/team/app/tags/list", "Authorization: Bearer dir_other"));
        assertThat(unavailable).isInstanceOfSatisfying(Outcome.Respond.class, r -> assertThat(r.status()).isEqualTo(503));
    }

    @Test
    void otherCredentialsAreLeftToTheOtherAuthenticators() {
        Outcome ops = portcullis.handle(TestRequest.of("GET", "/v2/team/app/tags/list",
                "Authorization: Basic " + java.util.Base64.getEncoder().encodeToString("ops:ops-password".getBytes())));
        assertThat(ops).isInstanceOfSatisfying(Outcome.Proceed.class, p -> assertThat(p.identity().name()).isEqualTo("ops"));
        assertThat(lookups).hasValue(0);
    }

    /** Your token service, as docs/extending.md's example calls it. */
    record TokenService(Map<String, Identity> tokens) {
        Optional<Identity> lookUp(String token) throws IOException {
            return Optional.ofNullable(tokens.get(token));
        }
    }

    /**
     * docs/extending.md's example of adding the authenticator, as a program run in a directory holding config.json: it
     * pushes with each token it is given and prints what the pipeline answered.
     */
    public static final class AddedToTheConfiguredPipeline {
        public static void main(String[] args) throws Exception {
            TokenService tokenService = new TokenService(Map.of("dir_builder", DirectoryTokenAuthenticator.user("builder", List.of("builders"))));
            Portcullis portcullis = PortcullisConfig.load(Path.of("config.json")).builder()
                    .authenticator(new DirectoryTokenAuthenticator(token -> tokenService.lookUp(token)))
                    .build();
            try (portcullis) {
                for (String token : args) {
                    Outcome push = portcullis.handle(TestRequest.of("PUT", "/v2/team/app/manifests/v1", "Authorization: Bearer " + token));
                    System.out.println(token + ": " + (push instanceof Outcome.Proceed p ? "proceed as " + p.identity().name()
                            : "status " + ((Outcome.Respond) push).status()));
                }
            }
        }
    }

    @Test
    void addedToAConfiguredPipelineItsUsersAreDecidedByTheConfiguredPolicy(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), """
                {
                  "http": {
                    "realm": "registry",
                    "accessControl": {
                      "repositories": { "team/**": { "policies": [{ "groups": ["builders"], "actions": ["read", "create", "update"] }] } }
                    }
                  }
                }
                """);
        ExampleProcess.Result run = ExampleProcess.run(AddedToTheConfiguredPipeline.class, dir, "dir_builder", "dir_stranger", "not-a-directory-token");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output().lines().filter(l -> l.matches("\\S+: (proceed as|status) .*"))).as(run.output())
                .containsExactly("dir_builder: proceed as builder", "dir_stranger: status 401", "not-a-directory-token: status 401");
    }
}
