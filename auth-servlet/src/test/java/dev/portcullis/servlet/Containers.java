package dev.portcullis.servlet;

import dev.portcullis.auth.Portcullis;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
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

/** Jetty 12 and Tomcat 11 on 127.0.0.1, with the filter (async-supported) before a servlet mapped to everything. */
final class Containers {
    private Containers() {
    }

    /** A container started; closing stops it. */
    record Running(int port, AutoCloseable stop) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            stop.close();
        }
    }

    static Running jetty(Portcullis portcullis, String contextPath, HttpServlet servlet) throws Exception {
        return jetty(portcullis, contextPath, servlet, null);
    }

    /** With {@code before} (if not null, async-supported) ahead of the filter. */
    static Running jetty(Portcullis portcullis, String contextPath, HttpServlet servlet, Filter before) throws Exception {
        return jetty(portcullis, contextPath, servlet, before, ServerConnector::new);
    }

    /** With the connector {@code connectors} makes for the server (a TLS one, say). */
    static Running jetty(Portcullis portcullis, String contextPath, HttpServlet servlet, Filter before,
            java.util.function.Function<Server, ServerConnector> connectors) throws Exception {
        Server server = new Server();
        ServerConnector connector = connectors.apply(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath(contextPath);
        if (before != null) {
            FilterHolder holder = new FilterHolder(before);
            holder.setAsyncSupported(true);
            context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
        }
        FilterHolder filter = new FilterHolder(new PortcullisFilter(portcullis));
        filter.setAsyncSupported(true);
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        ServletHolder holder = new ServletHolder(servlet);
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/*");
        server.setHandler(context);
        server.start();
        return new Running(connector.getLocalPort(), server::stop);
    }

    static Running tomcat(Portcullis portcullis, String contextPath, HttpServlet servlet) throws Exception {
        return tomcat(portcullis, contextPath, servlet, null);
    }

    /** With {@code before} (if not null, async-supported) ahead of the filter. */
    static Running tomcat(Portcullis portcullis, String contextPath, HttpServlet servlet, Filter before) throws Exception {
        return tomcat(portcullis, contextPath, servlet, before, connector -> { });
    }

    /** With the connector set up further by {@code connectors} (TLS, say) before it starts. */
    static Running tomcat(Portcullis portcullis, String contextPath, HttpServlet servlet, Filter before,
            java.util.function.Consumer<Connector> connectors) throws Exception {
        Path base = Files.createTempDirectory("tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("continueResponseTiming", "onRead"); // 100 Continue only when the body is read: after an allow
        // let the filter, not the connector, judge encoded slashes and backslashes
        connector.setEncodedSolidusHandling("passthrough");
        connector.setProperty("allowBackslash", "false");
        connectors.accept(connector);
        tomcat.setConnector(connector);
        Context context = tomcat.addContext(contextPath.equals("/") ? "" : contextPath, base.toString());
        if (before != null) {
            FilterDef first = new FilterDef();
            first.setFilterName("before");
            first.setFilter(before);
            first.setAsyncSupported("true");
            context.addFilterDef(first);
            FilterMap firstMap = new FilterMap();
            firstMap.setFilterName("before");
            firstMap.addURLPattern("/*");
            context.addFilterMap(firstMap);
        }
        FilterDef def = new FilterDef();
        def.setFilterName("portcullis");
        def.setFilter(new PortcullisFilter(portcullis));
        def.setAsyncSupported("true");
        context.addFilterDef(def);
        FilterMap map = new FilterMap();
        map.setFilterName("portcullis");
        map.addURLPattern("/*");
        context.addFilterMap(map);
        Tomcat.addServlet(context, "registry", servlet).setAsyncSupported(true);
        context.addServletMappingDecoded("/", "registry");
        tomcat.start();
        return new Running(connector.getLocalPort(), () -> {
            tomcat.stop();
            tomcat.destroy();
        });
    }
}
