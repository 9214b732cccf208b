package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.conformance.RawHttp;
import dev.portcullis.policy.AccessPolicy;
import jakarta.servlet.DispatcherType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/**
 * The registry in a context of its own ({@code /app}): the filter decides on the path the application sees, and a URI
 * that reaches the context without beginning with its path as written (Jetty picks the context by the decoded,
 * normalised path) is refused, never decided as a path outside the registry API.
 */
class ContextPathTest {
    private final Portcullis portcullis = Portcullis.builder().policy(AccessPolicy.parse("""
            repo "**" {
              anonymous: read
            }
            """)).existence((repo, tag) -> false).listener(e -> { }).build();

    @Test
    void jetty() throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/app");
        context.addFilter(new FilterHolder(new PortcullisFilter(portcullis)), "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new EchoRegistryServlet(portcullis)), "/*");
        server.setHandler(context);
        server.start();
        try {
            int port = connector.getLocalPort();
            assertDecidedWithinTheContext(port);
            assertThat(RawHttp.send(port, "PUT", "/%61pp/v2/team/app/manifests/x").status())
                    .as("the context path percent-encoded").isEqualTo(400);
            assertThat(RawHttp.send(port, "PUT", "/%2561pp/v2/team/app/manifests/x").status())
                    .as("encoded twice: no such context").isBetween(400, 499);
        } finally {
            server.stop();
        }
    }

    @Test
    void tomcat() throws Exception {
        Path base = Files.createTempDirectory("tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("continueResponseTiming", "onRead"); // 100 Continue only when the body is read: after an allow
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("/app", base.toString());
        FilterDef def = new FilterDef();
        def.setFilterName("portcullis");
        def.setFilter(new PortcullisFilter(portcullis));
        context.addFilterDef(def);
        FilterMap map = new FilterMap();
        map.setFilterName("portcullis");
        map.addURLPattern("/*");
        context.addFilterMap(map);
        Tomcat.addServlet(context, "registry", new EchoRegistryServlet(portcullis));
        context.addServletMappingDecoded("/", "registry");
        tomcat.start();
        try {
            int port = connector.getLocalPort();
            assertDecidedWithinTheContext(port);
            // Tomcat reports the context path as written, so the filter sees the path the application sees
            assertThat(RawHttp.send(port, "PUT", "/%61pp/v2/team/app/manifests/x").status())
                    .as("the context path percent-encoded").isEqualTo(401);
        } finally {
            tomcat.stop();
            tomcat.destroy();
        }
    }

    private static void assertDecidedWithinTheContext(int port) throws Exception {
        RawHttp.Response read = RawHttp.send(port, "GET", "/app/v2/team/app/manifests/x");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body()).startsWith("user=anonymous");
        assertThat(RawHttp.send(port, "PUT", "/app/v2/team/app/manifests/x").status()).isEqualTo(401);
        for (String elsewhere : List.of("/x/../app/v2/team/app/manifests/x", "/app/./v2/team/app/manifests/x", "/app//v2/team/app/manifests/x")) {
            assertThat(RawHttp.send(port, "PUT", elsewhere).status()).as(elsewhere).isBetween(400, 499);
        }
    }
}
