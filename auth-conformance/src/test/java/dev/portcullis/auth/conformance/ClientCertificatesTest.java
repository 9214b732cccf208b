package dev.portcullis.auth.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.auth.ClientCertificates;
import dev.portcullis.auth.ClientCertificates.Attribute;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** zot's mTLS identities from client certificates, and what never is one. */
class ClientCertificatesTest {
    static final TestPki CA = MutualTlsChecks.CLIENTS;
    static final TestPki OTHER = MutualTlsChecks.OTHER;

    static List<java.security.cert.X509Certificate> chain(TestPki.Issued issued) {
        return List.of(issued.certificate());
    }

    @Test
    void theCommonNameByDefaultAndZotsOtherAttributesInTheirOrder(@TempDir Path dir) throws Exception {
        ClientCertificates byName = ClientCertificates.trusting(CA.writePem(dir.resolve("ca.pem"))).build();
        TestPki.Issued alice = CA.client("CN=alice,O=Example", List.of("email:a@example.org", "email:alice@example.org",
                "dns:build.example.org", "uri:spiffe://example.org/workload/builder"), Duration.ZERO);
        assertThat(byName.identify(chain(alice)).user()).isEqualTo("alice");

        ClientCertificates spiffe = ClientCertificates.trusting(List.of(CA.certificate()))
                .identityAttributes(List.of(Attribute.URI, Attribute.COMMON_NAME)).uriPattern("spiffe://example.org/workload/(.*)").build();
        assertThat(spiffe.identify(chain(alice)).user()).isEqualTo("builder");
        TestPki.Issued noUri = CA.client("CN=bob", List.of(), Duration.ZERO);
        assertThat(spiffe.identify(chain(noUri)).user()).as("no URI: the next attribute").isEqualTo("bob");
        TestPki.Issued otherTrust = CA.client("O=Example", List.of("uri:spiffe://elsewhere.org/workload/x"), Duration.ZERO);
        ClientCertificates.Result none = spiffe.identify(chain(otherTrust));
        assertThat(none.user()).as("the pattern does not match, and there is no common name").isNull();
        assertThat(none.reason()).contains("has none of the identity attributes [URI, COMMON_NAME]");

        assertThat(ClientCertificates.trusting(List.of(CA.certificate())).identityAttributes(List.of(Attribute.EMAIL)).indices(0, 0, 1).build()
                .identify(chain(alice)).user()).as("the second email").isEqualTo("alice@example.org");
        assertThat(ClientCertificates.trusting(List.of(CA.certificate())).identityAttributes(List.of(Attribute.DNS_NAME)).build()
                .identify(chain(alice)).user()).isEqualTo("build.example.org");
        assertThat(ClientCertificates.trusting(List.of(CA.certificate())).identityAttributes(List.of(Attribute.SUBJECT)).build()
                .identify(chain(alice)).user()).as("RFC 2253, as zot writes a subject: the last RDN first").isEqualTo("O=Example,CN=alice");
    }

    @Test
    void anotherAuthoritysOrAnExpiredCertificateIsNeverAnIdentity() throws Exception {
        ClientCertificates certs = ClientCertificates.trusting(List.of(CA.certificate())).build();
        ClientCertificates.Result foreign = certs.identify(chain(OTHER.client("CN=alice", List.of(), Duration.ZERO)));
        assertThat(foreign.user()).isNull();
        assertThat(foreign.reason()).startsWith("client certificate 'CN=alice' is not valid here");
        ClientCertificates.Result expired = certs.identify(chain(CA.client("CN=alice", List.of(), Duration.ofHours(1))));
        assertThat(expired.user()).isNull();
        assertThat(expired.reason()).contains("expired");
        TestPki.Issued selfSigned = OTHER.client("CN=Clients CA", List.of(), Duration.ZERO);
        assertThat(certs.identify(chain(selfSigned)).user()).as("a name like the authority's is not the authority").isNull();
        assertThat(certs.identify(List.of()).user()).isNull();
        ClientCertificates.Result server = certs.identify(chain(CA.server()));
        assertThat(server.user()).as("a server certificate of the same authority").isNull();
        assertThat(server.reason()).contains("is not for client authentication");
    }

    @Test
    void settingsThatCannotWorkAreRefusedSayingWhy(@TempDir Path dir) {
        assertThat(Attribute.parse("commonName")).isEqualTo(Attribute.COMMON_NAME);
        assertThat(Attribute.parse("DNSName")).isEqualTo(Attribute.DNS_NAME);
        assertThat(Attribute.parse("rfc822Name")).isEqualTo(Attribute.EMAIL);
        assertThatThrownBy(() -> Attribute.parse("Serial")).hasMessage("unknown identity attribute 'Serial'; use CommonName, Subject, Email,"
                + " URI or DNSName");
        assertThatThrownBy(() -> ClientCertificates.trusting(List.of(CA.certificate())).uriPattern("spiffe://example.org/.*"))
                .hasMessageContaining("has no group");
        assertThatThrownBy(() -> ClientCertificates.trusting(dir.resolve("missing.pem"))).hasMessageContaining("does not exist");
    }

    @Test
    void zotsMtlsConfigurationLoads(@TempDir Path dir) throws Exception {
        CA.writePem(dir.resolve("ca.pem"));
        dev.portcullis.auth.PortcullisConfig config = dev.portcullis.auth.PortcullisConfig.parse("""
                {"http": {"tls": {"cert": "server.pem", "key": "server.key", "cacert": "ca.pem"},
                          "auth": {"mtls": {"identityAttributes": ["URI", "CommonName"], "uriSanPattern": "spiffe://example.org/workload/(.*)"}},
                          "accessControl": {"repositories": {"**": {"policies": [{"users": ["builder"], "actions": ["read"]}]}}}}}
                """, dir);
        assertThat(config.warnings()).containsExactly("http.tls.cert and key are ignored: TLS is the servlet container's or Netty's job;"
                + " http.tls.cacert is read, and the container must ask clients for certificates (wantClientAuth)");
        try (dev.portcullis.auth.Portcullis p = config.build()) {
            assertThat(p.summary()).contains(", TLS client certificates;");
        }
        assertThatThrownBy(() -> dev.portcullis.auth.PortcullisConfig.parse("""
                {"http": {"tls": {"cacert": "ca.pem"}, "auth": {"mtls": {"identityAttributes": ["Serial"]}}}}
                """, dir)).hasMessage("http.auth.mtls: unknown identity attribute 'Serial'; use CommonName, Subject, Email, URI or DNSName");
    }
}
