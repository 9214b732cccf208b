package dev.portcullis.examples.registry;

import dev.portcullis.auth.Outcome.WriteCondition;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The registry's content on disk, under one directory:
 * <pre>
 * blobs/sha256/HEX                       content, addressed by digest (shared by all repositories)
 * repositories/NAME/_blobs/HEX           NAME holds this blob (empty file)
 * repositories/NAME/_manifests/HEX       NAME holds this manifest; the file holds its media type
 * repositories/NAME/_tags/TAG            the tag; the file holds the manifest digest
 * uploads/ID/{data,repository}           an upload in progress and the repository it belongs to
 * </pre>
 * Underscored directories cannot clash with repository name components, which start with a letter
 * or digit. Every write goes to a temporary file first and is moved into place. Tags change under a lock per repository
 * (this process is the registry's only writer), so that a conditional push checks and writes in one step.
 */
final class Storage {
    static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");
    static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

    private final Path root;
    private final Path blobs;
    private final Path repositories;
    private final Path uploads;
    private final Object[] tagLocks = new Object[64];

    Storage(Path root) {
        this.root = root;
        this.blobs = root.resolve("blobs/sha256");
        this.repositories = root.resolve("repositories");
        this.uploads = root.resolve("uploads");
        java.util.Arrays.setAll(tagLocks, i -> new Object());
        try {
            Files.createDirectories(blobs);
            Files.createDirectories(repositories);
            Files.createDirectories(uploads);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the registry's storage under " + root, e);
        }
    }

    Path root() {
        return root;
    }

    /** A stored manifest. */
    record Manifest(String digest, String mediaType, byte[] content) {
    }

    /** The digest did not match the content. */
    static final class DigestMismatch extends Exception {
        private static final long serialVersionUID = 1L;

        DigestMismatch(String message) {
            super(message, null, false, false);
        }
    }

    private Path repo(String name) {
        return repositories.resolve(name);
    }

    private static String hex(String digest) {
        return digest.substring("sha256:".length());
    }

    // ------------------------------------------------------------------ blobs

    /** The blob's file, if {@code repository} holds it. */
    Optional<Path> blob(String repository, String digest) {
        Path link = repo(repository).resolve("_blobs").resolve(hex(digest));
        Path data = blobs.resolve(hex(digest));
        return Files.exists(link) && Files.exists(data) ? Optional.of(data) : Optional.empty();
    }

    void link(String repository, String digest) throws IOException {
        Path dir = Files.createDirectories(repo(repository).resolve("_blobs"));
        try {
            Files.createFile(dir.resolve(hex(digest)));
        } catch (FileAlreadyExistsException e) {
            // already linked
        }
    }

    boolean unlink(String repository, String digest) throws IOException {
        return Files.deleteIfExists(repo(repository).resolve("_blobs").resolve(hex(digest)));
    }

    /** Moves a finished upload into the blob store if its content has the digest; returns it. */
    private String commit(Path file, String expected) throws IOException, DigestMismatch {
        String actual = "sha256:" + sha256(file);
        if (!actual.equals(expected)) {
            throw new DigestMismatch("the content's digest is " + actual + ", not " + expected);
        }
        move(file, blobs.resolve(hex(actual)));
        return actual;
    }

    // ------------------------------------------------------------------ uploads

    String startUpload(String repository) throws IOException {
        String id = UUID.randomUUID().toString();
        Path dir = Files.createDirectories(uploads.resolve(id));
        Files.writeString(dir.resolve("repository"), repository, StandardCharsets.UTF_8);
        Files.createFile(dir.resolve("data"));
        return id;
    }

    /** The upload's current size, if it exists and belongs to {@code repository}. */
    Optional<Long> uploadSize(String repository, String id) throws IOException {
        if (!id.matches("[0-9a-f-]{36}")) {
            return Optional.empty();
        }
        Path dir = uploads.resolve(id);
        try {
            if (!Files.readString(dir.resolve("repository"), StandardCharsets.UTF_8).equals(repository)) {
                return Optional.empty(); // an upload session of another repository is not this one's
            }
            return Optional.of(Files.size(dir.resolve("data")));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Appends a chunk; returns the new size. */
    long append(String id, InputStream chunk) throws IOException {
        Path data = uploads.resolve(id).resolve("data");
        try (OutputStream out = Files.newOutputStream(data, StandardOpenOption.APPEND)) {
            chunk.transferTo(out);
        }
        return Files.size(data);
    }

    /** Completes an upload: its content must have {@code digest}; the blob is linked into the repository. */
    void finishUpload(String repository, String id, String digest) throws IOException, DigestMismatch {
        Path dir = uploads.resolve(id);
        try {
            commit(dir.resolve("data"), digest);
            link(repository, digest);
        } finally {
            cancelUpload(id);
        }
    }

    void cancelUpload(String id) throws IOException {
        Path dir = uploads.resolve(id);
        Files.deleteIfExists(dir.resolve("data"));
        Files.deleteIfExists(dir.resolve("repository"));
        Files.deleteIfExists(dir);
    }

    /** A blob sent in one request ({@code POST …/uploads/?digest=}). */
    void putBlob(String repository, InputStream content, String digest) throws IOException, DigestMismatch {
        Path tmp = Files.createTempFile(uploads, "monolithic", ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                content.transferTo(out);
            }
            commit(tmp, digest);
            link(repository, digest);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // ------------------------------------------------------------------ manifests and tags

    /** The manifest named by a tag or a digest. */
    Optional<Manifest> manifest(String repository, String reference) throws IOException {
        String digest = reference;
        if (!DIGEST.matcher(reference).matches()) {
            Path tag = repo(repository).resolve("_tags").resolve(reference);
            if (!TAG.matcher(reference).matches() || !Files.exists(tag)) {
                return Optional.empty();
            }
            digest = Files.readString(tag, StandardCharsets.UTF_8).strip();
        }
        Path link = repo(repository).resolve("_manifests").resolve(hex(digest));
        try {
            String mediaType = Files.readString(link, StandardCharsets.UTF_8).strip();
            return Optional.of(new Manifest(digest, mediaType, Files.readAllBytes(blobs.resolve(hex(digest)))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    boolean hasManifest(String repository, String digest) {
        return Files.exists(repo(repository).resolve("_manifests").resolve(hex(digest)));
    }

    boolean tagExists(String repository, String tag) {
        return TAG.matcher(tag).matches() && Files.exists(repo(repository).resolve("_tags").resolve(tag));
    }

    /** A tag push's condition did not hold when it was to commit: nothing was stored. */
    static final class ConditionFailed extends Exception {
        private static final long serialVersionUID = 1L;

        ConditionFailed() {
            super(null, null, false, false);
        }
    }

    /**
     * Stores a manifest under its digest and, for a tag reference, points the tag at it; with {@code expect} (not null),
     * only if the tag is still absent (or present) at that moment, checked and written under the repository's lock, so
     * that a push allowed only as a create can never replace a tag someone else published meanwhile.
     *
     * @throws ConditionFailed when the tag is not as {@code expect} says; nothing is stored
     */
    String putManifest(String repository, String reference, String mediaType, byte[] content, WriteCondition.@Nullable Expect expect)
            throws IOException, DigestMismatch, ConditionFailed {
        String digest = "sha256:" + HexFormat.of().formatHex(sha256().digest(content));
        if (DIGEST.matcher(reference).matches() && !reference.equals(digest)) {
            throw new DigestMismatch("the manifest's digest is " + digest + ", not " + reference);
        }
        synchronized (lock(repository)) {
            if (expect != null && tagExists(repository, reference) != (expect == WriteCondition.Expect.PRESENT)) {
                throw new ConditionFailed();
            }
            store(repository, reference, mediaType, content, digest);
        }
        return digest;
    }

    private void store(String repository, String reference, String mediaType, byte[] content, String digest) throws IOException {
        Path tmp = Files.createTempFile(uploads, "manifest", ".tmp");
        Files.write(tmp, content);
        move(tmp, blobs.resolve(hex(digest)));
        Path manifests = Files.createDirectories(repo(repository).resolve("_manifests"));
        if (!Files.exists(manifests.resolve(hex(digest)))) {
            // content-addressed: a push of the same bytes (by digest, which needs only create) changes nothing stored
            writeAtomically(manifests.resolve(hex(digest)), mediaType);
        }
        if (!DIGEST.matcher(reference).matches()) {
            writeAtomically(Files.createDirectories(repo(repository).resolve("_tags")).resolve(reference), digest);
        }
    }

    /** The lock under which a repository's tags change: one of a fixed set, so that any number of repositories costs nothing. */
    private Object lock(String repository) {
        return tagLocks[Math.floorMod(repository.hashCode(), tagLocks.length)];
    }

    /** What a manifest deletion did. */
    enum Deletion {
        DELETED,
        NOT_FOUND,
        /** zot's detectManifestCollision: the digest is named by more than one tag, and nothing was deleted. */
        COLLISION
    }

    /**
     * Deletes a tag, or a manifest by digest together with the tags that point at it; with {@code detectCollision} (zot's
     * rule), a digest that more than one tag names is left alone.
     */
    Deletion deleteManifest(String repository, String reference, boolean detectCollision) throws IOException {
        synchronized (lock(repository)) {
            return delete(repository, reference, detectCollision);
        }
    }

    private Deletion delete(String repository, String reference, boolean detectCollision) throws IOException {
        Path tags = repo(repository).resolve("_tags");
        if (!DIGEST.matcher(reference).matches()) {
            return TAG.matcher(reference).matches() && Files.deleteIfExists(tags.resolve(reference)) ? Deletion.DELETED : Deletion.NOT_FOUND;
        }
        List<Path> naming = new ArrayList<>();
        for (String tag : tags(repository).orElse(List.of())) {
            Path t = tags.resolve(tag);
            if (Files.readString(t, StandardCharsets.UTF_8).strip().equals(reference)) {
                naming.add(t);
            }
        }
        if (detectCollision && naming.size() > 1) {
            return Deletion.COLLISION;
        }
        boolean deleted = Files.deleteIfExists(repo(repository).resolve("_manifests").resolve(hex(reference)));
        for (Path t : naming) {
            Files.deleteIfExists(t);
        }
        return deleted ? Deletion.DELETED : Deletion.NOT_FOUND;
    }

    /** The repository's tags, sorted; empty if there is no such repository. */
    Optional<List<String>> tags(String repository) throws IOException {
        Path dir = repo(repository);
        if (!Files.isDirectory(dir.resolve("_manifests")) && !Files.isDirectory(dir.resolve("_tags"))) {
            return Optional.empty();
        }
        Path tags = dir.resolve("_tags");
        if (!Files.isDirectory(tags)) {
            return Optional.of(List.of());
        }
        try (Stream<Path> s = Files.list(tags)) {
            return Optional.of(s.map(p -> p.getFileName().toString()).filter(n -> TAG.matcher(n).matches()).sorted().toList());
        }
    }

    /** Every repository that holds a manifest, sorted. */
    List<String> repositories() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(repositories)) {
            s.filter(p -> p.getFileName().toString().equals("_manifests") && Files.isDirectory(p))
                    .map(p -> repositories.relativize(p.getParent()).toString().replace('\\', '/'))
                    .forEach(out::add);
        }
        out.sort(null);
        return out;
    }

    // ------------------------------------------------------------------ helpers

    /** Moves a finished temporary file into place, atomically where the file system can. */
    static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (DirectoryNotEmptyException e) {
            throw new IOException("cannot replace " + to, e);
        }
    }

    private void writeAtomically(Path file, String text) throws IOException {
        Path tmp = Files.createTempFile(uploads, "write", ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        move(tmp, file);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = Files.newInputStream(file); OutputStream sink = new DigestOutputStream(OutputStream.nullOutputStream(), md)) {
            in.transferTo(sink);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
