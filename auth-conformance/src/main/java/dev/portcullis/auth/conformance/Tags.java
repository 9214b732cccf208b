package dev.portcullis.auth.conformance;

import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Outcome.WriteCondition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tags of the suite's application, and its {@code ExistenceLookup}: in {@code team/app} the tag {@code existing}
 * always exists (and nothing written there is kept); under {@code team/race} the application really stores what is
 * pushed, committing each write under its {@link WriteCondition}s atomically, as a registry must.
 */
public final class Tags {
    static final String STORED = "team/race";
    private final Map<String, String> stored = new HashMap<>();

    public synchronized boolean exists(String repository, String tag) {
        return repository.equals("team/app") && tag.equals("existing") || stored.containsKey(repository + ":" + tag);
    }

    /** What {@code repository:tag} holds, if it is a stored one. */
    public synchronized Optional<String> content(String repository, String tag) {
        return Optional.ofNullable(stored.get(repository + ":" + tag));
    }

    /**
     * A manifest pushed to {@code path} by a request Portcullis let through with these conditions: stored (under
     * {@code team/race}) if every condition holds, in one step with the check; else the first failed condition's refusal.
     */
    public synchronized Optional<Outcome.Respond> push(String path, List<WriteCondition> conditions, String content) {
        String prefix = "/v2/" + STORED + "/manifests/";
        if (!path.startsWith(prefix)) {
            return Optional.empty();
        }
        String tag = path.substring(prefix.length());
        for (WriteCondition c : conditions) {
            if (!c.holds(exists(c.repository(), c.target()))) {
                return Optional.of(c.refusal());
            }
        }
        stored.put(STORED + ":" + tag, content);
        return Optional.empty();
    }
}
