package dev.portcullis.auth;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The framework-neutral view of an HTTP request that adapters (servlet filter, Netty handler)
 * give {@link Portcullis#handle}. Implementations are thin wrappers; nothing here decides.
 */
public interface HttpRequestView {
    /**
     * The request method, exactly as sent.
     *
     * @return the method, such as {@code GET} or {@code PUT}; compared case-sensitively, as HTTP defines methods
     */
    String method();

    /**
     * The path as received, still percent-encoded, without the query.
     *
     * @return the path the application routes on, such as {@code /v2/team/app/manifests/1.0}; a servlet filter leaves
     *     out the context path. Never decoded or normalised: the pipeline checks it as it is
     */
    String rawPath();

    /**
     * The query as received, still percent-encoded, or {@code null}.
     *
     * @return the text after the {@code ?}, without it; {@code null} when the target has no {@code ?}
     */
    @Nullable String rawQuery();

    /**
     * Every value of a header, in order (empty when absent). Names are case-insensitive.
     *
     * @param name the header's name, such as {@code Authorization}
     * @return one element per header line, in the order received; an empty list when there is none
     */
    List<String> headers(String name);

    /**
     * The peer's IP address as seen on the socket.
     *
     * @return the address as text, such as {@code 192.0.2.7} or {@code 2001:db8::7}; a trusted proxy's
     *     {@code X-Forwarded-For} is read by the pipeline, not here
     */
    String remoteAddress();

    /**
     * Whether the connection is TLS (directly).
     *
     * @return true when the request reached this server over TLS; a proxy's TLS in front of it does not count
     */
    boolean secure();

    /**
     * The certificates the client presented in the TLS handshake, leaf first, as the server's TLS layer accepted them;
     * Portcullis checks them again against its own authorities ({@link ClientCertificates}).
     *
     * @return the chain; empty (the default) without TLS or a client certificate
     */
    default java.util.List<java.security.cert.X509Certificate> clientCertificates() {
        return java.util.List.of();
    }

    /**
     * The path the application is mounted under, which {@link #rawPath()} leaves out (a servlet context's path): the
     * URLs Portcullis names to clients (the registry token service's) start with it.
     *
     * @return the path without a trailing {@code /}, such as {@code /app}; empty (the default) at the root
     */
    default String mountPath() {
        return "";
    }

    /**
     * The request body, for endpoints that read it (the pipeline's own and the application's): at most
     * {@code limit + 1} bytes.
     *
     * @param limit the most bytes the caller accepts; reading one more shows a longer body as too long
     * @return the body's first bytes, at most {@code limit + 1} of them; empty for a request without a body
     * @throws java.io.IOException when the body cannot be read (the client went away, say)
     */
    byte[] body(int limit) throws java.io.IOException;
}
