package dev.portcullis.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.conformance.TestPki;
import dev.portcullis.examples.registry.RegistryServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Client certificates with the real curl and skopeo, through the example registry on both front ends serving zot's
 * {@code http.tls} (cert, key, cacert): a SPIFFE workload pushes with its certificate and skopeo's certs directory, curl
 * with {@code --cert}; another authority's certificate, an expired one and none at all push nothing.
 */
@Tag("e2e")
class RegistryMutualTlsTest {
    @TempDir
    Path dir;
    RegistryServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** A certificate and its PKCS#8 key as PEM files NAME.cert and NAME.key (skopeo's names) in {@code where}. */
    static void writePem(TestPki.Issued issued, Path where, String name) throws Exception {
        Files.createDirectories(where);
        issued.writePem(where.resolve(name + ".cert"), where.resolve(name + ".key"));
    }

    int curl(String method, Path certs, String url) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", method, "--cacert",
                certs.resolve("ca.crt").toString()));
        if (Files.exists(certs.resolve("client.cert"))) {
            command.addAll(List.of("--cert", certs.resolve("client.cert").toString(), "--key", certs.resolve("client.key").toString()));
        }
        command.add(url);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return out.matches("[1-5]\\d\\d") ? Integer.parseInt(out) : -1; // -1: no HTTP answer (curl prints 000: the handshake failed)
    }

    @ParameterizedTest
    @EnumSource(RegistryServer.Kind.class)
    void workloadsPushWithTheirCertificates(RegistryServer.Kind kind) throws Exception {
        TestPki ca = TestPki.create("Registry CA");
        TestPki other = TestPki.create("Other CA");
        writePem(ca.server(), dir.resolve("server"), "server");
        ca.writePem(dir.resolve("ca.pem"));
        Path config = Files.writeString(dir.resolve("config.json"), """
                {"http": {"tls": {"cert": "server/server.cert", "key": "server/server.key", "cacert": "ca.pem"},
                          "auth": {"mtls": {"identityAttributes": ["URI", "CommonName"], "uriSanPattern": "spiffe://example.org/workload/(.*)"}},
                          "accessControl": {"repositories": {"**": {"anonymousPolicy": ["read"],
                              "policies": [{"users": ["builder"], "actions": ["read", "create"]}]}}}}}
                """);
        server = RegistryServer.start(new RegistryServer.Options(kind, config, dir.resolve("data"), 0, "127.0.0.1", null));
        assertThat(server.startupLines().get(0)).contains("listening on https://127.0.0.1:");

        Path builder = dir.resolve("builder");
        writePem(ca.client("CN=build-host", List.of("uri:spiffe://example.org/workload/builder"), Duration.ZERO), builder, "client");
        Files.writeString(builder.resolve("ca.crt"), TestPki.pem(ca.certificate()));
        Path noCert = Files.createDirectories(dir.resolve("none"));
        Files.writeString(noCert.resolve("ca.crt"), TestPki.pem(ca.certificate()));
        Path foreign = dir.resolve("foreign");
        writePem(other.client("CN=builder", List.of("uri:spiffe://example.org/workload/builder"), Duration.ZERO), foreign, "client");
        Files.writeString(foreign.resolve("ca.crt"), TestPki.pem(ca.certificate()));
        Path expired = dir.resolve("expired");
        writePem(ca.client("CN=builder", List.of("uri:spiffe://example.org/workload/builder"), Duration.ofHours(2)), expired, "client");
        Files.writeString(expired.resolve("ca.crt"), TestPki.pem(ca.certificate()));

        Skopeo skopeo = new Skopeo(Files.createDirectories(dir.resolve("skopeo")));
        OciLayout image = OciLayout.write(dir.resolve("image"), "v1", 11, 2);
        String target = "docker://127.0.0.1:" + server.port() + "/team/app:v1";
        skopeo.copy(image.reference(), target, "--dest-cert-dir", builder.toString()).orFail();
        skopeo.copy(target, "oci:" + dir.resolve("pulled") + ":v1", "--src-cert-dir", noCert.toString(), "--src-no-creds").orFail();
        assertThat(skopeo.inspect("oci:" + dir.resolve("pulled") + ":v1").orFail().output()).contains(image.manifestDigest());

        Skopeo.Result anonymous = skopeo.copy(image.reference(), "docker://127.0.0.1:" + server.port() + "/team/app:v2", "--dest-cert-dir",
                noCert.toString());
        assertThat(anonymous.succeeded()).as("no certificate, no push: " + anonymous.output()).isFalse();
        String v2 = "https://127.0.0.1:" + server.port() + "/v2/team/app/manifests/v2";
        assertThat(curl("GET", builder, "https://127.0.0.1:" + server.port() + "/v2/team/app/manifests/v1")).isEqualTo(200);
        assertThat(curl("DELETE", builder, v2)).as("the workload may not delete").isEqualTo(403);
        assertThat(curl("DELETE", noCert, v2)).as("anonymous").isEqualTo(401);
        assertThat(curl("DELETE", foreign, v2)).as("another authority: refused in the handshake or as a credential").isIn(-1, 401);
        assertThat(curl("DELETE", expired, v2)).as("expired: refused in the handshake or as a credential").isIn(-1, 401);
    }
}
