package dev.portcullis.auth;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a request presents to {@link Authenticator}s: its {@code Authorization} headers (raw, and decoded once into
 * {@link Credentials}), its cookies, the client's address, and a slot of memory on the client's connection that each
 * authenticator may keep between that connection's requests (a keep-alive client sends the same header again). One
 * per request, read by one thread at a time.
 */
public abstract class Presented {
    private final HttpRequestView request;
    private final String clientAddress;
    private final @Nullable Connection connection;
    private @Nullable List<String> authorization;
    private @Nullable Credentials credentials;
    private int slot;

    Presented(HttpRequestView request, String clientAddress, @Nullable Connection connection) {
        this.request = request;
        this.clientAddress = clientAddress;
        this.connection = connection;
    }

    /** The request as the adapter sees it (headers, TLS). */
    public final HttpRequestView request() {
        return request;
    }

    /** The client's address: the socket's, or what a trusted proxy says in {@code X-Forwarded-For}. */
    public final String clientAddress() {
        return clientAddress;
    }

    /** Every {@code Authorization} header value, in order. */
    public final List<String> authorization() {
        List<String> values = authorization;
        if (values == null) {
            values = authorization = request.headers("Authorization");
        }
        return values;
    }

    /** The {@code Authorization} header value when there is exactly one, else null. */
    public final @Nullable String singleAuthorization() {
        List<String> values = authorization();
        return values.size() == 1 ? values.get(0) : null;
    }

    /** What the {@code Authorization} headers carry, decoded on first use. */
    public final Credentials credentials() {
        Credentials c = credentials;
        if (c == null) {
            c = credentials = AuthorizationHeader.from(authorization());
        }
        return c;
    }

    /** Every {@code Cookie} header value. */
    public final List<String> cookies() {
        return request.headers("Cookie"); // asked by the session authenticator and the page, so not kept
    }

    /**
     * What the asking authenticator remembered of this client connection, or null (nothing yet, no connection, or an
     * endpoint asking: the memory is the authenticators').
     */
    public final @Nullable Object remembered() {
        return connection == null || slot < 0 ? null : connection.slot(slot);
    }

    /** Remembers {@code state} for the asking authenticator on this client connection; nothing without a connection or for an endpoint. */
    public final void remember(Object state) {
        if (connection != null && slot >= 0) {
            connection.slot(slot, state);
        }
    }

    /** Whether the request came over a client connection that can remember things between requests. */
    public final boolean onConnection() {
        return connection != null;
    }

    /** Which authenticator is asking, for {@link #remembered}; -1: none (an endpoint). */
    final void askedBy(int authenticator) {
        this.slot = authenticator;
    }
}
