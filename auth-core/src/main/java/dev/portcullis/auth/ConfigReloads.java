package dev.portcullis.auth;

import org.jspecify.annotations.Nullable;

/**
 * What the configuration file's watcher did since the start: how many changed files it applied (a new policy) and how
 * many it refused (invalid, or a policy this application cannot serve), and the last refusal's reason.
 *
 * @param applied changes applied
 * @param refused changes refused, the running configuration kept
 * @param lastRefusal why the last refused change was refused, or null
 */
public record ConfigReloads(int applied, int refused, @Nullable String lastRefusal) {
    /** Nothing watched, or nothing changed yet. */
    public static final ConfigReloads NONE = new ConfigReloads(0, 0, null);
}
