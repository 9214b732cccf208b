package dev.portcullis.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.conformance.Tags;
import dev.portcullis.policy.AccessPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client cannot hold a connection without sending: no head for the head timeout (nothing at all, or a head trickled
 * in byte by byte), or a pause in a body for the idle timeout, and the connection is closed. Here both are 400 ms, so a
 * connection is closed after 400 to 600 ms of waiting; the server's own time (a slow decision) never counts.
 */
class NettyTimeoutsTest {
    private static final Duration TIMEOUT = Duration.ofMillis(400);
    private final CountDownLatch lookupMayAnswer = new CountDownLatch(1);
    private final Portcullis portcullis = Portcullis.builder().policy(AccessPolicy.parse("""
            repo "**" {
              anonymous: read, create
            }
            repo "slow/**" {
              anonymous: read, create
              user nobody: update
            }
            """)).existence((repo, tag) -> {
                if (repo.startsWith("slow/")) {
                    try {
                        lookupMayAnswer.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return false;
            }).listener(e -> { }).build();
    private final NettyServer server;

    NettyTimeoutsTest() throws InterruptedException {
        server = new NettyServer(portcullis, false, new Tags(), TIMEOUT, TIMEOUT);
    }

    @AfterEach
    void stop() throws Exception {
        lookupMayAnswer.countDown();
        server.close();
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Reads until the server closes the connection; how long that took from {@code since}. */
    private static Duration closedAfter(InputStream in, long since) throws IOException {
        try {
            while (in.read() >= 0) {
                // an answer to a request, if any, then the end
            }
        } catch (SocketException reset) {
            // closed just the same
        }
        return Duration.ofNanos(System.nanoTime() - since);
    }

    @Test
    void aConnectionThatSendsNothingIsClosed() throws Exception {
        try (Socket socket = connect()) {
            long since = System.nanoTime();
            assertThat(closedAfter(socket.getInputStream(), since)).isGreaterThanOrEqualTo(TIMEOUT);
        }
    }

    @Test
    void aHeadTrickledInByteByByteIsClosed() throws Exception {
        try (Socket socket = connect()) {
            long since = System.nanoTime();
            OutputStream out = socket.getOutputStream();
            out.write("GET /v2/team/app/manifests/v1 HTTP/1.1\r\nHost: r\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1));
            try {
                for (int i = 0; i < 200; i++) { // 10 s at most, if the head were never cut off
                    out.write('a');
                    out.flush();
                    Thread.sleep(50);
                }
            } catch (SocketException closed) {
                // the server closed the connection: what this test waits for
            }
            assertThat(closedAfter(socket.getInputStream(), since)).isBetween(TIMEOUT, Duration.ofSeconds(5));
        }
    }

    @Test
    void aBodyThatStopsIsClosedAndOneThatKeepsComingIsServed() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write("PUT /v2/team/app/manifests/v1 HTTP/1.1\r\nHost: r\r\nContent-Length: 10\r\n\r\nabc".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            long since = System.nanoTime();
            assertThat(closedAfter(socket.getInputStream(), since)).isBetween(TIMEOUT, Duration.ofSeconds(5));
        }
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write("PUT /v2/team/app/manifests/v2 HTTP/1.1\r\nHost: r\r\nContent-Length: 12\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            for (int i = 0; i < 12; i++) { // 1.2 s in all, longer than the timeout, but never a pause as long
                out.write('x');
                out.flush();
                Thread.sleep(100);
            }
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 201").endsWith("user=anonymous mountsDenied=");
        }
    }

    @Test
    void aKeepAliveConnectionIsClosedOnceItWaitedTooLongForTheNextRequest() throws Exception {
        try (Socket socket = connect()) {
            socket.getOutputStream().write("GET /v2/team/app/manifests/v1 HTTP/1.1\r\nHost: r\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            byte[] answer = new byte["HTTP/1.1 200".length()];
            assertThat(in.readNBytes(answer, 0, answer.length)).isEqualTo(answer.length);
            assertThat(new String(answer, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200");
            long since = System.nanoTime();
            assertThat(closedAfter(in, since)).isBetween(TIMEOUT.minusMillis(100), Duration.ofSeconds(5));
        }
    }

    @Test
    void theServersOwnTimeDoesNotCount() throws Exception {
        try (Socket socket = connect()) {
            socket.getOutputStream().write("PUT /v2/slow/app/manifests/v1 HTTP/1.1\r\nHost: r\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            Thread.sleep(3 * TIMEOUT.toMillis()); // the decision waits on the application's lookup meanwhile
            lookupMayAnswer.countDown();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 201");
        }
    }
}
