package dev.portcullis.examples.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Docker's own daemon (Debian's {@code docker.io}, installed by {@code .ci/run}) for end-to-end tests, and the clients
 * that talk to a registry through it or beside it: {@code docker}, containerd's {@code ctr} (on the daemon's own
 * containerd) and {@code podman}. The daemon runs without containers or networks of its own ({@code vfs}, no iptables, no
 * bridge), with its data, exec root and socket in a directory of the test's, and stops with {@link #close()}. Images are
 * made with {@code docker import} of a small tar: nothing is downloaded. Every client keeps its credentials in that
 * directory too ({@code DOCKER_CONFIG}, podman's {@code --authfile}).
 *
 * <p>Docker treats registries on 127.0.0.0/8 as insecure, so it talks plain http to them; {@code ctr} needs
 * {@code --plain-http}, podman {@code --tls-verify=false}.
 */
final class Docker implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofMinutes(2);
    private final Path dir;
    private final Process daemon;
    private final String socket;

    /** What a client printed (stdout and stderr merged) and how it exited. */
    record Result(int exitCode, String output) {
        boolean succeeded() {
            return exitCode == 0;
        }

        Result orFail() {
            if (exitCode != 0) {
                throw new AssertionError("exit code " + exitCode + ": " + output);
            }
            return this;
        }
    }

    private Docker(Path dir, Process daemon) {
        this.dir = dir;
        this.daemon = daemon;
        this.socket = "unix://" + dir.resolve("run/docker.sock");
    }

    /** Whether the daemon and the clients are installed (by {@code .ci/run}). */
    static boolean installed() {
        return Files.isExecutable(Path.of("/usr/sbin/dockerd")) && Files.isExecutable(Path.of("/usr/bin/ctr"))
                && Files.isExecutable(Path.of("/usr/bin/podman")) && Files.isExecutable(Path.of("/usr/bin/docker"));
    }

    /** Starts a private daemon in {@code dir} and waits until it answers. */
    static Docker start(Path dir) throws IOException, InterruptedException {
        for (String d : List.of("data", "exec", "run", "config", "podman/root", "podman/runroot", "tmp")) {
            Files.createDirectories(dir.resolve(d));
        }
        ProcessBuilder pb = new ProcessBuilder("/usr/sbin/dockerd", "--storage-driver", "vfs", "--iptables=false", "--ip6tables=false",
                "--bridge=none", "--data-root", dir.resolve("data").toString(), "--exec-root", dir.resolve("exec").toString(),
                "--pidfile", dir.resolve("run/docker.pid").toString(), "--host", "unix://" + dir.resolve("run/docker.sock"),
                "--containerd-namespace", "portcullis-e2e", "--containerd-plugins-namespace", "portcullis-e2e-plugins")
                .redirectErrorStream(true).redirectOutput(dir.resolve("dockerd.log").toFile());
        Docker docker = new Docker(dir, pb.start());
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (!docker.docker("version").succeeded()) {
            if (!docker.daemon.isAlive() || Instant.now().isAfter(deadline)) {
                String log = Files.readString(dir.resolve("dockerd.log"), StandardCharsets.UTF_8);
                docker.close();
                throw new IllegalStateException("dockerd did not start: " + log.substring(Math.max(0, log.length() - 3000)));
            }
            docker.daemon.waitFor(200, TimeUnit.MILLISECONDS); // waits on the daemon, returning early if it died
        }
        return docker;
    }

    /** The daemon's socket, for {@code docker --host}. */
    String socket() {
        return socket;
    }

    /** The clients' configuration ({@code DOCKER_CONFIG}): where {@code docker login} keeps what it was given. */
    Path configDirectory() {
        return dir.resolve("config");
    }

    /** An image of one small file, named {@code reference}: {@code docker import} of a tar made here. */
    void importImage(String reference, String content) throws IOException, InterruptedException {
        Path src = Files.createDirectories(dir.resolve("tmp/" + Math.abs(content.hashCode())));
        Files.writeString(src.resolve("content.txt"), content);
        Path tar = src.resolveSibling(src.getFileName() + ".tar");
        run(List.of("tar", "-C", src.toString(), "-cf", tar.toString(), "content.txt"), Map.of()).orFail();
        docker("import", tar.toString(), reference).orFail();
    }

    Result docker(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/usr/bin/docker", "--host", socket));
        command.addAll(List.of(args));
        return run(command, Map.of("DOCKER_CONFIG", dir.resolve("config").toString()));
    }

    /** containerd's {@code ctr} on the daemon's containerd, in its namespace. */
    Result ctr(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/usr/bin/ctr", "--address", dir.resolve("exec/containerd/containerd.sock").toString(),
                "--namespace", "portcullis-e2e"));
        command.addAll(List.of(args));
        return run(command, Map.of());
    }

    /** podman, with storage, run root and credentials of its own here (rootful, vfs, no systemd). */
    Result podman(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/usr/bin/podman", "--root", dir.resolve("podman/root").toString(), "--runroot",
                dir.resolve("podman/runroot").toString(), "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "file",
                "--tmpdir", dir.resolve("tmp").toString()));
        command.addAll(List.of(args));
        return run(command, Map.of("REGISTRY_AUTH_FILE", dir.resolve("podman/auth.json").toString(), "CONTAINERS_REGISTRIES_CONF",
                registriesConf().toString(), "HOME", dir.toString(), "XDG_RUNTIME_DIR", dir.resolve("podman/runroot").toString()));
    }

    private Path registriesConf() throws IOException {
        Path conf = dir.resolve("podman/registries.conf");
        if (!Files.exists(conf)) {
            Files.writeString(conf, "");
            Files.writeString(dir.resolve("podman/auth.json"), "{}"); // podman refuses to pull with an auth file that is not there
        }
        return conf;
    }

    private Result run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes(); // ends when the process closes its output, at exit
        if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(command + " did not finish within " + TIMEOUT);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        daemon.destroy(); // SIGTERM: dockerd stops its containerd and removes its socket
        try {
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
