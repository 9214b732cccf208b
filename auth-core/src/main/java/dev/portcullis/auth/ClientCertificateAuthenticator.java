package dev.portcullis.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * The TLS client certificate of a request that sends no {@code Authorization} header (as zot: credentials in the header
 * decide when given). A certificate that does not lead to a trusted authority, has expired or names nobody is a failed
 * credential (401), never anonymous. The answer for a certificate is remembered a minute, so an event loop answers from
 * memory; the chain is checked in memory anyway, so nothing here blocks.
 */
final class ClientCertificateAuthenticator implements Authenticator {
    private final ClientCertificates certificates;
    /** Answers by the whole chain (a failure of one chain is not another's), a minute at most, never past the leaf's end. */
    private final Cache<List<X509Certificate>, Attempt> answers = Caffeine.newBuilder().expireAfterWrite(Duration.ofMinutes(1))
            .maximumSize(10_000).build();

    ClientCertificateAuthenticator(ClientCertificates certificates) {
        this.certificates = certificates;
    }

    @Override
    public Attempt cached(Presented presented) {
        List<X509Certificate> chain = presented.request().clientCertificates();
        if (chain.isEmpty() || !(presented.credentials() instanceof Credentials.None)) {
            return Attempt.NOT_MINE;
        }
        List<X509Certificate> key = List.copyOf(chain);
        Attempt a = answers.get(key, k -> decide(chain));
        if (a instanceof Attempt.Authenticated && chain.get(0).getNotAfter().toInstant().isBefore(certificates.now())) {
            answers.invalidate(key);
            a = decide(chain); // expired since it was remembered: refused now
        }
        return a;
    }

    private Attempt decide(List<X509Certificate> chain) {
        ClientCertificates.Result r = certificates.identify(chain);
        String user = r.user();
        return user == null ? new Attempt.Failed(r.reason())
                : new Attempt.Authenticated(new Identity(user, List.of(), Identity.AuthMethod.CLIENT_CERTIFICATE, null, List.of()));
    }

    @Override
    public Attempt verify(Presented presented) {
        return cached(presented);
    }
}
