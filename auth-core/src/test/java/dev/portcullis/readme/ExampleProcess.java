package dev.portcullis.readme;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A documented example run as its reader runs it: a program of its own, in a directory holding the files it names
 * (a relative {@code Path.of("config.json")} is then the example's own), on this test's class path.
 */
final class ExampleProcess {
    private ExampleProcess() {
    }

    /** What the program printed (standard output and error together) and its exit code. */
    record Result(int exitCode, String output) {
    }

    static Result run(Class<?> program, Path directory, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), program.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                output.append(line).append('\n');
            }
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(program.getName() + " did not end within 60 s:\n" + output);
        }
        return new Result(process.exitValue(), output.toString());
    }
}
