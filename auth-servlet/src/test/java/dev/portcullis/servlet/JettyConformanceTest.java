package dev.portcullis.servlet;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.conformance.HttpConformanceSuite;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** The conformance suite on Jetty 12 (ee10). */
class JettyConformanceTest extends HttpConformanceSuite {
    private Server server;

    @Override
    protected int start(Portcullis portcullis) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        FilterHolder filter = new FilterHolder(new PortcullisFilter(portcullis));
        filter.setAsyncSupported(true);
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        ServletHolder servlet = new ServletHolder(new EchoRegistryServlet(portcullis));
        servlet.setAsyncSupported(true);
        context.addServlet(servlet, "/*");
        server.setHandler(context);
        server.start();
        return connector.getLocalPort();
    }

    /** Jetty 12's RFC 9110 compliance mode refuses these itself, before the filter runs. */
    @Override
    protected Map<String, Integer> containerAnswers() {
        return Map.of("obs-fold", 400, "bare-cr", 400, "cl-te", 400, "nul", 400);
    }

    @Override
    protected void stop() throws Exception {
        server.stop();
    }
}
