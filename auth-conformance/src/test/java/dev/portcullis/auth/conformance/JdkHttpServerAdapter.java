package dev.portcullis.auth.conformance;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.portcullis.auth.HttpRequestView;
import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Portcullis;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Portcullis in front of an application on the JDK's own HTTP server ({@code com.sun.net.httpserver}): the whole of an
 * adapter. It shows the three things every adapter does: give the pipeline a view of the request, pass an allowed request
 * on with what the pipeline found (here, to a {@link Passed}), and write an answer the pipeline made, after its delay,
 * without holding a thread for it.
 */
final class JdkHttpServerAdapter implements HttpHandler {
    /** The application, for a request Portcullis let through. */
    interface Passed {
        void serve(HttpExchange exchange, Outcome.Proceed proceed) throws IOException;
    }

    private final Portcullis portcullis;
    private final Passed application;
    private final ScheduledExecutorService delays;

    JdkHttpServerAdapter(Portcullis portcullis, Passed application, ScheduledExecutorService delays) {
        this.portcullis = portcullis;
        this.application = application;
        this.delays = delays;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        Outcome outcome = portcullis.handle(new View(exchange));
        if (outcome instanceof Outcome.Proceed proceed) {
            proceed.responseHeaders().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            application.serve(exchange, proceed);
            return;
        }
        Outcome.Respond answer = (Outcome.Respond) outcome;
        delays.schedule(() -> write(exchange, answer), answer.delay().toMillis(), TimeUnit.MILLISECONDS);
    }

    static void write(HttpExchange exchange, Outcome.Respond answer) {
        try (exchange) {
            answer.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            answer.cookies().forEach(c -> exchange.getResponseHeaders().add("Set-Cookie", c));
            exchange.getResponseHeaders().set("Content-Type", answer.contentType());
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(answer.status(), head || answer.body().length == 0 ? -1 : answer.body().length);
            if (!head) {
                exchange.getResponseBody().write(answer.body());
            }
        } catch (IOException e) {
            // the client went away; nothing to answer
        }
    }

    /** The request as the pipeline sees it. */
    private record View(HttpExchange exchange) implements HttpRequestView {
        @Override
        public String method() {
            return exchange.getRequestMethod();
        }

        @Override
        public String rawPath() {
            return exchange.getRequestURI().getRawPath();
        }

        @Override
        public @Nullable String rawQuery() {
            return exchange.getRequestURI().getRawQuery();
        }

        @Override
        public List<String> headers(String name) {
            List<String> values = exchange.getRequestHeaders().get(name);
            return values == null ? List.of() : values;
        }

        @Override
        public String remoteAddress() {
            InetSocketAddress peer = exchange.getRemoteAddress();
            return peer.getAddress().getHostAddress();
        }

        @Override
        public boolean secure() {
            return false;
        }

        @Override
        public byte[] body(int limit) throws IOException {
            return exchange.getRequestBody().readNBytes(limit + 1);
        }
    }
}
