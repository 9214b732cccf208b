package dev.portcullis.auth.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite key store's files on disk: owner-only when the store creates them, reported when others can reach them. */
class SqliteKeyStoreFilesTest {
    @TempDir
    Path dir;

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void aNewStoreItsDirectoryAndTheFilesSqliteAddsAreOwnerOnly() throws Exception {
        Path file = dir.resolve("data/nested/keys.db");
        try (JdbcApiKeyStore store = JdbcApiKeyStore.open(file.toString());
                ApiKeyService keys = ApiKeyService.builder(store).hasher(ApiKeyServiceTest.FAST).build()) {
            keys.create(new ApiKeyService.KeyRequest("ci", List.of(), "ci", List.of(), null, "test"));
            assertThat(mode(dir.resolve("data"))).isEqualTo("rwx------");
            assertThat(mode(dir.resolve("data/nested"))).isEqualTo("rwx------");
            assertThat(mode(file)).isEqualTo("rw-------");
            // the write-ahead log and its index, while the store is open
            assertThat(mode(file.resolveSibling("keys.db-wal"))).isEqualTo("rw-------");
            assertThat(mode(file.resolveSibling("keys.db-shm"))).isEqualTo("rw-------");
            assertThat(SqliteFiles.sharedAccess(file)).isEmpty();
        }
    }

    @Test
    void existingFilesThatOthersCanReachKeepTheirModeAndAreReportedWithTheFix() throws Exception {
        Path data = dir.resolve("data");
        Path file = data.resolve("keys.db");
        JdbcApiKeyStore.open(file.toString()).close();
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxr-x"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        JdbcApiKeyStore.open(file.toString()).close();
        assertThat(mode(data)).isEqualTo("rwxrwxr-x");
        assertThat(mode(file)).isEqualTo("rw-r--r--");
        assertThat(SqliteFiles.sharedAccess(file)).containsExactly(
                "the key store's directory " + data + " is rwxrwxr-x: other users can replace the key store in it; make it owner-only:"
                        + " chmod 700 " + data,
                "the key store " + file + " is rw-r--r--: it holds the keys' owners and hashes, for this process alone; make it"
                        + " owner-only: chmod 600 " + file);
    }

    @Test
    void aDirectoryOthersMayOnlyListIsNotReported() throws Exception {
        Path file = dir.resolve("keys.db");
        JdbcApiKeyStore.open(file.toString()).close();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(SqliteFiles.sharedAccess(file)).isEmpty();
    }

    @Test
    void withoutPosixPermissionsTheFilesAreCreatedAsTheFileSystemCreatesThemAndNotChecked() throws Exception {
        try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + dir.resolve("store.zip").toUri()), Map.of("create", "true"))) {
            Path file = zip.getPath("/data/keys.db");
            SqliteFiles.createOwnerOnly(file);
            assertThat(file).isRegularFile();
            assertThat(SqliteFiles.sharedAccess(file)).isEmpty();
        }
    }
}
