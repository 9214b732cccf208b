package dev.portcullis.auth.oidc;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A provider's signing keys ({@code jwks_uri}): fetched with a timeout and a size limit, refreshed in the background
 * ahead of their 15-minute lifespan and kept through an outage of up to 6 hours ({@link Refreshing}); a key not seen
 * yet (the provider rotated) is fetched on the asking thread, at most once every {@code rateLimit}.
 */
final class ProviderKeys implements JWKSource<SecurityContext>, AutoCloseable {
    private static final int MAX_BYTES = 512 * 1024;

    private final Refreshing<JWKSet> keys;
    private final Duration rateLimit;

    /**
     * @param what whose keys, for logs (e.g. "OIDC provider 'corp'")
     * @param location where the keys are, asked at each fetch (the discovery document may name another place)
     * @param timeout connect and read timeout of a fetch
     * @param rateLimit the least pause between two fetches for a key not seen yet
     * @param retryAfter the least pause between two fetches on a request's thread while none has succeeded yet
     * @param clock the clock that ages the keys
     * @param scheduler where background fetches run
     */
    ProviderKeys(String what, Refreshing.Fetch<URI> location, Duration timeout, Duration rateLimit, Duration retryAfter, Clock clock,
            Refreshing.Scheduler scheduler) {
        int ms = (int) timeout.toMillis();
        DefaultResourceRetriever retriever = new DefaultResourceRetriever(ms, ms, MAX_BYTES);
        this.keys = new Refreshing<>("the signing keys of " + what, () -> {
            URI uri = location.fetch();
            long start = System.nanoTime();
            try {
                JWKSet set = JWKSet.parse(retriever.retrieveResource(uri.toURL()).getContent());
                ProviderCalls.record(ProviderCalls.Call.JWKS, start, false);
                return set;
            } catch (IOException | java.text.ParseException | RuntimeException e) {
                ProviderCalls.record(ProviderCalls.Call.JWKS, start, true);
                throw e;
            }
        }, retryAfter, clock, scheduler);
        this.rateLimit = rateLimit;
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
        try {
            List<JWK> found = selector.select(keys.get());
            if (!found.isEmpty()) {
                return found;
            }
            Optional<JWKSet> fresh = keys.fetchNow(rateLimit);
            return fresh.map(selector::select).orElse(List.of());
        } catch (LoginProvider.Unavailable e) {
            throw new KeySourceException(e.getMessage());
        }
    }

    @Override
    public void close() {
        keys.close();
    }
}
