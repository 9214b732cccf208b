package dev.portcullis.auth.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.auth.ClientCertificates;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.policy.AccessPolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What an adapter's TLS server must show for client certificates (zot's mTLS), over real TLS: the server's connector
 * asks for a client certificate (optional) and trusts two authorities, {@link #CLIENTS} and {@link #OTHER}; Portcullis
 * trusts {@link #CLIENTS} only. Run {@link #check(int)} against a server of the adapter started with {@link #portcullis()}
 * in front of {@link EchoApplication}, its key store {@link #serverKeyStore} and trust store {@link #serverTrustStore}.
 */
public final class MutualTlsChecks {
    /** The authority whose client certificates are credentials. */
    public static final TestPki CLIENTS = pki("Clients CA");
    /** Another authority, which the server's TLS layer trusts and Portcullis does not. */
    public static final TestPki OTHER = pki("Other CA");
    /** The servers' certificate, for 127.0.0.1. */
    public static final TestPki.Issued SERVER = issue(() -> CLIENTS.server());

    private MutualTlsChecks() {
    }

    private interface Issuing {
        TestPki.Issued issue() throws java.security.GeneralSecurityException;
    }

    private static TestPki pki(String name) {
        try {
            return TestPki.create(name);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static TestPki.Issued issue(Issuing i) {
        try {
            return i.issue();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The Portcullis the server runs: anyone may read, alice may push to {@code team/**}; client certificates of
     * {@link #CLIENTS} by common name, and an htpasswd-less Basic user would be refused.
     *
     * @return a new instance
     */
    public static Portcullis portcullis() {
        return Portcullis.builder().policy(AccessPolicy.parse("""
                repo "team/**" {
                  anonymous: read
                  user alice: read, create, update
                }
                """)).clientCertificates(ClientCertificates.trusting(List.of(CLIENTS.certificate())).build()).build();
    }

    /**
     * Checks the server at 127.0.0.1:{@code port} over TLS.
     *
     * @param port the server's TLS port
     * @throws Exception when a request fails
     */
    public static void check(int port) throws Exception {
        TestPki.Issued alice = CLIENTS.client("CN=alice", List.of(), Duration.ZERO);
        HttpResponse<String> pushed = send(port, CLIENTS.clientContext(alice), "PUT", null);
        assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
        assertThat(pushed.body()).as("the application sees the certificate's user").startsWith("user=alice");

        assertThat(send(port, CLIENTS.clientContext(null), "PUT", null).statusCode()).as("no certificate: anonymous").isEqualTo(401);
        assertThat(send(port, CLIENTS.clientContext(null), "GET", null).body()).startsWith("user=anonymous");

        TestPki.Issued impostor = OTHER.client("CN=alice", List.of(), Duration.ZERO);
        assertThat(send(port, CLIENTS.clientContext(impostor), "PUT", null).statusCode())
                .as("an authority the TLS layer trusts but Portcullis does not: never an identity").isEqualTo(401);
        assertThat(send(port, CLIENTS.clientContext(impostor), "GET", null).statusCode())
                .as("a certificate that is not an identity is a failed credential, not anonymous").isEqualTo(401);

        String basic = "Basic " + Base64.getEncoder().encodeToString("bob:secret".getBytes(StandardCharsets.UTF_8));
        assertThat(send(port, CLIENTS.clientContext(alice), "PUT", basic).statusCode())
                .as("credentials in the header decide, as in zot: bob's are no one's").isEqualTo(401);

        TestPki.Issued expired = CLIENTS.client("CN=alice", List.of(), Duration.ofHours(2));
        assertThatThrownBy(() -> send(port, CLIENTS.clientContext(expired), "PUT", null)).as("the TLS layer refuses an expired"
                + " certificate in the handshake").isInstanceOf(java.io.IOException.class);
    }

    private static HttpResponse<String> send(int port, javax.net.ssl.SSLContext tls, String method, @Nullable String authorization) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/v2/team/app/manifests/v1"))
                .method(method, method.equals("PUT") ? HttpRequest.BodyPublishers.ofString("{}") : HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The server's key store ({@link #SERVER}) written to a file, password {@link TestPki#PASSWORD}.
     *
     * @param file where
     * @return the file
     * @throws Exception when it cannot be written
     */
    public static java.nio.file.Path serverKeyStore(java.nio.file.Path file) throws Exception {
        return SERVER.writeKeyStore(file);
    }

    /**
     * The server's trust store: both authorities, password {@link TestPki#PASSWORD}.
     *
     * @param file where
     * @return the file
     * @throws Exception when it cannot be written
     */
    public static java.nio.file.Path serverTrustStore(java.nio.file.Path file) throws Exception {
        return TestPki.writeTrustStore(file, List.of(CLIENTS.certificate(), OTHER.certificate()));
    }
}
