package dev.portcullis.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An htpasswd file of bcrypt hashes ({@code $2a$}, {@code $2b$}, {@code $2y$}), re-read when it
 * changes. Successful verifications are cached (by SHA-256 of user and password, never the
 * password) so that bcrypt runs once per credential, not once per request.
 */
final class Htpasswd {
    private static final Logger LOG = LoggerFactory.getLogger(Htpasswd.class);

    private final Path file;
    private final Cache<String, Boolean> verified = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(5)).build();
    private volatile Map<String, String> users = Map.of();
    private volatile @Nullable FileTime loadedModified;
    private volatile long loadedSize = -1;

    Htpasswd(Path file) {
        this.file = file;
        reloadIfChanged();
        if (users.isEmpty()) {
            LOG.warn("htpasswd file {} has no bcrypt users", file);
        }
    }

    /** Re-reads the file when its modification time or size changed. */
    private void reloadIfChanged() {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            if (modified.equals(loadedModified) && size == loadedSize) {
                return;
            }
            Map<String, String> next = new HashMap<>();
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int colon = line.indexOf(':');
                String hash = colon < 0 ? "" : line.substring(colon + 1);
                if (colon <= 0 || !(hash.startsWith("$2a$") || hash.startsWith("$2b$") || hash.startsWith("$2y$"))) {
                    LOG.warn("{}:{}: skipped: only user:bcrypt-hash lines ($2a$, $2b$, $2y$) are supported", file, i + 1);
                    continue;
                }
                next.put(line.substring(0, colon), hash);
            }
            users = Map.copyOf(next);
            loadedModified = modified;
            loadedSize = size;
            verified.invalidateAll();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the htpasswd file " + file + ": " + e.getMessage(), e);
        }
    }

    boolean hasUser(String user) {
        reloadIfChanged();
        return users.containsKey(user);
    }

    /** Whether this exact credential was verified lately (memory only: no file access, never blocks). */
    boolean verifiedRecently(String user, String password) {
        return verified.getIfPresent(digest(user, password)) != null;
    }

    /**
     * Any of $2a$, $2b$, $2y$; a password over 72 bytes is judged by its first 72, as bcrypt itself, Apache's htpasswd
     * and zot do (the library's default refuses it with an exception).
     */
    private static final BCrypt.Verifyer VERIFYER = BCrypt.verifyer(null, LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2Y));

    boolean verify(String user, String password) {
        reloadIfChanged();
        String hash = users.get(user);
        if (hash == null) {
            return false;
        }
        String key = digest(user, password);
        if (verified.getIfPresent(key) != null) {
            return true;
        }
        boolean ok = VERIFYER.verify(password.getBytes(StandardCharsets.UTF_8), hash.getBytes(StandardCharsets.UTF_8)).verified;
        if (ok) {
            verified.put(key, Boolean.TRUE);
        }
        return ok;
    }

    private static String digest(String user, String password) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(user.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(password.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
