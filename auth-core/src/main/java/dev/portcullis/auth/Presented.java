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

    /**
     * The request as the adapter sees it (headers, TLS).
     *
     * @return the adapter's view of the request, for headers this class does not name
     */
    public final HttpRequestView request() {
        return request;
    }

    /**
     * The client's address: the socket's, or what a trusted proxy says in {@code X-Forwarded-For}.
     *
     * @return the address as text, the one failure limits count against
     */
    public final String clientAddress() {
        return clientAddress;
    }

    /**
     * Every {@code Authorization} header value, in order.
     *
     * @return the raw values, read once; an empty list when there is none
     */
    public final List<String> authorization() {
        List<String> values = authorization;
        if (values == null) {
            values = authorization = request.headers("Authorization");
        }
        return values;
    }

    /**
     * The {@code Authorization} header value when there is exactly one, else null.
     *
     * @return the raw value, such as {@code Basic YWxpY2U6czNjcjN0}; null for none or several
     */
    public final @Nullable String singleAuthorization() {
        List<String> values = authorization();
        return values.size() == 1 ? values.get(0) : null;
    }

    /**
     * What the {@code Authorization} headers carry, decoded on first use.
     *
     * @return the credentials; {@link Credentials.None} without a header, {@link Credentials.Malformed} for several
     *     headers or one that cannot be read
     */
    public final Credentials credentials() {
        Credentials c = credentials;
        if (c == null) {
            c = credentials = AuthorizationHeader.from(authorization());
        }
        return c;
    }

    /**
     * Every {@code Cookie} header value.
     *
     * @return the raw header values, in order, each possibly with several {@code name=value} pairs; an empty list when
     *     there is none. Read again on each call
     */
    public final List<String> cookies() {
        return request.headers("Cookie"); // asked by the session authenticator and the page, so not kept
    }

    /**
     * What the asking authenticator remembered of this client connection, or null (nothing yet, no connection, or an
     * endpoint asking: the memory is the authenticators').
     *
     * @return what the asking authenticator last passed to {@link #remember}, or null
     */
    public final @Nullable Object remembered() {
        return connection == null || slot < 0 ? null : connection.slot(slot);
    }

    /**
     * Remembers {@code state} for the asking authenticator on this client connection; nothing without a connection or
     * for an endpoint.
     *
     * @param state what {@link #remembered()} answers this authenticator on the connection's later requests; it
     *     replaces what was remembered before (the API-key authenticator keeps a keyed tag of the header here, never
     *     the header)
     */
    public final void remember(Object state) {
        if (connection != null && slot >= 0) {
            connection.slot(slot, state);
        }
    }

    /**
     * Whether the request came over a client connection that can remember things between requests.
     *
     * @return true when the adapter passed a {@link Connection}; false, and {@link #remember} does nothing, otherwise
     */
    public final boolean onConnection() {
        return connection != null;
    }

    /** Which authenticator is asking, for {@link #remembered}; -1: none (an endpoint). */
    final void askedBy(int authenticator) {
        this.slot = authenticator;
    }
}
