package dev.portcullis.bench;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.InMemoryApiKeyStore;
import dev.portcullis.auth.apikey.KeyVerification;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * API-key verification paths (issue #4): a cached valid key, a malformed token, an unknown key
 * id, an uncached key (one Argon2id with the default m=19 MiB, t=2, p=1), and a valid cached key
 * while 4 threads flood the service with wrong keys. The store is in memory: the cached and
 * rejection paths never reach a store, and the uncached path is dominated by Argon2.
 *
 * <p>Wrong keys are forged as a secret scanner reads them, from the documented format ({@link WellFormedTokens}).
 */
public class ApiKeyVerifyBenchmark {
    private static final int TOKENS = 1024;

    @State(Scope.Benchmark)
    public static class Keys {
        ApiKeyService service;
        ApiKeyService uncachedService;
        String valid;
        String[] malformed = new String[TOKENS];
        String[] unknown = new String[TOKENS];
        String[] forged = new String[TOKENS];

        @Setup(Level.Trial)
        public void setUp() {
            InMemoryApiKeyStore store = new InMemoryApiKeyStore();
            service = ApiKeyService.builder(store).build();
            uncachedService = ApiKeyService.builder(store).verifiedCache(Duration.ofNanos(1), 0).build();
            ApiKeyService.CreatedKey created = service.create(new ApiKeyService.KeyRequest("ci", List.of("artifact-workloads"), "bench",
                    List.of(), null, "jmh"));
            valid = created.token();
            WellFormedTokens tokens = new WellFormedTokens("pck_");
            for (int i = 0; i < TOKENS; i++) {
                String t = tokens.withId(tokens.randomId());
                malformed[i] = t.substring(0, t.length() - 1) + (t.endsWith("A") ? "B" : "A");
                unknown[i] = tokens.withId(tokens.randomId());
                forged[i] = tokens.withId(created.key().id());
            }
            service.verify(valid); // cache it
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            service.close();
            uncachedService.close();
        }
    }

    @State(Scope.Thread)
    public static class Cursor {
        int next;

        int step() {
            next = (next + 1) & (TOKENS - 1);
            return next;
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public KeyVerification cached(Keys k) {
        return k.service.verify(k.valid);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public KeyVerification malformed(Keys k, Cursor c) {
        return k.service.verify(k.malformed[c.step()]);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public KeyVerification unknownId(Keys k, Cursor c) {
        return k.service.verify(k.unknown[c.step()]);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public KeyVerification uncachedArgon2id(Keys k) {
        return k.uncachedService.verify(k.valid);
    }

    /** Baseline for the flood: the cached valid key alone. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Group("quiet")
    @GroupThreads(1)
    public KeyVerification quietValid(Keys k) {
        return k.service.verify(k.valid);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Group("flood")
    @GroupThreads(1)
    public KeyVerification floodValid(Keys k) {
        return k.service.verify(k.valid);
    }

    /** Control for the flood: the same valid thread beside four threads that only burn CPU, so CPU share alone is measured. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Group("busy")
    @GroupThreads(1)
    public KeyVerification busyValid(Keys k) {
        return k.service.verify(k.valid);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Group("busy")
    @GroupThreads(4)
    public void busyCpu() {
        Blackhole.consumeCPU(200);
    }

    /** Four threads of wrong keys: a third malformed, a third unknown ids, a third wrong secrets for the real id. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Group("flood")
    @GroupThreads(4)
    public KeyVerification floodWrong(Keys k, Cursor c) {
        int i = c.step();
        String[] pick = i % 3 == 0 ? k.malformed : i % 3 == 1 ? k.unknown : k.forged;
        return k.service.verify(pick[i]);
    }
}
