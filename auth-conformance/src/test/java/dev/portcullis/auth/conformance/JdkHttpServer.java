package dev.portcullis.auth.conformance;

import com.sun.net.httpserver.HttpServer;
import dev.portcullis.auth.Portcullis;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The JDK's own HTTP server on 127.0.0.1 at an ephemeral port, with {@link JdkHttpServerAdapter} in front of the
 * conformance suite's application: the server of the reference adapter's conformance test.
 */
final class JdkHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(8);
    private final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor();

    private JdkHttpServer(Portcullis portcullis, EchoApplication echo) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", new JdkHttpServerAdapter(portcullis, (exchange, proceed) -> {
            EchoApplication.Answer a = echo.answer(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), proceed.identity(),
                    proceed.identity() == null ? null : proceed.identity().name(),
                    proceed.deniedMountSources(), proceed.writeConditions(), exchange.getRequestBody().readAllBytes());
            if (a.refusal().isPresent()) {
                JdkHttpServerAdapter.write(exchange, a.refusal().get());
                return;
            }
            try (exchange) {
                exchange.getResponseHeaders().set("Content-Type", a.contentType());
                boolean head = exchange.getRequestMethod().equals("HEAD");
                exchange.sendResponseHeaders(a.status(), head ? -1 : a.body().length);
                if (!head) {
                    exchange.getResponseBody().write(a.body());
                }
            }
        }, delays));
        server.setExecutor(threads);
    }

    static JdkHttpServer start(Portcullis portcullis, EchoApplication application) throws IOException {
        JdkHttpServer s = new JdkHttpServer(portcullis, application);
        s.server.start();
        return s;
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        delays.shutdownNow();
    }
}
