package dev.portcullis.auth.apikey;

import org.jspecify.annotations.Nullable;

/**
 * The key store cannot be reached or failed. Authentication that needs the store fails closed:
 * the request pipeline answers 503, never allows.
 */
public class ApiKeyStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * A store failure.
     *
     * @param message what the store was doing and what went wrong; never a credential
     * @param cause the database's exception, or {@code null}
     */
    public ApiKeyStoreException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
