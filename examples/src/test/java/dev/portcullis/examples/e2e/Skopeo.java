package dev.portcullis.examples.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The real {@code skopeo} client (Debian's package: {@value #INSTALL}) in a child process, for end-to-end tests:
 * each call runs to completion within {@link #TIMEOUT} and returns its exit code and its stdout and stderr, merged.
 *
 * <p>Hermetic: every call gets {@code --insecure-policy} (no trust policy is read, so none is needed; without it
 * skopeo {@code copy} fails with "Error loading trust policy" where neither {@code $HOME/.config/containers/policy.json}
 * nor {@code /etc/containers/policy.json} exists) and {@code --tmpdir} in this instance's directory. HOME,
 * XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_RUNTIME_DIR, REGISTRY_AUTH_FILE and CONTAINERS_REGISTRIES_CONF point into that
 * directory too (an empty {@code registries.conf}) and DOCKER_CONFIG is unset, so skopeo never reads nor writes the
 * user's auth files ({@code ~/.docker/config.json}, {@code containers/auth.json}) or registry settings. One thing
 * stays shared: run as root, skopeo keeps its blob-location cache in
 * {@code /var/lib/containers/cache/blob-info-cache-v1.boltdb} whatever HOME says (see "Pushing" below).
 *
 * <h2>Registries over plain http</h2>
 * Pass {@code --dest-tls-verify=false} (pushing) or {@code --src-tls-verify=false} (pulling; {@code inspect} and
 * {@code list-tags} take {@code --tls-verify=false}, {@code --creds} and {@code --no-creds}) with a
 * {@code docker://127.0.0.1:PORT/repo:tag} reference; without it skopeo fails with "tls: first record does not look
 * like a TLS handshake".
 * skopeo then first tries https (a TLS ClientHello on the plain port, which the server must answer with an error or
 * a close, not leave hanging) and falls back to http for the whole command. Credentials: {@code --dest-creds user:secret}
 * / {@code --src-creds user:secret}, or {@code --src-no-creds} / {@code --dest-no-creds} for anonymous access.
 * skopeo sends {@code GET /v2/} without credentials first; after a {@code 401} with
 * {@code WWW-Authenticate: Basic ...} it sends {@code Authorization: Basic} on every later request of the command,
 * even with {@code --src-no-creds} (then {@code Basic Og==}: an empty user and password), so a registry must treat
 * that as anonymous or refuse it; a {@code 200} on {@code /v2/} makes it send no Authorization at all.
 *
 * <h2>Pushing</h2>
 * Seen with skopeo 1.9.3 against a logging registry: per blob (layers, then the config) a {@code HEAD
 * /v2/<name>/blobs/<digest>} (twice for a layer), then a chunked-protocol upload, never a monolithic one:
 * {@code POST /v2/<name>/blobs/uploads/} (empty body), {@code PATCH <Location>} with the whole blob
 * ({@code application/octet-stream}, a Content-Length, no Content-Range), {@code PUT <Location>?digest=sha256%3A...}
 * with an empty body; then {@code PUT /v2/<name>/manifests/<tag>} with the manifest as it was in the source
 * (same digest). A blob that skopeo has pushed to another repository of the same host:port (its cache remembers it)
 * is first looked for there ({@code HEAD /v2/<other>/blobs/<digest>}; a 403 is fine) and then mounted:
 * {@code POST /v2/<name>/blobs/uploads/?from=<other>&mount=<digest>}; a {@code 201} ends it, a {@code 202} makes
 * skopeo {@code DELETE} the upload session it got and upload as above. Pulling asks
 * {@code GET /v2/<name>/manifests/<tag>} with six separate Accept headers (OCI manifest first) and then
 * {@code GET}s each blob.
 *
 * <pre>{@code
 * Skopeo skopeo = new Skopeo(tempDir);
 * skopeo.copy(image.reference(), "docker://127.0.0.1:" + port + "/team/app:v1",
 *         "--dest-tls-verify=false", "--dest-creds", "alice:secret").orFail();
 * }</pre>
 */
public final class Skopeo {
    /** How to get skopeo on Debian or Ubuntu. */
    public static final String INSTALL = "apt-get install skopeo";
    /** The longest that one call may take before skopeo is killed. */
    public static final Duration TIMEOUT = Duration.ofSeconds(120);

    /** What a call did: skopeo's exit code and its stdout and stderr, merged in the order written. */
    public record Result(int exitCode, String output) {
        public boolean succeeded() {
            return exitCode == 0;
        }

        /**
         * Returns this if skopeo exited with 0.
         *
         * @throws AssertionError with the exit code and the output otherwise
         */
        public Result orFail() {
            if (exitCode != 0) {
                throw new AssertionError("skopeo exited with code " + exitCode + "; its output:\n" + output);
            }
            return this;
        }
    }

    private final Path executable;
    private final Path dir;

    /**
     * Uses {@code dir} (created if need be; a test's temporary directory, say) for skopeo's HOME, runtime directory,
     * auth file and temporary files.
     *
     * @throws IllegalStateException if there is no {@code skopeo} on the PATH
     */
    public Skopeo(Path dir) throws IOException {
        this.executable = locate();
        this.dir = dir.toAbsolutePath();
        Files.createDirectories(this.dir.resolve("home/.config"));
        Files.createDirectories(this.dir.resolve("home/.local/share"));
        Files.createDirectories(this.dir.resolve("tmp"));
        Path runtime = Files.createDirectories(this.dir.resolve("run"));
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(this.dir.resolve("registries.conf"), "# empty: no mirrors, no blocked or insecure registries\n");
    }

    /** {@code skopeo copy [options] src dest}. */
    public Result copy(String src, String dest, String... options) throws IOException, InterruptedException {
        return run(concat(List.of("copy"), options, List.of(src, dest)));
    }

    /** {@code skopeo inspect [options] ref}; {@code --raw} prints the manifest exactly as stored. */
    public Result inspect(String ref, String... options) throws IOException, InterruptedException {
        return run(concat(List.of("inspect"), options, List.of(ref)));
    }

    /** {@code skopeo --insecure-policy --tmpdir <dir>/tmp args...}, for the other commands. */
    public Result run(String... args) throws IOException, InterruptedException {
        return run(List.of(args));
    }

    private Result run(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(executable.toString(), "--insecure-policy", "--tmpdir", dir.resolve("tmp").toString()));
        command.addAll(args);
        String shown = String.join(" ", command).replaceAll("(--(?:src-|dest-)?creds[ =])([^: ]*):\\S*", "$1$2:***");

        Path log = Files.createTempFile(dir.resolve("tmp"), "skopeo-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("HOME", dir.resolve("home").toString());
        env.put("XDG_CONFIG_HOME", dir.resolve("home/.config").toString());
        env.put("XDG_DATA_HOME", dir.resolve("home/.local/share").toString());
        env.put("XDG_RUNTIME_DIR", dir.resolve("run").toString());
        env.put("REGISTRY_AUTH_FILE", dir.resolve("auth.json").toString());
        env.put("CONTAINERS_REGISTRIES_CONF", dir.resolve("registries.conf").toString());
        env.remove("DOCKER_CONFIG");

        Process process = builder.start();
        try {
            process.getOutputStream().close(); // no terminal: a password prompt reads EOF instead of waiting
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IOException("skopeo did not finish within " + TIMEOUT.toSeconds() + " s and was killed: " + shown
                        + "\nits output so far:\n" + read(log));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            throw e;
        }
        Result result = new Result(process.exitValue(), read(log));
        System.out.println("[skopeo] " + shown + "\n[skopeo] exit " + result.exitCode() + "\n" + result.output());
        return result;
    }

    private static String read(Path log) throws IOException {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static List<String> concat(List<String> head, String[] middle, List<String> tail) {
        return Stream.of(head, Arrays.asList(middle), tail).flatMap(List::stream).collect(Collectors.toList());
    }

    private static Path locate() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String entry : path.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                Path candidate = Path.of(entry, "skopeo");
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException("skopeo is not on the PATH (" + path + "): the end-to-end tests drive the real client; "
                + "install it with `" + INSTALL + "` (Debian/Ubuntu, as root)");
    }
}
