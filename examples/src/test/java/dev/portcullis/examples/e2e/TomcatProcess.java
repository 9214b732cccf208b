package dev.portcullis.examples.e2e;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Tomcat (the distribution of the examples module's {@code e2e} profile, unpacked into
 * {@code examples/target/tomcat}; its path is the system property {@code tomcat.home}) in a child process, as an
 * operator runs it: {@code bin/catalina.sh run}. The distribution is {@code CATALINA_HOME} and is never written to;
 * {@code CATALINA_BASE} is the given directory, with a copy of the distribution's {@code conf/} whose
 * {@code server.xml} is edited in three places: the HTTP connector listens on a free port of 127.0.0.1 with
 * {@code continueResponseTiming="onRead"} (as the README asks), there is no shutdown port, and the host looks for
 * added or removed WARs every second (the engine's {@code backgroundProcessorDelay}, 10 s by default). Tomcat runs on the
 * test's JVM; what it prints goes to {@code console.log} in the base, and its own log files to {@code logs/}.
 *
 * <pre>{@code
 * try (TomcatProcess tomcat = TomcatProcess.start(dir, "registry", war, List.of("-Dportcullis.config=" + config))) {
 *     // tomcat.url("/registry/v2/") ...
 *     tomcat.undeploy("registry");
 * }
 * }</pre>
 */
public final class TomcatProcess implements AutoCloseable {
    /** How to get the distribution: the examples module's e2e profile unpacks it. */
    public static final String INSTALL = "mvn -B -pl examples -am verify -Pe2e (the e2e profile unpacks org.apache.tomcat:tomcat:zip"
            + " into examples/target/tomcat and sets -Dtomcat.home)";
    /** The longest that Tomcat may take to start, deploying its WARs, or to undeploy one. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int LOG_LINES_SHOWN = 60;

    private final Process process;
    private final Path base;
    private final int port;

    private TomcatProcess(Process process, Path base, int port) {
        this.process = process;
        this.base = base;
        this.port = port;
    }

    /**
     * Makes {@code dir} a Tomcat base with the WAR in {@code webapps/<name>.war} (context path {@code /<name>}), starts
     * Tomcat with these JVM options (CATALINA_OPTS) and waits, at most {@link #TIMEOUT}, until it has started: then the
     * WAR has been deployed, or has failed to.
     *
     * @throws IllegalStateException if there is no distribution at {@code -Dtomcat.home}
     * @throws IOException if Tomcat exits or does not start in time; the message has the last lines it printed
     */
    public static TomcatProcess start(Path dir, String name, Path war, List<String> jvmOptions) throws IOException {
        Path home = locateDistribution();
        Path base = dir.toAbsolutePath();
        for (String sub : List.of("conf", "logs", "temp", "webapps", "work")) {
            Files.createDirectories(base.resolve(sub));
        }
        try (Stream<Path> conf = Files.list(home.resolve("conf"))) {
            for (Path file : conf.toList()) {
                Files.copy(file, base.resolve("conf").resolve(file.getFileName()));
            }
        }
        int port = KeycloakProcess.freePort();
        Path serverXml = base.resolve("conf/server.xml");
        String xml = Files.readString(serverXml, StandardCharsets.UTF_8);
        xml = edit(xml, "<Server port=\"8005\"", "<Server port=\"-1\"");
        xml = edit(xml, "<Connector port=\"8080\" protocol=\"HTTP/1.1\"",
                "<Connector port=\"" + port + "\" address=\"127.0.0.1\" continueResponseTiming=\"onRead\" protocol=\"HTTP/1.1\"");
        xml = edit(xml, "<Engine name=\"Catalina\" defaultHost=\"localhost\">",
                "<Engine name=\"Catalina\" defaultHost=\"localhost\" backgroundProcessorDelay=\"1\">");
        Files.writeString(serverXml, xml, StandardCharsets.UTF_8);
        Files.copy(war, base.resolve("webapps/" + name + ".war"));

        ProcessBuilder builder = new ProcessBuilder("sh", home.resolve("bin/catalina.sh").toString(), "run").directory(base.toFile())
                .redirectErrorStream(true).redirectOutput(base.resolve("console.log").toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("CATALINA_") || k.startsWith("JAVA_OPTS") || k.equals("JDK_JAVA_OPTIONS"));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("CATALINA_HOME", home.toString());
        env.put("CATALINA_BASE", base.toString());
        List<String> options = new ArrayList<>(List.of("-Xms32m", "-Xmx256m"));
        options.addAll(jvmOptions);
        env.put("CATALINA_OPTS", String.join(" ", options));

        Instant started = Instant.now();
        TomcatProcess tomcat = new TomcatProcess(builder.start(), base, port);
        try {
            tomcat.await("to start", () -> tomcat.console().contains("Server startup in"));
        } catch (IOException | RuntimeException e) {
            tomcat.close();
            throw e;
        }
        System.out.printf("[tomcat] http://127.0.0.1:%d started after %d ms (base: %s)%n", port,
                Duration.between(started, Instant.now()).toMillis(), base);
        return tomcat;
    }

    private static String edit(String xml, String from, String to) {
        if (!xml.contains(from)) {
            throw new IllegalStateException("the distribution's conf/server.xml has no " + from + "; adapt TomcatProcess to it");
        }
        return xml.replace(from, to);
    }

    /** {@code http://127.0.0.1:<port><path>}. */
    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /**
     * Removes {@code webapps/<name>.war} and waits, at most {@link #TIMEOUT}, until Tomcat has undeployed it: it deletes
     * the expanded directory {@code webapps/<name>} once the context has stopped, after its leak checks.
     */
    public void undeploy(String name) throws IOException {
        Files.delete(base.resolve("webapps/" + name + ".war"));
        Path expanded = base.resolve("webapps/" + name);
        await("to undeploy " + name, () -> !Files.exists(expanded));
    }

    /** What Tomcat has printed so far. */
    public String console() {
        try {
            return Files.readString(base.resolve("console.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Its log files ({@code logs/*.log}), each line prefixed with the file's name; complete once Tomcat has stopped. */
    public String logFiles() throws IOException {
        try (Stream<Path> files = Files.list(base.resolve("logs"))) {
            StringBuilder all = new StringBuilder();
            for (Path file : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                String name = file.getFileName().toString();
                all.append(Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(line -> name + ": " + line)
                        .collect(Collectors.joining("\n", "", "\n")));
            }
            return all.toString();
        }
    }

    /** Stops Tomcat as a service manager does (SIGTERM: its shutdown hook stops every context; SIGKILL after 30 s) and waits. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void await(String what, BooleanSupplier done) throws IOException {
        Instant deadline = Instant.now().plus(TIMEOUT);
        while (!done.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new IOException("Tomcat exited with code " + process.exitValue() + " before it was able " + what + "; it printed:\n"
                        + tail());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IOException("Tomcat was not able " + what + " within " + TIMEOUT.toSeconds() + " s; it printed:\n" + tail());
            }
            try {
                process.waitFor(100, TimeUnit.MILLISECONDS); // the polling interval; returns at once if Tomcat exits
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for Tomcat " + what);
            }
        }
    }

    private String tail() {
        List<String> lines = console().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_LINES_SHOWN), lines.size()));
    }

    private static Path locateDistribution() {
        String home = System.getProperty("tomcat.home");
        if (home == null || home.isBlank()) {
            throw new IllegalStateException("no Tomcat distribution: the system property tomcat.home is not set; run " + INSTALL);
        }
        Path dist = Path.of(home);
        if (!Files.isRegularFile(dist.resolve("bin/catalina.sh")) || !Files.isRegularFile(dist.resolve("bin/bootstrap.jar"))) {
            throw new IllegalStateException("no Tomcat distribution at " + dist + " (-Dtomcat.home: no bin/catalina.sh or"
                    + " bin/bootstrap.jar); run " + INSTALL);
        }
        return dist;
    }
}
