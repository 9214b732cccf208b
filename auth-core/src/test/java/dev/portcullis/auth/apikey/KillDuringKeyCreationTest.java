package dev.portcullis.auth.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry process killed with SIGKILL while it creates keys leaves its SQLite store consistent:
 * every key it handed out is there and verifies, any other key is complete or absent, and the
 * store opens and takes new keys without repair. The child process creates keys as fast as it can,
 * so the kill lands inside a creation (Argon2, the insert, the commit) at an arbitrary point.
 */
class KillDuringKeyCreationTest {
    @TempDir
    Path dir;

    /** The child: creates keys until it is killed, printing each token once {@code create} has returned. */
    public static void main(String[] args) {
        ApiKeyService keys = ApiKeyService.builder(JdbcApiKeyStore.open(args[0])).hasher(new Argon2Hasher(256, 1, 1)).build();
        for (int i = 0; ; i++) {
            System.out.println(keys.create(new ApiKeyService.KeyRequest("ci", List.of("ci"), "key " + i, List.of(), null, "crash test")).token());
            System.out.flush();
        }
    }

    @Test
    void everyKeyIsFullyThereOrAbsentAfterKill9() throws Exception {
        Path db = dir.resolve("keys.db");
        List<String> handedOut = new ArrayList<>();
        for (int round = 1; round <= 3; round++) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), KillDuringKeyCreationTest.class.getName(), db.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            int target = handedOut.size() + 20 * round;
            while (handedOut.size() < target) {
                String line = out.readLine();
                assertThat(line).as("the child stopped creating keys").isNotNull();
                handedOut.add(line);
            }
            // SIGKILL: no shutdown hook, no close, mid-creation (kill(1), since Process.destroyForcibly closes the pipe we still read)
            assertThat(new ProcessBuilder("kill", "-9", Long.toString(child.pid())).start().waitFor()).isZero();
            assertThat(child.waitFor()).isEqualTo(137);
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                handedOut.add(line); // printed before the kill
            }

            try (ApiKeyService keys = ApiKeyService.builder(JdbcApiKeyStore.open(db.toString())).hasher(new Argon2Hasher(256, 1, 1)).build()) {
                for (String token : handedOut) {
                    assertThat(keys.verify(token)).as("handed out before the kill, so it must be there").isInstanceOf(KeyVerification.Valid.class);
                }
                List<ApiKey> stored = keys.list("ci");
                assertThat(stored.size()).as("plus at most one key per kill, committed but not yet printed")
                        .isBetween(handedOut.size(), handedOut.size() + round);
                for (ApiKey key : stored) {
                    assertThat(key.label()).startsWith("key ");
                    assertThat(key.createdAt()).isNotNull();
                    assertThat(key.ownerGroups()).containsExactly("ci");
                }
                String fresh = keys.create(new ApiKeyService.KeyRequest("ops", List.of(), "after the crash", List.of(), null, "test")).token();
                assertThat(keys.verify(fresh)).isInstanceOf(KeyVerification.Valid.class);
            }
        }
    }
}
