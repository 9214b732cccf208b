package dev.portcullis.auth.apikey;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** A SQLite key store's files: created owner-only, and what is not owner-only about existing ones. */
final class SqliteFiles {
    private static final Set<PosixFilePermission> NOT_OWNER = EnumSet.range(PosixFilePermission.GROUP_READ,
            PosixFilePermission.OTHERS_EXECUTE);

    private SqliteFiles() {
    }

    /**
     * Creates the SQLite file, empty, and its directory unless they exist: owner-only (0600, 0700), where SQLite would make
     * the file 0644 under the usual umask. SQLite gives the files it adds beside the database (-wal, -shm, -journal) the
     * database's own mode. Existing files and directories keep theirs ({@link #sharedAccess} says what is wrong with them).
     * Where the file system has no POSIX permissions, both are created with what they inherit.
     */
    static void createOwnerOnly(Path file) {
        boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
        try {
            Files.createDirectories(file.getParent(), mode(posix, "rwx------"));
            if (!Files.exists(file)) {
                try {
                    Files.createFile(file, mode(posix, "rw-------"));
                } catch (FileAlreadyExistsException e) {
                    // another process created it meanwhile, as this one would have
                }
            }
        } catch (IOException e) {
            throw new ApiKeyStoreException("cannot create the key store " + file + ": " + e + "; make its directory writable by this"
                    + " process, or give another path", e);
        }
    }

    private static FileAttribute<?>[] mode(boolean posix, String permissions) {
        return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions))}
                : new FileAttribute<?>[0];
    }

    /**
     * What is not owner-only about a SQLite key store, one message each, naming the path and the fix: the database (or a
     * file SQLite keeps beside it) when other users have any permission on it, and its directory when they may write to
     * it (and so replace the database). A directory they may only list is not reported: the key store may be put in one
     * that is not its own. Empty where the file system has no POSIX permissions.
     */
    static List<String> sharedAccess(Path file) {
        List<String> problems = new ArrayList<>();
        Path dir = Objects.requireNonNull(file.toAbsolutePath().getParent(), "a file's directory");
        Set<PosixFilePermission> dirMode = permissions(dir);
        if (dirMode.contains(PosixFilePermission.GROUP_WRITE) || dirMode.contains(PosixFilePermission.OTHERS_WRITE)) {
            problems.add("the key store's directory " + dir + " is " + PosixFilePermissions.toString(dirMode)
                    + ": other users can replace the key store in it; make it owner-only: chmod 700 " + dir);
        }
        for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
            Path f = dir.resolve(file.getFileName() + suffix);
            Set<PosixFilePermission> mode = permissions(f);
            if (!Collections.disjoint(mode, NOT_OWNER)) {
                problems.add("the key store " + f + " is " + PosixFilePermissions.toString(mode) + ": it holds the keys' owners and"
                        + " hashes, for this process alone; make it owner-only: chmod 600 " + f);
            }
        }
        return problems;
    }

    /** A file's POSIX permissions; none when it is absent or the file system has no POSIX permissions. */
    private static Set<PosixFilePermission> permissions(Path path) {
        try {
            return Files.getPosixFilePermissions(path);
        } catch (IOException | UnsupportedOperationException e) {
            return Set.of();
        }
    }
}
