package dev.portcullis.auth;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.oidc.ProviderCalls;
import dev.portcullis.policy.Grant;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Portcullis's numbers as Micrometer meters (Micrometer is an optional dependency: only this class needs it).
 *
 * <pre>{@code
 * new PortcullisMetrics(portcullis).bindTo(registry);
 * }</pre>
 *
 * <ul>
 *   <li>{@code portcullis.decisions} (counter; tags {@code outcome}: allowed, challenged, failed, denied, throttled,
 *       rejected, error — see {@link AuthEvent.Kind} —, and {@code granted.by}: user, group, default, anonymous,
 *       admin, none, or {@code -} when the policy was not asked). Throttled decisions are the limiters' refusals.</li>
 *   <li>{@code portcullis.limiter.trips} (counter; tag {@code limiter}: failures, rate): 429s of the failure limiter
 *       (an address past its failed attempts) and of the rate limit.</li>
 *   <li>{@code portcullis.authentications} (counter; tag {@code method}: api_key, htpasswd, session, bearer,
 *       registry_token, external_token, ldap, client_certificate, other, or anonymous for callers without accepted
 *       credentials): decisions by the caller's credential method.</li>
 *   <li>{@code portcullis.apikey.cache} (counter; tag {@code result}: hit, miss): key verifications answered by the
 *       verified cache, and those that went to the key store.</li>
 *   <li>{@code portcullis.argon2} (timer): Argon2id computations and their time; {@code portcullis.argon2.active}
 *       and {@code portcullis.argon2.waiting} (gauges): slots in use, threads waiting for one.</li>
 *   <li>{@code portcullis.idp.requests} (timer; tags {@code call}: discovery, jwks, token, userinfo, and
 *       {@code outcome}: success, error): calls to identity providers, process-wide.</li>
 * </ul>
 * Reading the meters costs the request path nothing: it only counts, in cells that never contend.
 */
public final class PortcullisMetrics implements MeterBinder {
    private final Portcullis portcullis;

    /**
     * Meters for one {@code Portcullis}.
     *
     * @param portcullis the instance whose decisions and keys are published
     */
    public PortcullisMetrics(Portcullis portcullis) {
        this.portcullis = portcullis;
    }

    /**
     * Registers the meters.
     *
     * @param registry where they go
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        DecisionCounts counts = portcullis.decisionCounts();
        for (AuthEvent.Kind kind : AuthEvent.Kind.values()) {
            for (Grant grant : Grant.values()) {
                decisions(registry, counts, kind, grant);
            }
            decisions(registry, counts, kind, null);
        }
        FunctionCounter.builder("portcullis.limiter.trips", counts, c -> c.failureLimitTrips.sum()).tag("limiter", "failures")
                .description("429s for an address past its failed attempts").register(registry);
        FunctionCounter.builder("portcullis.limiter.trips", counts, c -> c.rateLimitTrips.sum()).tag("limiter", "rate")
                .description("429s for a client over the rate limit").register(registry);
        for (Identity.AuthMethod method : Identity.AuthMethod.values()) {
            authentications(registry, counts, method);
        }
        authentications(registry, counts, null);
        ApiKeyService keys = portcullis.apiKeys();
        if (keys != null) {
            FunctionCounter.builder("portcullis.apikey.cache", keys, ApiKeyService::cacheHits).tag("result", "hit")
                    .description("API-key verifications answered by the verified cache").register(registry);
            FunctionCounter.builder("portcullis.apikey.cache", keys, ApiKeyService::cacheMisses).tag("result", "miss")
                    .description("API-key verifications that went to the key store").register(registry);
            FunctionTimer.builder("portcullis.argon2", keys, ApiKeyService::argon2Computations, ApiKeyService::argon2Nanos,
                    TimeUnit.NANOSECONDS).description("Argon2id hashes and verifications").register(registry);
            Gauge.builder("portcullis.argon2.active", keys, ApiKeyService::argon2Active).description("Argon2 slots in use")
                    .register(registry);
            Gauge.builder("portcullis.argon2.waiting", keys, ApiKeyService::argon2Waiting)
                    .description("threads waiting for an Argon2 slot").register(registry);
        }
        for (ProviderCalls.Call call : ProviderCalls.Call.values()) {
            for (boolean failed : new boolean[] {false, true}) {
                FunctionTimer.builder("portcullis.idp.requests", call, c -> ProviderCalls.count(c, failed),
                                c -> ProviderCalls.nanos(c, failed), TimeUnit.NANOSECONDS)
                        .tag("call", lower(call)).tag("outcome", failed ? "error" : "success")
                        .description("calls to identity providers").register(registry);
            }
        }
    }

    private static void decisions(MeterRegistry registry, DecisionCounts counts, AuthEvent.Kind kind, @Nullable Grant grant) {
        FunctionCounter.builder("portcullis.decisions", counts, c -> c.decisions(kind, grant))
                .tag("outcome", kind.label()).tag("granted.by", grant == null ? "-" : lower(grant))
                .description("access decisions").register(registry);
    }

    private static void authentications(MeterRegistry registry, DecisionCounts counts, Identity.@Nullable AuthMethod method) {
        FunctionCounter.builder("portcullis.authentications", counts, c -> c.decisions(method))
                .tag("method", method == null ? "anonymous" : lower(method))
                .description("decisions by the caller's credential method").register(registry);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
