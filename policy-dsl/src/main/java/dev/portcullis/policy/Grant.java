package dev.portcullis.policy;

/** Which tier of the policy granted an action, in the order zot consults them. */
public enum Grant {
    /** A policy entry naming the user. */
    USER,
    /** A policy entry naming one of the subject's groups. */
    GROUP,
    /** The pattern's {@code defaultPolicy}, which applies to every authenticated user. */
    DEFAULT,
    /** The pattern's {@code anonymousPolicy}, which applies only to the anonymous caller. */
    ANONYMOUS,
    /** The {@code adminPolicy}, consulted only when the repository's rule denied. */
    ADMIN,
    /** Nothing granted it: the decision is a denial. */
    NONE
}
