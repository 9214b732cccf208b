package dev.portcullis.policy;

/**
 * A policy that cannot be loaded: bad JSON, a wrong type, an unknown action, an invalid pattern.
 * The message names the place (a JSON path such as {@code repositories["infra/*"].policies[0].actions[1]})
 * and what to do about it.
 */
public class InvalidPolicyException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * A policy error without an underlying cause.
     *
     * @param message where the problem is and what to do about it
     */
    public InvalidPolicyException(String message) {
        super(message);
    }

    /**
     * A policy error caused by another one, e.g. a JSON parse error or an unreadable file.
     *
     * @param message where the problem is and what to do about it
     * @param cause the underlying error
     */
    public InvalidPolicyException(String message, Throwable cause) {
        super(message, cause);
    }
}
