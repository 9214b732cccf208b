package dev.portcullis.servlet.readme;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.PortcullisConfig;
import dev.portcullis.servlet.PortcullisFilter;
import jakarta.servlet.DispatcherType;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The Jetty embedding of the README and docs/embedding.md, word for word, as a program: run it in a directory holding
 * config.json. It prints the port it listens on (127.0.0.1, a free one).
 */
public final class JettyEmbedding {
    private JettyEmbedding() {
    }

    public static void main(String[] args) throws Exception {
        Storage storage = new Storage(Set.of("team/app:1.0"));

        Portcullis portcullis = PortcullisConfig.load(Path.of("config.json")).builder()
                .existence((repository, tag) -> storage.tagExists(repository, tag))   // create vs update
                .build();
        ServletContextHandler context = new ServletContextHandler();
        FilterHolder filter = new FilterHolder(new PortcullisFilter(portcullis));
        filter.setAsyncSupported(true);
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new RegistryServlet()), "/*");

        Server server = new Server(new InetSocketAddress("127.0.0.1", 0));
        server.setHandler(context);
        server.start();
        System.out.println("listening on " + ((ServerConnector) server.getConnectors()[0]).getLocalPort());
        server.join();
    }
}
