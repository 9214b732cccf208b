package dev.portcullis.auth;

import dev.portcullis.auth.routes.Route;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What an adapter does with a request: let it through, or answer it. */
public sealed interface Outcome {

    /**
     * Pass the request to the application.
     *
     * @param identity the authenticated identity, or {@code null} for an anonymous caller
     * @param route what the request was recognised as
     * @param deniedMountSources cross-repository mount sources the caller may not read: the
     *     registry must fall back to a normal upload for these
     * @param responseHeaders headers the adapter adds to the application's response
     *     ({@code WWW-Authenticate} on a successful {@code GET /v2/}, as zot does)
     * @param writeConditions what a write was allowed under, which the application checks when it commits it (a
     *     caller who may create but not update: the target must still be absent); empty when unconditional
     */
    record Proceed(Identity identity, Route route, Set<String> deniedMountSources, Map<String, String> responseHeaders,
                   List<WriteCondition> writeConditions) implements Outcome {
        public Proceed {
            deniedMountSources = Set.copyOf(deniedMountSources);
            responseHeaders = Map.copyOf(responseHeaders);
            writeConditions = List.copyOf(writeConditions);
        }

        public Proceed(Identity identity, Route route, Set<String> deniedMountSources, Map<String, String> responseHeaders) {
            this(identity, route, deniedMountSources, responseHeaders, List.of());
        }

        public Proceed(Identity identity, Route route, Set<String> deniedMountSources) {
            this(identity, route, deniedMountSources, Map.of(), List.of());
        }
    }

    /**
     * Answer with this response, after {@code delay} (failDelay for failed credentials); an
     * adapter must not hold a thread or lock for the delay.
     *
     * @param cookies {@code Set-Cookie} header values, one header each (login, logout)
     */
    record Respond(int status, Map<String, String> headers, List<String> cookies, String contentType, byte[] body, Duration delay)
            implements Outcome {
        public Respond {
            headers = Map.copyOf(headers);
            cookies = List.copyOf(cookies);
        }

        public Respond(int status, Map<String, String> headers, String contentType, byte[] body, Duration delay) {
            this(status, headers, List.of(), contentType, body, delay);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
