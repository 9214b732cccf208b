package dev.portcullis.bench;

import dev.portcullis.auth.apikey.KeyVerification;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToDoubleFunction;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The wrong-key flood of issue #4, per CPU-second of the valid client as well as per second. The JMH
 * flood ({@link ApiKeyVerifyBenchmark}) runs five busy threads; on a machine with fewer cores than
 * that, its wall-clock ratio measures the valid thread's share of the CPU, not the service. Here the
 * valid thread also reads its own CPU time, so the ratio per CPU-second shows what the flood does to
 * the service itself (locks, Argon2 slots, cache evictions shared with the attackers).
 *
 * <pre>java -cp benchmarks.jar dev.portcullis.bench.FloodBench [seconds-per-phase] [rounds]</pre>
 *
 * Phases, interleaved per round: the valid thread alone (quiet); beside four threads of wrong keys
 * (flood: a third malformed, a third unknown ids, a third wrong secrets for the real key id); beside
 * four threads that only burn CPU (control). Medians over the rounds, ratios to quiet.
 */
public final class FloodBench {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private enum Phase { QUIET, FLOOD, CONTROL }

    /** Valid-key verifications per wall-clock second and per CPU-second of the valid thread. */
    private record Rate(double perSecond, double perCpuSecond) {
    }

    private FloodBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        ApiKeyVerifyBenchmark.Keys keys = new ApiKeyVerifyBenchmark.Keys(); // the JMH flood's service, key and wrong keys
        keys.setUp();
        try {
            run(Phase.QUIET, keys, Math.min(seconds, 2)); // warm-up
            run(Phase.FLOOD, keys, Math.min(seconds, 2));
            Map<Phase, List<Rate>> rates = new EnumMap<>(Phase.class);
            for (int r = 0; r < rounds; r++) {
                for (Phase p : Phase.values()) {
                    rates.computeIfAbsent(p, x -> new ArrayList<>()).add(run(p, keys, seconds));
                }
            }
            double quietWall = median(rates.getOrDefault(Phase.QUIET, List.of()), Rate::perSecond);
            double quietCpu = median(rates.getOrDefault(Phase.QUIET, List.of()), Rate::perCpuSecond);
            System.out.printf(Locale.ROOT, "%-8s %16s %8s %20s %8s%n", "phase", "valid ops/s", "ratio", "valid ops/CPU-s", "ratio");
            for (Phase p : Phase.values()) {
                double wall = median(rates.getOrDefault(p, List.of()), Rate::perSecond);
                double cpu = median(rates.getOrDefault(p, List.of()), Rate::perCpuSecond);
                System.out.printf(Locale.ROOT, "%-8s %,16.0f %8.3f %,20.0f %8.3f%n", p.name().toLowerCase(), wall, wall / quietWall, cpu, cpu / quietCpu);
            }
            System.out.printf(Locale.ROOT, "(%d rounds of %d s per phase, medians; %d cores)%n", rounds, seconds, Runtime.getRuntime().availableProcessors());
        } finally {
            keys.tearDown();
        }
    }

    private static Rate run(Phase phase, ApiKeyVerifyBenchmark.Keys keys, int seconds) throws InterruptedException {
        ApiKeyVerifyBenchmark jmh = new ApiKeyVerifyBenchmark();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> others = new ArrayList<>();
        for (int t = 0; phase != Phase.QUIET && t < 4; t++) {
            ApiKeyVerifyBenchmark.Cursor cursor = new ApiKeyVerifyBenchmark.Cursor();
            cursor.next = t * 256;
            Thread other = new Thread(phase == Phase.FLOOD ? () -> {
                while (!stop.get()) {
                    if (jmh.floodWrong(keys, cursor) instanceof KeyVerification.Valid) {
                        throw new IllegalStateException("a wrong key verified");
                    }
                }
            } : () -> {
                while (!stop.get()) {
                    Blackhole.consumeCPU(200);
                }
            }, phase.name().toLowerCase() + "-" + t);
            others.add(other);
            other.start();
        }
        long ops = 0;
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long now;
        do {
            for (int i = 0; i < 1000; i++) {
                if (!(jmh.floodValid(keys) instanceof KeyVerification.Valid)) {
                    throw new IllegalStateException("the valid key did not verify during " + phase);
                }
            }
            ops += 1000;
            now = System.nanoTime();
        } while (now < end);
        long cpu = THREADS.getCurrentThreadCpuTime() - cpuStart;
        stop.set(true);
        for (Thread other : others) {
            other.join();
        }
        return new Rate(ops * 1e9 / (now - start), ops * 1e9 / cpu);
    }

    /** The median of one figure over the rounds: the middle value, or the mean of the two middle ones. */
    private static double median(List<Rate> rates, ToDoubleFunction<Rate> figure) {
        double[] sorted = rates.stream().mapToDouble(figure).sorted().toArray();
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
