package dev.portcullis.servlet.readme;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.portcullis.auth.conformance.RawHttp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Objects;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The servlet embeddings of the README and docs/embedding.md, as a reader would run them, with a zot config.json in
 * which anyone may pull, {@code artifact-workloads} (ci) may push new tags but not overwrite them, and admins may do
 * everything. The storage holds {@code team/app:1.0}.
 */
class DocumentedEmbeddingTest {
    @TempDir
    Path dir;

    private Path config() throws Exception {
        Files.writeString(dir.resolve("htpasswd"), "ci:" + BCrypt.withDefaults().hashToString(4, "ci-password".toCharArray()) + "\n"
                + "ops:" + BCrypt.withDefaults().hashToString(4, "ops-password".toCharArray()) + "\n");
        return Files.writeString(dir.resolve("config.json"), """
                {
                  "http": {
                    "realm": "registry",
                    "auth": { "htpasswd": { "path": "htpasswd" } },
                    "accessControl": {
                      "groups": { "artifact-workloads": { "users": ["ci"] }, "admins": { "users": ["ops"] } },
                      "repositories": {
                        "**": { "anonymousPolicy": ["read"], "policies": [{ "groups": ["artifact-workloads"], "actions": ["read", "create"] }] }
                      },
                      "adminPolicy": { "groups": ["admins"], "actions": ["read", "create", "update", "delete"] }
                    }
                  }
                }
                """);
    }

    private static String basic(String user, String password) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** What the README's tour says of this policy: anyone pulls, ci pushes a new tag once, only an admin overwrites it. */
    private static void behavesAsTheTourSays(int port) throws Exception {
        RawHttp.Response pull = RawHttp.send(port, "GET", "/v2/team/app/manifests/1.0");
        assertThat(pull.status()).isEqualTo(200);
        assertThat(pull.body()).isEqualTo("user=anonymous");
        RawHttp.Response anonymousPush = RawHttp.send(port, "PUT", "/v2/team/app/manifests/2.0");
        assertThat(anonymousPush.status()).isEqualTo(401);
        assertThat(anonymousPush.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"http://127.0.0.1:" + port + "/auth/token\",service=\"registry\",scope=\"repository:team/app:pull,push\"");
        RawHttp.Response newTag = RawHttp.send(port, "PUT", "/v2/team/app/manifests/2.0", basic("ci", "ci-password"));
        assertThat(newTag.status()).isEqualTo(201);
        assertThat(newTag.body()).isEqualTo("user=ci");
        assertThat(RawHttp.send(port, "PUT", "/v2/team/app/manifests/1.0", basic("ci", "ci-password")).status())
                .as("1.0 exists: an update, which ci may not do").isEqualTo(403);
        assertThat(RawHttp.send(port, "PUT", "/v2/team/app/manifests/1.0", basic("ops", "ops-password")).status()).isEqualTo(201);
    }

    @Test
    void theJettyEmbeddingServesTheRegistryBehindPortcullis() throws Exception {
        config();
        try (ExampleProcess jetty = ExampleProcess.start(JettyEmbedding.class, dir)) {
            behavesAsTheTourSays(jetty.port());
        }
    }

    /** The web.xml as documented; the config's path is the one thing a test cannot take as it is. */
    @Test
    void theWebXmlDeployedOnTomcatServesTheRegistryBehindPortcullis() throws Exception {
        Path config = config();
        Path documented = Path.of(Objects.requireNonNull(getClass().getResource("/documented-webapp/WEB-INF/web.xml")).toURI());
        String webXml = Files.readString(documented);
        assertThat(webXml).contains("<param-value>/etc/registry/config.json</param-value>");
        Path webInf = Files.createDirectories(dir.resolve("webapp/WEB-INF"));
        Files.writeString(webInf.resolve("web.xml"), webXml.replace("/etc/registry/config.json", config.toString()));
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(dir.resolve("tomcat").toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("continueResponseTiming", "onRead"); // as the page says for a Connector in server.xml
        tomcat.setConnector(connector);
        tomcat.addWebapp("", dir.resolve("webapp").toString());
        try {
            tomcat.start();
            behavesAsTheTourSays(connector.getLocalPort());
        } finally {
            tomcat.stop();
            tomcat.destroy();
        }
    }
}
