package dev.portcullis.bench;

import dev.portcullis.auth.HttpRequestView;
import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.Argon2Hasher;
import dev.portcullis.auth.apikey.InMemoryApiKeyStore;
import dev.portcullis.auth.apikey.KeyVerification;
import dev.portcullis.policy.AccessPolicy;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Heap figures for BENCHMARKS.md (issue #9): what the verified-key cache holds at its maximum size
 * (10,000 keys), and whether 100,000 decisions per second for a minute make the heap grow.
 *
 * <pre>java -Xmx512m -cp benchmarks.jar dev.portcullis.bench.MemoryBench [seconds]</pre>
 */
public final class MemoryBench {
    private MemoryBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        long empty = usedAfterGc();
        ApiKeyService keys = ApiKeyService.builder(new InMemoryApiKeyStore()).hasher(new Argon2Hasher(64, 1, 1))
                .verifiedCache(Duration.ofHours(1), 10_000).failureLimit(1_000_000, Duration.ofMinutes(1)).build();
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            tokens.add(keys.create(new ApiKeyService.KeyRequest("user-" + i, List.of("artifact-workloads", "team-" + (i % 100)), "k" + i,
                    List.of(), null, "bench")).token());
        }
        long withKeys = usedAfterGc();
        for (String t : tokens) {
            if (!(keys.verify(t) instanceof KeyVerification.Valid)) {
                throw new IllegalStateException("a fresh key did not verify");
            }
        }
        long cached = usedAfterGc();
        System.out.printf("verified-key cache, 10,000 keys: %.1f MiB (%d bytes per key); the store's 10,000 keys: %.1f MiB%n",
                (cached - withKeys) / 1048576.0, (cached - withKeys) / 10_000, (withKeys - empty) / 1048576.0);

        Portcullis portcullis = Portcullis.builder().policy(AccessPolicy.fromZotJson(
                "{\"repositories\": {\"**\": {\"anonymousPolicy\": [\"read\"], \"policies\": [{\"groups\": [\"artifact-workloads\"], \"actions\": [\"read\", \"create\"]}]}}}"))
                .apiKeys(keys).existence((repository, tag) -> false).listener(e -> { }).build();
        List<HttpRequestView> requests = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            String basic = "Basic " + Base64.getEncoder().encodeToString(("user-" + i + ":" + tokens.get(i)).getBytes(StandardCharsets.UTF_8));
            requests.add(new GetRequest("/v2/team-" + (i % 100) + "/app/manifests/v" + i, i % 2 == 0 ? List.of() : List.of(basic)));
        }
        long before = usedAfterGc();
        long start = System.nanoTime();
        long decided = 0;
        long perSecond = 100_000;
        while (System.nanoTime() - start < seconds * 1_000_000_000L) {
            long due = (System.nanoTime() - start) * perSecond / 1_000_000_000L;
            while (decided < due) {
                if (!(portcullis.handle(requests.get((int) (decided % requests.size()))) instanceof Outcome.Proceed)) {
                    throw new IllegalStateException("an allowed request was not allowed");
                }
                decided++;
            }
            LockSupport.parkNanos(1_000_000);
        }
        long after = usedAfterGc();
        System.out.printf("%d decisions in %d s (%.0f/s): heap after GC %.1f MiB before, %.1f MiB after (%+.1f MiB)%n", decided, seconds,
                decided / (double) seconds, before / 1048576.0, after / 1048576.0, (after - before) / 1048576.0);
        keys.close();
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
