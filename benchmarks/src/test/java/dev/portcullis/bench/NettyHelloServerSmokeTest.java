package dev.portcullis.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The load-test server starts in every mode and answers as the wrk runs expect; so does its in-memory pipeline. */
class NettyHelloServerSmokeTest {
    private static int status(int port, String authorization, String method) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/team/app/manifests/latest"))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void everyModeServes() throws Exception {
        for (NettyHelloServer.Mode mode : List.of(NettyHelloServer.Mode.PLAIN, NettyHelloServer.Mode.PASSTHROUGH)) {
            try (NettyHelloServer open = new NettyHelloServer(mode, 0, 1)) {
                assertThat(status(open.port(), null, "PUT")).as(mode.name()).isEqualTo(200);
                assertThat(status(open.port(), null, "GET")).as(mode.name()).isEqualTo(200);
            }
        }
        try (NettyHelloServer guarded = new NettyHelloServer(NettyHelloServer.Mode.PORTCULLIS, 0, 1)) {
            String basic = "Basic " + Base64.getEncoder().encodeToString(("ci:" + guarded.token()).getBytes(StandardCharsets.UTF_8));
            assertThat(status(guarded.port(), null, "GET")).isEqualTo(200);
            assertThat(status(guarded.port(), null, "PUT")).isEqualTo(401);
            assertThat(status(guarded.port(), basic, "GET")).isEqualTo(200);
        }
    }

    @Test
    void theInMemoryPipelineAnswersInEveryMode() {
        for (String mode : List.of("plain", "passthrough", "portcullis")) {
            for (String credentials : List.of("none", "apiKey")) {
                NettyPipelineBenchmark benchmark = new NettyPipelineBenchmark();
                benchmark.mode = mode;
                benchmark.credentials = credentials;
                benchmark.setUp(); // refuses to start unless the request is answered 200
                try {
                    assertThat(benchmark.request()).as(mode + " " + credentials).isGreaterThan(0);
                } finally {
                    benchmark.tearDown();
                }
            }
        }
    }
}
