package dev.portcullis.policy;

/**
 * A policy that cannot be loaded: bad JSON, a wrong type, an unknown action, an invalid pattern.
 * The message names the place (a JSON path such as {@code repositories["infra/*"].policies[0].actions[1]})
 * and what to do about it.
 */
public class InvalidPolicyException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidPolicyException(String message) {
        super(message);
    }

    public InvalidPolicyException(String message, Throwable cause) {
        super(message, cause);
    }
}
