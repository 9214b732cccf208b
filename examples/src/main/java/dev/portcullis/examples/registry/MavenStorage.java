package dev.portcullis.examples.registry;

import dev.portcullis.auth.Outcome.WriteCondition;
import dev.portcullis.auth.routes.MavenMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Hosted Maven repositories on disk: {@code ROOT/<repository-id>/<the Maven 2 layout>}, one directory per repository
 * named when the store is made. A file is written to a temporary file first and moved into place under a lock per
 * artifact directory, where its write condition is checked in the same step, so that a create-only deploy never
 * replaces what someone else published meanwhile, and a metadata write that only may add is compared with the metadata
 * there at that moment. Checksum files must match the file they are the checksum of; a file replaced loses its stale
 * checksums and signature.
 */
final class MavenStorage {
    /** Checksums a deploy uploads beside each file, by extension: the JDK's names for them. */
    static final Map<String, String> CHECKSUMS = Map.of("md5", "MD5", "sha1", "SHA-1", "sha256", "SHA-256", "sha512", "SHA-512");

    private final Path root;
    private final Set<String> repositories;
    private final Object[] locks = new Object[64];

    MavenStorage(Path root, Set<String> repositories) {
        this.root = root;
        this.repositories = Set.copyOf(repositories);
        java.util.Arrays.setAll(locks, i -> new Object());
        try {
            for (String r : repositories) {
                Files.createDirectories(root.resolve(r));
            }
            Files.createDirectories(root.resolve(".incoming"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Maven repositories under " + root, e);
        }
    }

    Set<String> repositories() {
        return repositories;
    }

    /** Whether a repository of this store holds the file at this path (below the routes' prefix). */
    boolean exists(String path) {
        Path f = file(path);
        return f != null && Files.isRegularFile(f);
    }

    /** The stored file, if there is one. */
    Optional<Path> read(String path) {
        Path f = file(path);
        return f != null && Files.isRegularFile(f) ? Optional.of(f) : Optional.empty();
    }

    /** A directory's entries (directories end in {@code /}), if there is such a directory. */
    Optional<List<String>> list(String path) throws IOException {
        Path dir = file(path);
        if (dir == null || !Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return Optional.of(entries.filter(p -> !p.getFileName().toString().startsWith("."))
                    .map(p -> p.getFileName() + (Files.isDirectory(p) ? "/" : "")).sorted().toList());
        }
    }

    /** The request could not be stored as it is: the answer says why. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /** The write condition no longer held when the write was to commit: nothing was stored. */
    static final class ConditionFailed extends Exception {
        private static final long serialVersionUID = 1L;

        ConditionFailed(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Stores {@code content} at {@code path}, up to {@code limit} bytes: under the artifact directory's lock, it checks
     * the condition against what is there (absent, present, or only adding to the metadata there), checks a checksum
     * against its file, and moves the file into place.
     *
     * @return whether the file was created (rather than replaced)
     */
    boolean write(String path, InputStream content, long limit, @Nullable WriteCondition condition)
            throws IOException, Refused, ConditionFailed {
        Path target = existing(path);
        Path incoming = Files.createTempFile(root.resolve(".incoming"), "put", ".tmp");
        try {
            long size;
            try (var out = Files.newOutputStream(incoming)) {
                size = content.transferTo(new BoundedOutputStream(out, limit));
            }
            if (size == 0) {
                throw new Refused(400, "the request has no body: send the file's content");
            }
            String checksum = checksumAlgorithm(path);
            synchronized (lock(target)) {
                boolean exists = Files.isRegularFile(target);
                check(condition, target, exists, incoming);
                if (checksum != null) {
                    verifyChecksum(path, target, checksum, incoming);
                }
                Files.createDirectories(Objects.requireNonNull(target.getParent(), "a repository's file is in a directory"));
                Storage.move(incoming, target);
                if (exists) {
                    dropDerived(target); // its checksums and signature were of the old content
                }
                return !exists;
            }
        } finally {
            Files.deleteIfExists(incoming);
        }
    }

    /** Metadata must be metadata, whoever writes it; a write's condition must hold. */
    private static void check(@Nullable WriteCondition condition, Path target, boolean exists, Path incoming)
            throws IOException, Refused, ConditionFailed {
        boolean onlyAdds = condition != null && condition.expect() == WriteCondition.Expect.ONLY_ADDS;
        if (condition != null && !onlyAdds && !condition.holds(exists)) {
            throw new ConditionFailed(exists ? "it was published meanwhile" : "it was deleted meanwhile");
        }
        if (target.getFileName().toString().equals("maven-metadata.xml")) {
            try {
                Optional<String> loss = MavenMetadata.loss(onlyAdds && exists ? Files.readAllBytes(target) : null, Files.readAllBytes(incoming));
                if (loss.isPresent()) {
                    throw new ConditionFailed("the new metadata " + loss.get());
                }
            } catch (MavenMetadata.InvalidMetadataException e) {
                throw new Refused(400, String.valueOf(e.getMessage()));
            }
        }
        if (!onlyAdds) {
            return;
        }
        // a metadata checksum or signature: a checksum must match the metadata there (checked for every caller below); a
        // signature cannot be judged here, so one only adds where there was none
        if (target.getFileName().toString().endsWith(".asc") && exists) {
            throw new ConditionFailed("it replaces the metadata's signature");
        }
    }

    private void verifyChecksum(String path, Path target, String algorithm, Path incoming) throws IOException, Refused {
        Path of = target.resolveSibling(target.getFileName().toString().replaceFirst("\\.[a-z0-9]+$", ""));
        if (!Files.isRegularFile(of)) {
            throw new Refused(409, path + " is the checksum of " + of.getFileName() + ", which is not stored: upload that file first");
        }
        String sent = Files.readString(incoming, StandardCharsets.ISO_8859_1).strip();
        int space = sent.indexOf(' '); // "<hex>  <file name>", as sha1sum writes it, is accepted too
        String hex = (space < 0 ? sent : sent.substring(0, space)).toLowerCase(Locale.ROOT);
        String actual = digest(of, algorithm);
        if (!hex.equals(actual)) {
            throw new Refused(400, path + " does not match " + of.getFileName() + ": its " + algorithm + " is " + actual);
        }
    }

    /** Deletes a file, and its checksums and signature with it. */
    boolean delete(String path) throws IOException, Refused {
        Path target = existing(path);
        synchronized (lock(target)) {
            if (!Files.deleteIfExists(target)) {
                return false;
            }
            dropDerived(target);
            return true;
        }
    }

    private static void dropDerived(Path file) throws IOException {
        String name = file.getFileName().toString();
        for (String suffix : List.of(".asc", "")) {
            for (String ext : CHECKSUMS.keySet()) {
                Files.deleteIfExists(file.resolveSibling(name + suffix + "." + ext));
            }
        }
        Files.deleteIfExists(file.resolveSibling(name + ".asc"));
    }

    /** The JDK algorithm a checksum file's extension names, or null for any other file. */
    static @Nullable String checksumAlgorithm(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? null : CHECKSUMS.get(path.substring(dot + 1));
    }

    static String digest(Path file, String algorithm) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    md.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is a JDK algorithm", e);
        }
    }

    /** The file for a path the routes accepted, in a repository of this store (never outside it), or null. */
    private @Nullable Path file(String path) {
        String repository = path.split("/", 2)[0];
        Path f = root.resolve(path).normalize();
        return repositories.contains(repository) && f.startsWith(root.resolve(repository)) ? f : null;
    }

    private Path existing(String path) throws Refused {
        Path f = file(path);
        if (f == null) {
            throw new Refused(404, "no repository '" + path.split("/", 2)[0] + "' here; the repositories are " + String.join(", ",
                    new java.util.TreeSet<>(repositories)));
        }
        return f;
    }

    /** The lock of a file's directory: a file, its checksums and signature, and (for metadata) its index's neighbours. */
    private Object lock(Path file) {
        return locks[Math.floorMod(Objects.hashCode(file.getParent()), locks.length)];
    }

    /** Refuses more than a limit of bytes. */
    private static final class BoundedOutputStream extends java.io.FilterOutputStream {
        private final long limit;
        private long written;

        BoundedOutputStream(java.io.OutputStream out, long limit) {
            super(out);
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            count(1);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            count(len);
            out.write(b, off, len);
        }

        private void count(int n) throws IOException {
            written += n;
            if (written > limit) {
                throw new TooLarge(limit);
            }
        }
    }

    /** A body over its limit. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;
        final long limit;

        TooLarge(long limit) {
            super("larger than " + limit + " bytes");
            this.limit = limit;
        }
    }
}
