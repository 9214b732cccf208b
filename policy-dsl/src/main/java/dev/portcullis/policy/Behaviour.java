package dev.portcullis.policy;

import java.util.Arrays;
import java.util.Optional;

/**
 * What zot calls a behaviour action: not a permission, but a way the registry behaves for the users granted it, listed
 * among a rule's actions ({@code "actions": ["read", "delete", "detectManifestCollision"]}). The application asks
 * {@link AccessPolicy#behaves(Subject, String, Behaviour)} and applies it.
 */
public enum Behaviour {
    /**
     * zot's {@code detectManifestCollision}: deleting a manifest by digest while more than one tag names that digest is
     * refused (409 {@code MANIFEST_INVALID}) instead of removing every tag with it. Never for admins, as in zot.
     */
    DETECT_MANIFEST_COLLISION("detectManifestCollision");

    private final String configName;

    Behaviour(String configName) {
        this.configName = configName;
    }

    /**
     * The name in zot configuration and policy files.
     *
     * @return such as {@code detectManifestCollision}
     */
    public String configName() {
        return configName;
    }

    /**
     * The behaviour of this configuration name (exactly; zot's spelling).
     *
     * @param name a word from an actions list
     * @return the behaviour, or empty if the word names none
     */
    public static Optional<Behaviour> named(String name) {
        return Arrays.stream(values()).filter(b -> b.configName.equals(name)).findFirst();
    }
}
