package dev.portcullis.auth;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The framework-neutral view of an HTTP request that adapters (servlet filter, Netty handler)
 * give {@link Portcullis#handle}. Implementations are thin wrappers; nothing here decides.
 */
public interface HttpRequestView {
    String method();

    /** The path as received, still percent-encoded, without the query. */
    String rawPath();

    /** The query as received, still percent-encoded, or {@code null}. */
    @Nullable String rawQuery();

    /** Every value of a header, in order (empty when absent). Names are case-insensitive. */
    List<String> headers(String name);

    /** The peer's IP address as seen on the socket. */
    String remoteAddress();

    /** Whether the connection is TLS (directly). */
    boolean secure();

    /** The request body, for endpoints that read it (the pipeline's own and the application's): at most {@code limit + 1} bytes. */
    byte[] body(int limit) throws java.io.IOException;
}
