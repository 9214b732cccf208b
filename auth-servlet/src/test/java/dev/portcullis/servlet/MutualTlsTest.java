package dev.portcullis.servlet;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.conformance.MutualTlsChecks;
import dev.portcullis.auth.conformance.TestPki;
import jakarta.servlet.DispatcherType;
import java.nio.file.Path;
import java.util.EnumSet;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
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
        Server server = new Server();
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
        ServerConnector connector = new ServerConnector(server, tls, new HttpConnectionFactory(https));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        FilterHolder filter = new FilterHolder(new PortcullisFilter(portcullis));
        filter.setAsyncSupported(true);
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new EchoRegistryServlet(portcullis)), "/*");
        server.setHandler(context);
        server.start();
        try {
            MutualTlsChecks.check(connector.getLocalPort());
        } finally {
            server.stop();
        }
    }

    @Test
    void tomcatPassesTheClientCertificateToTheFilter() throws Exception {
        Portcullis portcullis = MutualTlsChecks.portcullis();
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(dir.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setSecure(true);
        connector.setScheme("https");
        connector.setProperty("SSLEnabled", "true");
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
        connector.addSslHostConfig(host);
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", dir.toString());
        FilterDef def = new FilterDef();
        def.setFilterName("portcullis");
        def.setFilter(new PortcullisFilter(portcullis));
        def.setAsyncSupported("true");
        context.addFilterDef(def);
        FilterMap map = new FilterMap();
        map.setFilterName("portcullis");
        map.addURLPattern("/*");
        context.addFilterMap(map);
        Tomcat.addServlet(context, "registry", new EchoRegistryServlet(portcullis)).setAsyncSupported(true);
        context.addServletMappingDecoded("/", "registry");
        tomcat.start();
        try {
            MutualTlsChecks.check(connector.getLocalPort());
        } finally {
            tomcat.stop();
            tomcat.destroy();
        }
    }
}
