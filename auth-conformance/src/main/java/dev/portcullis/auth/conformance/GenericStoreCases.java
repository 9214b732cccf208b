package dev.portcullis.auth.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.routes.MavenRoutes;
import dev.portcullis.auth.routes.PathRoutes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * A generic store ({@code PathRoutes.of("/files/{repo:2}/**")}) and a Maven repository ({@code MavenRoutes.under("/maven")})
 * behind the adapter: the same policy, the same create-but-not-update promise at commit, and Maven's metadata rule.
 */
abstract class GenericStoreCases extends DeploymentCases {
    private static final String APP = "/maven/releases/org/acme/app/";

    private RawHttp.Response put(String target, String credentials, String content) throws Exception {
        return RawHttp.send(port, "PUT", target, credentials.isEmpty() ? List.of() : List.of(credentials), content.getBytes(StandardCharsets.UTF_8));
    }

    private static String metadata(String... versions) {
        StringBuilder v = new StringBuilder();
        for (String s : versions) {
            v.append("<version>").append(s).append("</version>");
        }
        return "<metadata><groupId>org.acme</groupId><artifactId>app</artifactId><versioning><versions>" + v + "</versions></versioning></metadata>";
    }

    @Test
    void aGenericStoreIsReadByAnyoneAndWrittenOnceByCi() throws Exception {
        serve(b -> b.routes(PathRoutes.of("/files/{repo:2}/**")));
        String file = "/files/team/site/guide/v1.pdf";
        assertThat(get(file).status()).as("anonymous read").isEqualTo(200);
        assertUnauthorized(put(file, "", "anonymous"));
        assertThat(put(file, basic("ci", ciKey), "first").status()).isEqualTo(201);
        assertThat(put(file, basic("ci", ciKey), "second").status()).as("create, not update").isEqualTo(403);
        assertThat(tags().file(file)).contains("first");
        assertThat(put(file, basic("ops", "ops-password"), "fixed").status()).as("an admin updates").isEqualTo(201);
        assertThat(tags().file(file)).contains("fixed");
        assertUnauthorized(get("/files/infra/dns/zone.txt"));
        assertThat(get("/files/infra/dns/zone.txt", basic("alice", "alice-password")).status()).isEqualTo(200);
        assertThat(get("/files/team").status()).as("a repository needs two segments").isEqualTo(404);
        assertThat(get("/files/team%2Fsite/x").status()).as("an encoded separator").isEqualTo(400);
        assertThat(get("/v2/team/app/manifests/latest").status()).as("outside the routes").isEqualTo(200);
    }

    @Test
    void aSlowCreateOnlyWriteToAGenericStoreLosesTheRaceToAFilePublishedMeanwhile() throws Exception {
        serve(b -> b.routes(PathRoutes.of("/files/{repo:2}/**")));
        String target = "/files/team/site/race.txt";
        try (RawHttp.Conversation slow = new RawHttp.Conversation(port)) {
            slow.write("PUT " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + basic("ci", ciKey) + "\r\nContent-Length: 10\r\n\r\nfrom-");
            awaitEvent(e -> target.equals(e.path()) && "ci".equals(e.user()) && e.status() == 0);
            assertThat(put(target, basic("ops", "ops-password"), "from-admin").status()).isEqualTo(201);
            slow.write("ci!!!");
            RawHttp.Response lost = Objects.requireNonNull(slow.next(), "the server closed the connection without an answer");
            assertThat(lost.status()).isEqualTo(403);
            assertThat(lost.body()).contains("user 'ci' may not update 'team/site'");
        }
        assertThat(tags().file(target)).contains("from-admin");
    }

    @Test
    void aMavenDeployAddsVersionsAndNeverRewritesAReleaseOrDropsOne() throws Exception {
        serve(b -> b.routes(MavenRoutes.under("/maven")));
        String ci = basic("ci", ciKey);
        assertThat(get(APP + "1.0/app-1.0.jar").status()).as("anonymous read").isEqualTo(200);
        assertUnauthorized(put(APP + "1.0/app-1.0.jar", "", "anonymous"));
        assertThat(put(APP + "1.0/app-1.0.jar", ci, "jar 1.0").status()).isEqualTo(201);
        assertThat(put(APP + "maven-metadata.xml", ci, metadata("1.0")).status()).isEqualTo(201);
        assertThat(put(APP + "1.1/app-1.1.jar", ci, "jar 1.1").status()).isEqualTo(201);
        assertThat(put(APP + "maven-metadata.xml", ci, metadata("1.0", "1.1")).status()).as("adds 1.1").isEqualTo(201);
        assertThat(put(APP + "1.0/app-1.0.jar", ci, "evil").status()).as("a release redeployed").isEqualTo(403);
        RawHttp.Response dropped = put(APP + "maven-metadata.xml", ci, metadata("1.1"));
        assertThat(dropped.status()).as("metadata without 1.0").isEqualTo(403);
        assertThat(dropped.body()).contains("user 'ci' may not update 'releases/org/acme/app'");
        assertThat(tags().file(APP + "1.0/app-1.0.jar")).contains("jar 1.0");
        assertThat(tags().file(APP + "maven-metadata.xml")).contains(metadata("1.0", "1.1"));
        assertThat(put(APP + "maven-metadata.xml", basic("ops", "ops-password"), metadata("1.1")).status()).as("an admin rewrites").isEqualTo(201);
        assertThat(send("PUT", APP + "1.0/other-1.0.jar", basic("ops", "ops-password")).status()).as("not the layout").isEqualTo(400);
        assertThat(get("/maven/releases/org/acme/app/1.0/.hidden").status()).isEqualTo(400);
        assertThat(send("POST", APP + "1.0/app-1.0.jar", ci).status()).isEqualTo(405);
    }
}
