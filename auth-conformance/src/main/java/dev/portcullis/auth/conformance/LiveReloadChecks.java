package dev.portcullis.auth.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.ConfigReloads;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.PortcullisConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;

/**
 * What an adapter must show of zot's live reload: a server built from a configuration file decides by a new policy once
 * the file changes, and a request decided before the change (a PUT waiting for {@code 100 Continue}) finishes by the
 * policy it started with. Write the file with {@link #writeConfig}, build with {@link #load}, start the adapter in front
 * of {@link EchoApplication}, and run {@link #check}.
 */
public final class LiveReloadChecks {
    private LiveReloadChecks() {
    }

    private static final String ALICE = "Basic " + Base64.getEncoder().encodeToString("alice:pw".getBytes(StandardCharsets.UTF_8));

    /**
     * Writes {@code config.json} (alice of an htpasswd file may read, and push when {@code push}) into {@code dir}.
     *
     * @param dir where
     * @param push whether alice may create and update
     * @return the file
     * @throws IOException when it cannot be written
     */
    public static Path writeConfig(Path dir, boolean push) throws IOException {
        Path htpasswd = dir.resolve("htpasswd");
        if (!Files.exists(htpasswd)) {
            Files.writeString(htpasswd, "alice:" + at.favre.lib.crypto.bcrypt.BCrypt.withDefaults().hashToString(4, "pw".toCharArray()) + "\n");
        }
        return Files.writeString(dir.resolve("config.json"), """
                {"http": {"auth": {"htpasswd": {"path": "htpasswd"}},
                          "accessControl": {"repositories": {"**": {"policies": [{"users": ["alice"], "actions": [%s]}]}}}}}
                """.formatted(push ? "\"read\", \"create\", \"update\"" : "\"read\""));
    }

    /**
     * The Portcullis of the file, watching it.
     *
     * @param config the file
     * @return a new instance
     */
    public static Portcullis load(Path config) {
        return PortcullisConfig.load(config).build();
    }

    /**
     * Checks the server at 127.0.0.1:{@code port}, built with {@link #load} from {@code dir}'s file that allows pushes.
     *
     * @param port the server's port
     * @param dir the file's directory
     * @param portcullis the instance the server runs
     * @throws Exception when a request fails
     */
    public static void check(int port, Path dir, Portcullis portcullis) throws Exception {
        assertThat(RawHttp.send(port, "PUT", "/v2/team/app/manifests/v1", List.of("Authorization: " + ALICE), "{}".getBytes(StandardCharsets.UTF_8))
                .status()).isEqualTo(201);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("PUT /v2/team/app/manifests/v2 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + ALICE
                    + "\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            assertThat(head(in)).as("decided, and waiting for its body").startsWith("HTTP/1.1 100");

            writeConfig(dir, false);
            await(portcullis, r -> r.applied() == 1);
            assertThat(RawHttp.send(port, "PUT", "/v2/team/app/manifests/v3", List.of("Authorization: " + ALICE),
                    "{}".getBytes(StandardCharsets.UTF_8)).status()).as("a request after the change: the new policy").isEqualTo(403);

            out.write("{}".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(head(in)).as("the request under way finishes by the policy it started with").startsWith("HTTP/1.1 201");
        }
    }

    /** Reads a response head (up to the blank line). */
    private static String head(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private static void await(Portcullis p, Predicate<ConfigReloads> done) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        while (!done.test(p.reloads()) && Instant.now().isBefore(deadline)) {
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // the watcher runs on its own thread
        }
        assertThat(done.test(p.reloads())).as("the watcher saw the change: %s", p.reloads()).isTrue();
    }
}
