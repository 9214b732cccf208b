package dev.portcullis.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.policy.AccessPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * zot's live reload, for the policy: the configuration file (and the policy file it names) is read again when either
 * changes; a valid new policy is swapped in for the requests that start after it (those under way finish by theirs); an
 * invalid file, or one whose policy the application cannot serve, is refused with an error and the running
 * configuration stays; changes to anything else (ports, the key store, the authentication methods) are named in a
 * warning, since they take effect only at a restart. The htpasswd file is re-read on its own, as before.
 */
final class ConfigWatcher implements Settings.Watch {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);
    private static final Duration INTERVAL = Duration.ofSeconds(1);

    /**
     * What reading the file gave.
     *
     * @param policy its policy
     * @param source where the policy came from
     * @param tree its JSON
     * @param warnings what it ignores
     * @param digest what the file and its policy file held
     */
    record Read(AccessPolicy policy, String source, JsonNode tree, List<String> warnings, String digest) {
    }

    private final Path file;
    /** The configuration running since the start: what needs a restart is compared with it. */
    private final JsonNode started;
    /** The configuration whose policy runs now: its policy file is the one watched. */
    private JsonNode current;
    private String seen;
    private final BiConsumer<AccessPolicy, String> reload;
    private final Function<Path, Read> read;
    private final ScheduledExecutorService timer;
    private volatile ConfigReloads status = ConfigReloads.NONE;

    /**
     * Watches {@code file}, read at the start as {@code tree} with {@code digest}; a new policy goes to {@code reload},
     * which throws {@link IllegalStateException} to refuse it; {@code read} reads the file again, throwing
     * {@link dev.portcullis.policy.InvalidPolicyException} for an invalid one.
     */
    ConfigWatcher(Path file, JsonNode tree, String digest, BiConsumer<AccessPolicy, String> reload, Function<Path, Read> read) {
        this.file = file;
        this.started = tree;
        this.current = tree;
        this.seen = digest; // what was read, so that a change between reading and watching is not missed
        this.reload = reload;
        this.read = read;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portcullis-config-watch");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::check, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public ConfigReloads status() {
        return status;
    }

    /** Reads the files again if either changed; any failure is a refusal, and the running configuration stays. */
    void check() {
        String now;
        try {
            now = fingerprint(Files.readString(file, StandardCharsets.UTF_8)) + policyFingerprint(current, file);
        } catch (IOException e) {
            return; // being replaced, or gone: looked at again at the next check
        }
        if (now.equals(seen)) {
            return;
        }
        seen = now;
        try {
            apply();
        } catch (RuntimeException e) { // the timer would stop for good on an exception: never let one out
            refuse("could not be applied: " + e);
        }
    }

    private void apply() {
        Read next;
        try {
            next = read.apply(file);
        } catch (dev.portcullis.policy.InvalidPolicyException e) {
            refuse("changed and is invalid: " + e.getMessage());
            return;
        }
        if (next.source().startsWith("none configured")) {
            refuse("now configures no authentication and no accessControl, which zot takes for \"everyone may do everything\";"
                    + " that needs a restart, which also applies the authentication it would drop");
            return;
        }
        next.warnings().forEach(w -> LOG.warn("configuration: {}", w));
        List<String> later = new ArrayList<>();
        differences("", started, next.tree(), later);
        if (!later.isEmpty()) {
            LOG.warn("{} changed {}, which takes effect only at a restart; the policy is reloaded now", file, later);
        }
        try {
            reload.accept(next.policy(), next.source());
        } catch (IllegalStateException e) {
            refuse(String.valueOf(e.getMessage()));
            return;
        }
        current = next.tree();
        seen = next.digest(); // what this policy was read from: its policy file may be another one now
        ConfigReloads s = status;
        status = new ConfigReloads(s.applied() + 1, s.refused(), s.lastRefusal());
    }

    private void refuse(String why) {
        LOG.error("{} {}; the running configuration stays", file, why);
        ConfigReloads s = status;
        status = new ConfigReloads(s.applied(), s.refused() + 1, why);
    }

    /** The paths outside the policy whose values differ, such as {@code http.auth.failDelay}. */
    private static void differences(String path, JsonNode was, JsonNode is, List<String> out) {
        if (path.equals("http.accessControl") || path.equals("portcullis.policyFile") || was.equals(is)) {
            return;
        }
        if (!was.isObject() || !is.isObject()) {
            out.add(path.isEmpty() ? "the whole file" : path);
            return;
        }
        java.util.Set<String> keys = new java.util.TreeSet<>();
        was.fieldNames().forEachRemaining(keys::add);
        is.fieldNames().forEachRemaining(keys::add);
        for (Iterator<String> it = keys.iterator(); it.hasNext() && out.size() < 10; ) {
            String k = it.next();
            differences(path.isEmpty() ? k : path + "." + k, was.path(k), is.path(k), out);
        }
    }

    /** The digest of the policy file a configuration names (empty when it names none; a word when it cannot be read). */
    static String policyFingerprint(JsonNode tree, Path file) {
        JsonNode name = tree.path("portcullis").path("policyFile");
        Path dir = file.toAbsolutePath().getParent();
        if (!name.isTextual() || dir == null) {
            return "";
        }
        try {
            return "+" + fingerprint(Files.readString(dir.resolve(name.asText()), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return "+unreadable";
        }
    }

    static String fingerprint(String text) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    @Override
    public String toString() {
        return "the watcher of " + Objects.toString(file);
    }
}
