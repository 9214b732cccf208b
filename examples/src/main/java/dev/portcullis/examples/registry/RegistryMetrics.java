package dev.portcullis.examples.registry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.Callable;

/** The registry's Prometheus metrics (Micrometer): requests by method and status, bytes pushed, repositories, JVM memory. */
final class RegistryMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter pushed;
    private final String path;

    /** @param repositories counts the repositories (for the OCI registry, those holding at least one manifest) */
    RegistryMetrics(String path, Callable<Integer> repositories) {
        this.path = path;
        this.pushed = Counter.builder("registry.pushed.bytes").description("bytes received in blob uploads and manifests").register(registry);
        Gauge.builder("registry.repositories", repositories, r -> {
            try {
                return r.call();
            } catch (Exception e) {
                return Double.NaN;
            }
        }).description("repositories").register(registry);
        new JvmMemoryMetrics().bindTo(registry);
    }

    /** Where other meters (Portcullis's) are bound. */
    MeterRegistry registry() {
        return registry;
    }

    String path() {
        return path;
    }

    void request(String method, int status) {
        registry.counter("registry.requests", "method", method, "status", Integer.toString(status)).increment();
    }

    void pushed(long bytes) {
        if (bytes > 0) {
            pushed.increment(bytes);
        }
    }

    /** The scrape, as the stores answer it. */
    StoreApi.Response response() {
        return StoreApi.Response.of(200, java.util.Map.of("Content-Type", "text/plain; version=0.0.4; charset=utf-8"),
                registry.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
