package dev.portcullis.servlet;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.conformance.MutualTlsChecks;
import dev.portcullis.auth.conformance.TestPki;
import java.nio.file.Path;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client certificates as credentials (zot's mTLS) over real TLS, on Jetty 12 and Tomcat 11: the filter reads the container's. */
class MutualTlsTest {
    @TempDir
    Path dir;

    @Test
    void jettyPassesTheClientCertificateToTheFilter() throws Exception {
        Portcullis portcullis = MutualTlsChecks.portcullis();
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStorePath(MutualTlsChecks.serverKeyStore(dir.resolve("server.p12")).toString());
        tls.setKeyStorePassword(new String(TestPki.PASSWORD));
        tls.setKeyStoreType("PKCS12");
        tls.setTrustStorePath(MutualTlsChecks.serverTrustStore(dir.resolve("trust.p12")).toString());
        tls.setTrustStorePassword(new String(TestPki.PASSWORD));
        tls.setTrustStoreType("PKCS12");
        tls.setWantClientAuth(true);
        HttpConfiguration https = new HttpConfiguration();
        SecureRequestCustomizer customizer = new SecureRequestCustomizer();
        customizer.setSniHostCheck(false); // the client names 127.0.0.1, which SNI cannot carry
        https.addCustomizer(customizer);
        try (Containers.Running jetty = Containers.jetty(portcullis, "/", new EchoRegistryServlet(portcullis), null,
                server -> new ServerConnector(server, tls, new HttpConnectionFactory(https)))) {
            MutualTlsChecks.check(jetty.port());
        }
    }

    @Test
    void tomcatPassesTheClientCertificateToTheFilter() throws Exception {
        Portcullis portcullis = MutualTlsChecks.portcullis();
        SSLHostConfig host = new SSLHostConfig();
        host.setCertificateVerification("optional");
        host.setTruststoreFile(MutualTlsChecks.serverTrustStore(dir.resolve("trust.p12")).toString());
        host.setTruststorePassword(new String(TestPki.PASSWORD));
        host.setTruststoreType("PKCS12");
        SSLHostConfigCertificate cert = new SSLHostConfigCertificate(host, SSLHostConfigCertificate.Type.UNDEFINED);
        cert.setCertificateKeystoreFile(MutualTlsChecks.serverKeyStore(dir.resolve("server.p12")).toString());
        cert.setCertificateKeystorePassword(new String(TestPki.PASSWORD));
        cert.setCertificateKeystoreType("PKCS12");
        host.addCertificate(cert);
        try (Containers.Running tomcat = Containers.tomcat(portcullis, "/", new EchoRegistryServlet(portcullis), null, connector -> {
            connector.setSecure(true);
            connector.setScheme("https");
            connector.setProperty("SSLEnabled", "true");
            connector.addSslHostConfig(host);
        })) {
            MutualTlsChecks.check(tomcat.port());
        }
    }
}
