package dev.portcullis.servlet.readme;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A documented server example run as its reader runs it: a program of its own, in a directory holding the files it
 * names (a relative {@code Path.of("config.json")} is then the example's own), on this test's class path. The program
 * prints {@code listening on PORT} once it serves.
 */
final class ExampleProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on (\\d+)");
    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final int port;

    private ExampleProcess(Class<?> program, Path directory, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), program.getName()));
        command.addAll(List.of(args));
        process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Integer found = null;
        while (found == null) {
            String line = lines.readLine();
            if (line == null || System.nanoTime() > deadline) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(program.getName() + " ended or took a minute before it listened:\n" + output);
            }
            output.append(line).append('\n');
            Matcher m = LISTENING.matcher(line);
            if (m.matches()) {
                found = Integer.valueOf(m.group(1));
            }
        }
        port = found;
        Thread drain = new Thread(() -> lines.lines().forEach(l -> output.append(l).append('\n')), program.getSimpleName() + "-output");
        drain.setDaemon(true);
        drain.start();
    }

    /** Starts the program and waits until it listens. */
    static ExampleProcess start(Class<?> program, Path directory, String... args) throws IOException, InterruptedException {
        return new ExampleProcess(program, directory, args);
    }

    int port() {
        return port;
    }

    /** What it printed so far, standard output and error together. */
    String output() {
        return output.toString();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
