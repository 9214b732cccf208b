package dev.portcullis.readme;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.PortcullisConfig;
import dev.portcullis.auth.TestRequest;
import dev.portcullis.auth.routes.PathRoutes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/maven-and-generic-stores.md's generic store: a path per artifact, repositories of two segments. */
class GenericStoreExampleTest {
    /** The store's files, as {@code repository:path}. */
    record FileStore(Set<String> files) {
        boolean exists(String repository, String path) {
            return files.contains(repository + ":" + path);
        }
    }

    private static String basic(String user, String password) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsNeedReadAndAPutCreatesOrUpdatesAsTheArtifactExists(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("htpasswd"), "ci:" + BCrypt.withDefaults().hashToString(4, "ci-password".toCharArray()) + "\n");
        PortcullisConfig config = PortcullisConfig.parse("""
                {
                  "http": {
                    "auth": { "htpasswd": { "path": "htpasswd" } },
                    "accessControl": {
                      "repositories": { "team/site": { "anonymousPolicy": ["read"], "policies": [{ "users": ["ci"], "actions": ["read", "create"] }] } }
                    }
                  }
                }
                """, dir);
        FileStore store = new FileStore(Set.of("team/site:guide/v1.pdf"));

        Portcullis portcullis = config.builder()
                .routes(PathRoutes.of("/files/{repo:2}/**"))                  // GET /files/team/site/guide/v1.pdf: read on team/site
                .existence((repository, path) -> store.exists(repository, path)) // PUT: update if guide/v1.pdf exists, else create
                .build();

        try (portcullis) {
            assertThat(portcullis.handle(TestRequest.of("GET", "/files/team/site/guide/v1.pdf"))).isInstanceOf(Outcome.Proceed.class);
            assertThat(portcullis.handle(TestRequest.of("PUT", "/files/team/site/guide/v2.pdf")))
                    .isInstanceOfSatisfying(Outcome.Respond.class, r -> assertThat(r.status()).isEqualTo(401));
            assertThat(portcullis.handle(TestRequest.of("PUT", "/files/team/site/guide/v2.pdf", basic("ci", "ci-password"))))
                    .as("absent: a create, which ci may do, on condition it is still absent when stored")
                    .isInstanceOfSatisfying(Outcome.Proceed.class, p -> assertThat(p.writeConditions()).singleElement()
                            .satisfies(c -> assertThat(c.target()).isEqualTo("guide/v2.pdf")));
            assertThat(portcullis.handle(TestRequest.of("PUT", "/files/team/site/guide/v1.pdf", basic("ci", "ci-password"))))
                    .as("it exists: an update, which ci may not do")
                    .isInstanceOfSatisfying(Outcome.Respond.class, r -> assertThat(r.status()).isEqualTo(403));
            assertThat(portcullis.handle(TestRequest.of("GET", "/files/team/other/guide/v1.pdf")))
                    .as("no rule for team/other").isInstanceOfSatisfying(Outcome.Respond.class, r -> assertThat(r.status()).isEqualTo(401));
        }
    }
}
