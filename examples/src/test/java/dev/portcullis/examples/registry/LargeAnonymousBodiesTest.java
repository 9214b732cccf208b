package dev.portcullis.examples.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests that Portcullis passes unchecked (paths outside {@code /v2/}, {@code /v2/} itself, {@code OPTIONS}) may
 * carry any body from anyone. The registry must answer them without holding the body: three concurrent anonymous
 * 200 MiB posts to a registry with a 512 MiB heap leave it serving (its Netty front end once aggregated each of them
 * and died of {@code OutOfMemoryError}).
 */
class LargeAnonymousBodiesTest {
    private static final long SIZE = 200L * 1024 * 1024;

    @TempDir
    Path data;

    @ParameterizedTest
    @ValueSource(strings = {"netty", "jetty"})
    void threeAnonymous200MiBBodiesToUncheckedPathsLeaveTheRegistryServing(String server) throws Exception {
        Process registry = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"), RegistryCli.class.getName(), "serve",
                "--server", server, "--data", data.toString(), "--port", "0").redirectErrorStream(true).start();
        ExecutorService senders = Executors.newFixedThreadPool(3);
        try {
            int port = port(registry);
            List<Future<String>> answers = new ArrayList<>();
            for (String head : List.of("POST /somewhere/else HTTP/1.1", "POST /v2/ HTTP/1.1", "OPTIONS /v2/team/app/manifests/v1 HTTP/1.1")) {
                answers.add(senders.submit(() -> post(port, head)));
            }
            for (Future<String> answer : answers) {
                assertThat(answer.get(2, TimeUnit.MINUTES)).as("each is answered, or its connection closed").isNotNull();
            }
            assertThat(registry.isAlive()).as("the registry survived").isTrue();
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.getOutputStream().write("GET /v2/_catalog HTTP/1.1\r\nHost: r\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertThat(answer).startsWith("HTTP/1.1 200").endsWith("{\"repositories\":[]}");
            }
        } finally {
            senders.shutdownNow();
            registry.destroy();
            registry.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The port the registry printed it listens on. */
    private static int port(Process registry) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(registry.getInputStream(), StandardCharsets.UTF_8));
        Pattern listening = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
        List<String> seen = new ArrayList<>();
        for (String line; (line = out.readLine()) != null; ) {
            seen.add(line);
            Matcher m = listening.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        out.transferTo(java.io.Writer.nullWriter());
                    } catch (IOException e) {
                        // the registry was stopped
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("the registry did not start: " + seen);
    }

    /** Sends the head and a 200 MiB body as fast as the server takes it; the status line it answered, or "closed". */
    private static String post(int port, String requestLine) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(120_000);
            OutputStream out = socket.getOutputStream();
            out.write((requestLine + "\r\nHost: r\r\nContent-Type: application/octet-stream\r\nContent-Length: " + SIZE + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = new byte[1 << 20];
            try {
                for (long sent = 0; sent < SIZE; sent += chunk.length) {
                    out.write(chunk);
                }
                out.flush();
            } catch (IOException e) {
                // the server answered and closed without reading it all: that is a fine answer too
            }
            InputStream in = socket.getInputStream();
            StringBuilder status = new StringBuilder();
            try {
                for (int b; (b = in.read()) >= 0 && b != '\r'; ) {
                    status.append((char) b);
                }
            } catch (IOException e) {
                return "closed";
            }
            return status.length() == 0 ? "closed" : status.toString();
        }
    }
}
