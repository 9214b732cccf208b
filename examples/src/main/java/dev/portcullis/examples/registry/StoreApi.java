package dev.portcullis.examples.registry;

import dev.portcullis.auth.Identity;
import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Outcome.WriteCondition;
import dev.portcullis.policy.Behaviour;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A store's HTTP API, independent of the HTTP server: the Jetty and Netty front ends translate each request Portcullis
 * let through into a {@link Request} and write the {@link Response}. The OCI registry ({@link RegistryApi}) and the Maven
 * repositories ({@link MavenApi}) are two.
 */
interface StoreApi {
    /** A request that Portcullis let through. Paths are decoded; Portcullis has refused ambiguous ones. */
    record Request(String method, String path, Map<String, List<String>> query, Function<String, String> header, InputStream body,
                   @Nullable Identity identity, Set<String> deniedMountSources, List<WriteCondition> writeConditions,
                   Set<Behaviour> behaviours) {
        @Nullable String param(String name) {
            List<String> v = query.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        /** The caller, for a log line. */
        String who() {
            return identity == null ? "anonymous" : "'" + identity.name() + "'";
        }

        /** The condition the write to this target was allowed under, if any. */
        java.util.Optional<WriteCondition> condition(String repository, String target) {
            return writeConditions.stream().filter(c -> c.repository().equals(repository) && c.target().equals(target)).findFirst();
        }
    }

    /** A response: a small body in memory, or a file streamed by the front end. */
    record Response(int status, Map<String, String> headers, byte @Nullable [] body, @Nullable Path file, long fileLength) {
        static Response of(int status, Map<String, String> headers, byte[] body) {
            return new Response(status, headers, body, null, 0);
        }

        /** A response of Portcullis's (a write condition's refusal), as the store answers. */
        static Response of(Outcome.Respond r) {
            Map<String, String> headers = new LinkedHashMap<>(r.headers());
            headers.put("Content-Type", r.contentType());
            return of(r.status(), headers, r.body());
        }
    }

    Response handle(Request request);

    /** Whether the answer to this request needs its body; any other body is dropped unread. */
    boolean readsBody(String method, String path);

    /** The answer when the store itself failed. */
    Response failure(String why);
}
