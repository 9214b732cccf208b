package dev.portcullis.auth;

import org.jspecify.annotations.Nullable;

/**
 * What the pipeline keeps of one client connection between its requests, for an event-loop server
 * ({@link Portcullis#handleWithoutBlocking(HttpRequestView, Connection)}): each authenticator's memory of it (the API-key
 * authenticator keeps a keyed tag of the last {@code Authorization} value that carried a cached key, never the value).
 * Opaque; made by {@link Portcullis#connection()}, one per connection, used by one request at a time.
 */
public final class Connection {
    private final Object[] slots;

    Connection(int authenticators) {
        this.slots = new Object[authenticators];
    }

    @Nullable Object slot(int i) {
        return slots[i];
    }

    void slot(int i, Object state) {
        slots[i] = state;
    }
}
