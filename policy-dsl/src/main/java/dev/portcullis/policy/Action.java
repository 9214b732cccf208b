package dev.portcullis.policy;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a request wants to do to a repository, with zot's four action names.
 *
 * <pre>{@code
 * Action a = Action.parse("create");   // Action.CREATE
 * a.configName();                      // "create"
 * }</pre>
 *
 * Actions imply nothing: {@code CREATE} does not include {@code READ}.
 */
public enum Action {
    /** Pull or download: fetch manifests, blobs and files, list tags; also what the catalog asks about. */
    READ,
    /** Add something new: upload blobs, push a manifest, add a tag or a file that does not exist yet. */
    CREATE,
    /** Overwrite what exists: move an existing tag to another manifest, replace an existing file. */
    UPDATE,
    /** Remove manifests, blobs, uploads or files. */
    DELETE;

    /** Words people write for an action that zot does not know, mapped to the action they mean. */
    private static final Map<String, Action> SYNONYMS = Map.ofEntries(
            Map.entry("write", CREATE), Map.entry("push", CREATE), Map.entry("put", CREATE),
            Map.entry("upload", CREATE), Map.entry("add", CREATE), Map.entry("new", CREATE),
            Map.entry("pull", READ), Map.entry("get", READ), Map.entry("list", READ),
            Map.entry("view", READ), Map.entry("download", READ), Map.entry("head", READ),
            Map.entry("overwrite", UPDATE), Map.entry("modify", UPDATE), Map.entry("edit", UPDATE),
            Map.entry("change", UPDATE), Map.entry("remove", DELETE), Map.entry("del", DELETE),
            Map.entry("rm", DELETE), Map.entry("destroy", DELETE), Map.entry("erase", DELETE));

    /**
     * The lower-case name used in zot configuration and policy files.
     *
     * @return {@code read}, {@code create}, {@code update} or {@code delete}
     */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** One bit per action, for compact action sets. */
    int bit() {
        return 1 << ordinal();
    }

    /**
     * Parses a configuration action name ({@code read}, {@code create}, {@code update},
     * {@code delete}; exactly these lower-case words).
     *
     * @param name the word from the configuration
     * @return the action it names
     * @throws IllegalArgumentException naming the value, the valid names and, where one is close,
     *     the action that was probably meant
     */
    public static Action parse(String name) {
        for (Action a : values()) {
            if (a.configName().equals(name)) {
                return a;
            }
        }
        String hint = suggest(name).map(a -> " — did you mean '" + a.configName() + "'?").orElse("");
        throw new IllegalArgumentException("unknown action '" + name + "'" + hint + " Valid actions are: "
                + Arrays.stream(values()).map(Action::configName).collect(Collectors.joining(", ")) + ".");
    }

    /** The action most likely meant by an unknown word, if any is close enough to suggest. */
    static java.util.Optional<Action> suggest(String word) {
        if (word == null) {
            return java.util.Optional.empty();
        }
        String w = word.trim().toLowerCase(Locale.ROOT);
        if (SYNONYMS.containsKey(w)) {
            return java.util.Optional.of(SYNONYMS.get(w));
        }
        Action best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Action a : values()) {
            int d = Spelling.distance(w, a.configName());
            if (d < bestDistance) {
                best = a;
                bestDistance = d;
            }
        }
        return bestDistance <= 2 ? java.util.Optional.ofNullable(best) : java.util.Optional.empty();
    }
}
