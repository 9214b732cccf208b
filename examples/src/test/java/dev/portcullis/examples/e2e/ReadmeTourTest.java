package dev.portcullis.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's 60-second tour, run as written in bash with the real skopeo, curl and docker, against the example registry
 * started as its first command says. What cannot run here as written is replaced, and only that:
 *
 * <ul>
 *   <li>the registry listens on a free port, not 5000 ({@code --port 0}; {@code 127.0.0.1:5000} becomes its address), and
 *       runs from this build's classes ({@code java -jar examples/target/portcullis-registry.jar} becomes {@code java -cp
 *       <the test class path> …RegistryCli}: the jar is packaged after these tests, from the same classes);</li>
 *   <li>alpine from Docker Hub is an image written here ({@code docker://docker.io/library/alpine:3} becomes an
 *       {@code oci:} layout): no network beyond loopback;</li>
 *   <li>{@code pck_…} is the key the tour's {@code keys create} printed, and {@code docker login}'s prompt ("paste the
 *       key") reads it from {@code --password-stdin};</li>
 *   <li>skopeo and docker are wrapped to keep to this test's directories (skopeo's trust policy and auth files, a private
 *       dockerd, as {@link Skopeo} and {@link Docker} do), and the image the tour pushes with docker is imported first.</li>
 * </ul>
 * Each command must exit as the tour implies, and what the tour says of its output must hold.
 */
@Tag("e2e")
class ReadmeTourTest {
    @TempDir
    Path dir;

    @Test
    void theTourRunsAsWritten() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        String readme = Files.readString(root.resolve("README.md"), StandardCharsets.UTF_8);
        String tour = readme.substring(readme.indexOf("## A 60-second tour"), readme.indexOf("\n## ", readme.indexOf("## A 60-second tour") + 1));
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("```sh\n(.*?)```", Pattern.DOTALL).matcher(tour);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        assertThat(blocks).as("keys, skopeo and curl, docker, the policy tool").hasSize(4);

        Path work = Files.createDirectories(dir.resolve("work")); // the reader's clone: ./data is made here
        for (String module : List.of("policy-dsl/target", "docs")) {
            Files.createDirectories(work.resolve(module).getParent());
            Files.createSymbolicLink(work.resolve(module), root.resolve(module));
        }
        String registryCommand = "java -cp '" + System.getProperty("java.class.path") + "' dev.portcullis.examples.registry.RegistryCli";
        String first = firstCommand(readme);
        assertThat(first).isEqualTo("mvn -B -q install -DskipTests && java -jar examples/target/portcullis-registry.jar");

        try (Docker docker = Docker.start(Files.createDirectories(dir.resolve("docker")))) {
            Path bin = wrappers(docker);
            Process registry = new ProcessBuilder("bash", "-c", registryCommand + " --port 0").directory(work.toFile())
                    .redirectErrorStream(true).start();
            try {
                int port = awaitPort(registry);
                String host = "127.0.0.1:" + port;
                OciLayout alpine = OciLayout.write(dir.resolve("alpine"), "3", 3, 2);
                docker.importImage(host + "/team/app:1", "the tour's image");
                Map<String, String> env = Map.of("PATH", bin + ":" + System.getenv("PATH"));

                String keys = run(work, env, sub(blocks.get(0), host, registryCommand, alpine, null), null);
                String[] lines = keys.strip().split("\n");
                String key = lines[lines.length - 1].strip();
                assertThat(key).as("the token is the last line").startsWith("pck_");

                String copied = run(work, env, sub(blocks.get(1), host, registryCommand, alpine, key), null);
                assertThat(copied).as("the catalog, then the metrics' first lines").contains("\"team/alpine\"").contains("# HELP");
                assertThat(Files.exists(work.resolve("alpine/index.json"))).as("pulled into oci:alpine:3").isTrue();

                String dockered = run(work, env, sub(blocks.get(2), host, registryCommand, alpine, key), key);
                assertThat(dockered).contains("Login Succeeded").contains("Removing login credentials");

                String policy = run(work, env, sub(blocks.get(3), host, registryCommand, alpine, key), null);
                assertThat(policy).contains("passed, 0 failed").contains("Denied: user 'ci' (groups: artifact-workloads) may not update"
                        + " 'team/app'");
            } finally {
                registry.destroy();
                registry.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** The README's command that builds and runs the registry. */
    private static String firstCommand(String readme) {
        Matcher m = Pattern.compile("```sh\n(mvn [^\n]*)\n```").matcher(readme);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    /** The substitutions the class comment lists, and nothing else. */
    private static String sub(String block, String host, String registryCommand, OciLayout alpine, String key) {
        String s = block.replace("java -jar examples/target/portcullis-registry.jar", registryCommand)
                .replace("127.0.0.1:5000", host)
                .replace("docker://docker.io/library/alpine:3", alpine.reference());
        if (key != null) {
            s = s.replace("pck_…", key);
        }
        return s.replaceAll("(docker login \\S+ --username \\S+)([ \\t]+#[^\n]*)?", "$1 --password-stdin");
    }

    /** skopeo and docker as the test's: hermetic, on the private daemon. */
    private Path wrappers(Docker docker) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path skopeoHome = Files.createDirectories(dir.resolve("skopeo/home"));
        Files.createDirectories(dir.resolve("skopeo/tmp"));
        Files.writeString(dir.resolve("skopeo/registries.conf"), "");
        write(bin.resolve("skopeo"), "#!/bin/sh\nunset DOCKER_CONFIG\nexport HOME='" + skopeoHome + "' REGISTRY_AUTH_FILE='" + dir.resolve("skopeo/auth.json")
                + "' CONTAINERS_REGISTRIES_CONF='" + dir.resolve("skopeo/registries.conf") + "'\nexec /usr/bin/skopeo --insecure-policy --tmpdir '"
                + dir.resolve("skopeo/tmp") + "' \"$@\"\n");
        write(bin.resolve("docker"), "#!/bin/sh\nexport DOCKER_CONFIG='" + docker.configDirectory() + "'\nexec /usr/bin/docker --host '"
                + docker.socket() + "' \"$@\"\n");
        write(bin.resolve("java"), "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' \"$@\"\n");
        return bin;
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The port the registry says it listens on; its output is read on (and dropped) so that it never blocks on a full pipe. */
    private static int awaitPort(Process registry) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(registry.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            StringBuilder seen = new StringBuilder();
            Pattern listening = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
            try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (!port.isDone()) {
                        seen.append(line).append('\n');
                        Matcher m = listening.matcher(line);
                        if (m.find()) {
                            port.complete(Integer.parseInt(m.group(1)));
                        }
                    }
                }
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IllegalStateException("the registry stopped before it listened:\n" + seen));
        }, "registry output");
        reader.setDaemon(true);
        reader.start();
        return port.get(60, TimeUnit.SECONDS);
    }

    /**
     * Runs a block's commands one by one in bash, as a reader pastes them, from the reader's clone, each with {@code stdin}
     * as its input; answers what they printed. Each must exit 0, but one the README follows with a {@code # Denied: …}
     * comment, which must exit 1 (the policy tool's answer for a denial).
     */
    private static String run(Path work, Map<String, String> env, String block, String stdin) throws Exception {
        StringBuilder printed = new StringBuilder();
        List<String> lines = List.of(block.replace("\\\n", " ").split("\n"));
        for (int i = 0; i < lines.size(); i++) {
            String command = lines.get(i).strip();
            if (command.isEmpty() || command.startsWith("#")) {
                continue;
            }
            int expected = i + 1 < lines.size() && lines.get(i + 1).strip().startsWith("# Denied:") ? 1 : 0;
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).directory(work.toFile()).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write((stdin + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as("%s\n-- printed --\n%s", command, output).isEqualTo(expected);
            printed.append(output);
        }
        return printed.toString();
    }
}
