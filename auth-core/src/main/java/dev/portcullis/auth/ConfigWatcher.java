package dev.portcullis.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.policy.InvalidPolicyException;
import java.io.IOException;
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
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * zot's live reload, for the policy: the configuration file (and the policy file it names) is read again when either
 * changes; a valid new policy is swapped in for the requests that start after it (those under way finish by theirs); an
 * invalid file is refused with an error and the running configuration stays; changes to anything else (ports, the key
 * store, the authentication methods) are named in a warning, since they take effect only at a restart. The htpasswd file
 * is re-read on its own, as before.
 */
final class ConfigWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);

    private final Path config;
    private final JsonNode running;
    private final Pipeline pipeline;
    private final ScheduledExecutorService timer;
    private String seen;
    private @Nullable String policyFileSeen;
    private volatile ConfigReloads status = ConfigReloads.NONE;

    ConfigWatcher(Path config, JsonNode running, @Nullable Path policyFile, Pipeline pipeline, Duration interval) {
        this.config = config;
        this.running = running;
        this.pipeline = pipeline;
        this.seen = fingerprint(config);
        this.policyFileSeen = policyFile == null ? null : fingerprint(policyFile);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portcullis-config-watch");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    ConfigReloads status() {
        return status;
    }

    /** Reads the files again if either changed. */
    void check() {
        try {
            String now = fingerprint(config);
            String policyNow = policyFile() == null ? null : fingerprint(Objects.requireNonNull(policyFile()));
            if (now.equals(seen) && Objects.equals(policyNow, policyFileSeen)) {
                return;
            }
            seen = now;
            policyFileSeen = policyNow;
            reload();
        } catch (RuntimeException e) { // the timer stops for good on an exception: never let one out
            LOG.error("checking {} for changes failed", config, e);
        }
    }

    private @Nullable Path policyFile() {
        JsonNode f = running.path("portcullis").path("policyFile");
        Path base = config.toAbsolutePath().getParent();
        return f.isTextual() && base != null ? base.resolve(f.asText()) : null;
    }

    private void reload() {
        PortcullisConfig next;
        try {
            next = PortcullisConfig.load(config);
        } catch (InvalidPolicyException e) {
            refuse("changed and is invalid: " + e.getMessage());
            return;
        }
        List<String> later = new ArrayList<>();
        differences("", running, next.tree(), later);
        if (!later.isEmpty()) {
            LOG.warn("{} changed {}, which takes effect only at a restart; the policy is reloaded now", config, later);
        }
        try {
            pipeline.reload(next.policy(), next.policySource());
        } catch (IllegalStateException e) {
            refuse(String.valueOf(e.getMessage()));
            return;
        }
        ConfigReloads s = status;
        status = new ConfigReloads(s.applied() + 1, s.refused(), s.lastRefusal());
    }

    private void refuse(String why) {
        LOG.error("{} {}; the running configuration stays", config, why);
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

    /** The file's content digest, or a word for a file that cannot be read (which then counts as a change when it can). */
    private static String fingerprint(Path file) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            return "unreadable: " + e.getClass().getSimpleName();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
