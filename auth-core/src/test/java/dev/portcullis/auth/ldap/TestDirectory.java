package dev.portcullis.auth.ldap;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSimpleBindRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.util.ssl.KeyStoreKeyManager;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;
import com.unboundid.util.ssl.cert.ManageCertificates;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real LDAP server for tests: UnboundID's in-memory directory over TCP on 127.0.0.1 (plain, StartTLS and LDAPS
 * listeners, the TLS ones with a certificate for 127.0.0.1 and localhost made here), with users alice (groups devs and
 * ops), bob (no group), two entries named twin, a locked carol, and a service account. It counts the binds as users and
 * keeps the filters it was sent.
 */
final class TestDirectory implements AutoCloseable {
    static final String BASE = "ou=Users,dc=example,dc=org";
    static final String SERVICE_DN = "cn=registry,dc=example,dc=org";
    static final String SERVICE_PASSWORD = "service-secret";

    final InMemoryDirectoryServer server;
    final Path caCertificate;
    final AtomicInteger userBinds = new AtomicInteger();
    final List<String> filters = new CopyOnWriteArrayList<>();

    TestDirectory(Path dir) throws Exception {
        Path keystore = dir.resolve("ldap.p12");
        caCertificate = dir.resolve("ldap-ca.pem");
        int made = ManageCertificates.main((java.io.InputStream) null, null, null, "generate-self-signed-certificate", "--keystore", keystore.toString(),
                "--keystore-password", "changeit", "--keystore-type", "PKCS12", "--alias", "server", "--subject-dn", "CN=localhost",
                "--subject-alternative-name-dns", "localhost", "--subject-alternative-name-ip-address", "127.0.0.1", "--key-algorithm",
                "RSA", "--key-size-bits", "2048").intValue();
        int exported = ManageCertificates.main((java.io.InputStream) null, null, null, "export-certificate", "--keystore", keystore.toString(), "--keystore-password",
                "changeit", "--alias", "server", "--output-format", "PEM", "--output-file", caCertificate.toString()).intValue();
        if (made != 0 || exported != 0) {
            throw new IllegalStateException("could not make the test directory's certificate");
        }
        SSLUtil serverSsl = new SSLUtil(new KeyStoreKeyManager(keystore.toFile(), "changeit".toCharArray(), "PKCS12", "server"), null);
        SSLUtil clientSsl = new SSLUtil(new TrustAllTrustManager()); // the server's own outgoing side: unused
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig("dc=example,dc=org");
        config.setListenerConfigs(
                // a port of its own, so that the server comes back where it was after down()
                InMemoryListenerConfig.createLDAPConfig("plain", loopback, freePort(loopback), serverSsl.createSSLSocketFactory()),
                InMemoryListenerConfig.createLDAPSConfig("ldaps", loopback, 0, serverSsl.createSSLServerSocketFactory(),
                        clientSsl.createSSLSocketFactory()));
        config.addAdditionalBindCredentials(SERVICE_DN, SERVICE_PASSWORD);
        config.setAuthenticationRequiredOperationTypes(java.util.EnumSet.of(com.unboundid.ldap.sdk.OperationType.SEARCH));
        config.addInMemoryOperationInterceptor(new InMemoryOperationInterceptor() {
            @Override
            public void processSimpleBindRequest(InMemoryInterceptedSimpleBindRequest request) {
                if (request.getRequest().getBindDN().endsWith(BASE)) {
                    userBinds.incrementAndGet();
                }
            }

            @Override
            public void processSearchRequest(InMemoryInterceptedSearchRequest request) {
                filters.add(request.getRequest().getFilter().toString());
            }
        });
        config.setSchema(null); // any attribute, as a test needs
        server = new InMemoryDirectoryServer(config);
        server.add("dn: dc=example,dc=org", "objectClass: top", "objectClass: domain", "dc: example");
        server.add("dn: " + BASE, "objectClass: organizationalUnit", "ou: Users");
        user("alice", "alice-password", "memberOf: cn=devs,ou=Groups,dc=example,dc=org", "memberOf: cn=ops,ou=Groups,dc=example,dc=org");
        user("bob", "bob-password");
        user("carol", "carol-password", "nsaccountlock: TRUE");
        user("*", "star-password");
        server.add("dn: cn=twin1," + BASE, "objectClass: inetOrgPerson", "uid: twin", "cn: twin1", "sn: t", "userPassword: twin-password");
        server.add("dn: cn=twin2," + BASE, "objectClass: inetOrgPerson", "uid: twin", "cn: twin2", "sn: t", "userPassword: twin-password");
        server.startListening();
    }

    private static int freePort(InetAddress address) throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, address)) {
            return s.getLocalPort();
        }
    }

    private void user(String uid, String password, String... more) throws Exception {
        String dn = "cn=" + (uid.equals("*") ? "star" : uid) + "," + BASE;
        String[] lines = new String[6 + more.length];
        lines[0] = "dn: " + dn;
        lines[1] = "objectClass: inetOrgPerson";
        lines[2] = "uid: " + uid;
        lines[3] = "cn: " + uid;
        lines[4] = "sn: " + uid;
        lines[5] = "userPassword: " + password;
        System.arraycopy(more, 0, lines, 6, more.length);
        server.add(lines);
    }

    int plainPort() {
        return server.getListenPort("plain");
    }

    int ldapsPort() {
        return server.getListenPort("ldaps");
    }

    /** A directory of this server over plain LDAP, as the service account; the other settings are the defaults. */
    LdapDirectory.Builder plain() {
        return LdapDirectory.builder("127.0.0.1", plainPort()).insecure().baseDn(BASE).userGroupAttribute("memberOf")
                .serviceAccount(SERVICE_DN, SERVICE_PASSWORD);
    }

    /** Stops listening and closes every connection, as a directory that went away. */
    void down() {
        server.shutDown(true);
    }

    void up() throws LDAPException {
        server.startListening();
    }

    @Override
    public void close() {
        server.shutDown(true);
    }
}
