package dev.portcullis.bench;

import dev.portcullis.auth.Connection;
import dev.portcullis.auth.HttpRequestView;
import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.InMemoryApiKeyStore;
import dev.portcullis.policy.AccessPolicy;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One request through {@link Portcullis#handleWithoutBlocking} (what the Netty handler runs on the
 * event loop), with the policy of the Netty hello benchmark: anonymous read, and the same read with a
 * cached API key as the Basic password, alone and on a connection that sent it before (as the Netty handler asks, with
 * the connection's {@link Connection}). The difference is what a cached credential costs per request.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PipelineBenchmark {
    private static final String PATH = "/v2/team/app/manifests/latest";

    private ApiKeyService keys;
    private Portcullis portcullis;
    private HttpRequestView anonymous;
    private HttpRequestView cachedKey;
    private Connection connection;

    @Setup(Level.Trial)
    public void setUp() {
        keys = ApiKeyService.builder(new InMemoryApiKeyStore()).build();
        String token = keys.create(new ApiKeyService.KeyRequest("ci", List.of("artifact-workloads"), "bench", List.of(), null, "jmh")).token();
        portcullis = Portcullis.builder().policy(AccessPolicy.parse("""
                repo "**" {
                  anonymous: read
                  group artifact-workloads: read, create
                }
                """)).apiKeys(keys).existence((repository, tag) -> false).listener(e -> { }).build();
        connection = portcullis.connection();
        anonymous = new GetRequest(PATH, List.of());
        String basic = Base64.getEncoder().encodeToString(("ci:" + token).getBytes(StandardCharsets.UTF_8));
        cachedKey = new GetRequest(PATH, List.of("Basic " + basic));
        if (!(portcullis.handle(cachedKey) instanceof Outcome.Proceed) || !(handle(anonymous) instanceof Outcome.Proceed)
                || !(handle(cachedKey) instanceof Outcome.Proceed)) {
            throw new IllegalStateException("the benchmark's requests are not allowed without blocking");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        portcullis.close();
        keys.close();
    }

    private @Nullable Outcome handle(HttpRequestView request) {
        return portcullis.handleWithoutBlocking(request).orElse(null);
    }

    @Benchmark
    public @Nullable Outcome anonymousRead() {
        return handle(anonymous);
    }

    @Benchmark
    public @Nullable Outcome cachedApiKeyRead() {
        return handle(cachedKey);
    }

    @Benchmark
    public @Nullable Outcome cachedApiKeyReadOnItsConnection() {
        return portcullis.handleWithoutBlocking(cachedKey, connection).orElse(null);
    }
}
