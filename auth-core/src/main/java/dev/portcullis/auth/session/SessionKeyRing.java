package dev.portcullis.auth.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256 keys that seal session and login cookies. The first key seals; every key opens, so a
 * ring can rotate: put a new key first, keep the old ones until the longest session has expired,
 * then remove them. Each key's id is derived from the key (a digest prefix), so files hold only keys.
 *
 * <p>File format (JSON): {@code {"keys": ["<base64url of 32 bytes>", ...]}}, newest first.
 */
public final class SessionKeyRing {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * One key and its id.
     *
     * @param id the key's id: the first 8 base64url characters of its SHA-256, written in each sealed cookie's header
     * @param secret the AES-256 key itself
     */
    public record Key(String id, SecretKey secret) {
    }

    private final List<Key> keys;

    private SessionKeyRing(List<Key> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("a session key ring needs at least one key");
        }
        this.keys = List.copyOf(keys);
    }

    /**
     * A ring of one fresh random key (sessions end when the process does, unless saved).
     *
     * @return the new ring; {@link #toJson()} saves it
     */
    public static SessionKeyRing generate() {
        return new SessionKeyRing(List.of(newKey()));
    }

    /**
     * A ring of raw 32-byte keys, the first sealing.
     *
     * @param rawKeys the keys, newest first; each 32 random bytes, copied
     * @return the ring
     * @throws IllegalArgumentException if the list is empty or a key is not 32 bytes
     */
    public static SessionKeyRing of(List<byte[]> rawKeys) {
        List<Key> keys = new ArrayList<>();
        for (byte[] raw : rawKeys) {
            keys.add(key(raw));
        }
        return new SessionKeyRing(keys);
    }

    /**
     * Parses the JSON form; the message names what is wrong, never a key.
     *
     * @param json {@code {"keys": ["<base64url of 32 bytes>", ...]}}, newest first
     * @return the ring
     * @throws IllegalArgumentException for malformed JSON, no keys, or a key that is not 32 bytes in base64url
     */
    public static SessionKeyRing parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("session keys: not valid JSON; expected {\"keys\": [\"<base64url of 32 bytes>\", ...]}");
        }
        JsonNode array = root == null ? null : root.get("keys");
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw new IllegalArgumentException("session keys: expected {\"keys\": [\"<base64url of 32 bytes>\", ...]} with at least one key");
        }
        List<byte[]> raw = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode k = array.get(i);
            byte[] bytes = k.isTextual() ? decode(k.textValue()) : new byte[0];
            if (bytes.length != 32) {
                throw new IllegalArgumentException("session keys: keys[" + i + "] must be 32 random bytes in base64url (43 characters);"
                        + " make one with: head -c 32 /dev/urandom | basenc --base64url");
            }
            raw.add(bytes);
        }
        return of(raw);
    }

    /**
     * Reads a key ring file.
     *
     * @param file a file in the JSON form
     * @return the ring
     * @throws IllegalArgumentException naming the file, when it cannot be read or parsed
     */
    public static SessionKeyRing load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the session keys: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    /**
     * Reads the ring from {@code file}, or creates it with one fresh key (owner-only permissions
     * where the file system has them) — so restarts keep sessions. Safe when several processes
     * start at once: the first to create the file wins and the others read it.
     *
     * @param file the key ring file; its directory is created if missing
     * @return the ring in the file, or the new one written to it
     * @throws IllegalArgumentException naming the file, when it cannot be read, parsed or created
     */
    public static SessionKeyRing loadOrCreate(Path file) {
        if (Files.exists(file)) {
            return load(file);
        }
        SessionKeyRing ring = generate();
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".session-keys", ".tmp");
            try {
                restrict(tmp);
                Files.writeString(tmp, ring.toJson(), StandardCharsets.UTF_8);
                try {
                    Files.createLink(file, tmp); // fails if another process was first
                } catch (UnsupportedOperationException e) {
                    Files.move(tmp, file);
                }
            } catch (FileAlreadyExistsException e) {
                return load(file);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot create the session keys: " + e.getMessage());
        }
        return ring;
    }

    private static void restrict(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory's permissions protect it
        }
    }

    /**
     * A new ring with a fresh key first and these keys after it. This ring is not changed.
     *
     * @return the rotated ring; save it with {@link #toJson()} to keep it
     */
    public SessionKeyRing rotate() {
        List<Key> next = new ArrayList<>();
        next.add(newKey());
        next.addAll(keys);
        return new SessionKeyRing(next);
    }

    /**
     * The JSON form, for saving. Contains the keys: write it only to a protected file.
     *
     * @return the JSON text, newest key first, ending with a newline
     */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode array = root.putArray("keys");
        keys.forEach(k -> array.add(Base64.getUrlEncoder().withoutPadding().encodeToString(k.secret().getEncoded())));
        return root.toPrettyString() + "\n";
    }

    /**
     * The key that seals.
     *
     * @return the first key
     */
    public Key current() {
        return keys.get(0);
    }

    /**
     * The key with this id, to open a cookie sealed under it.
     *
     * @param id a key id, as in a sealed cookie's header
     * @return the key, or empty when no key of the ring has that id (it was rotated out, or the cookie is forged)
     */
    public Optional<Key> find(String id) {
        return keys.stream().filter(k -> k.id().equals(id)).findFirst();
    }

    /**
     * Every key of the ring, the current one first: what opens a cookie (or verifies a registry token) made under any
     * of them.
     *
     * @return the keys, newest first, unmodifiable
     */
    public List<Key> keys() {
        return keys;
    }

    /**
     * How many keys the ring holds.
     *
     * @return at least 1
     */
    public int size() {
        return keys.size();
    }

    @Override
    public String toString() {
        return "SessionKeyRing" + keys.stream().map(Key::id).toList();
    }

    /** A key as the JSON form writes it (base64url); anything else decodes to no bytes, which the length check names. */
    private static byte[] decode(String text) {
        try {
            return Base64.getUrlDecoder().decode(text.replace("=", ""));
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private static Key newKey() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return key(raw);
    }

    private static Key key(byte[] raw) {
        if (raw.length != 32) {
            throw new IllegalArgumentException("a session key must be 32 bytes, got " + raw.length);
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(raw);
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 8);
            return new Key(id, new SecretKeySpec(raw.clone(), "AES"));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
