package dev.portcullis.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.portcullis.auth.session.Session;
import dev.portcullis.auth.session.SessionCookies;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The browser session: a request without an {@code Authorization} header whose sealed session cookie opens. An
 * expired, foreign or garbled cookie is no session (the request is anonymous): browsers send cookies with everything.
 * Opening (decrypting) costs no blocking work; opened sessions are kept by their sealed value for a few minutes.
 */
final class SessionAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(SessionAuthenticator.class);
    private final SessionCookies sessions;
    /** Opened sessions by sealed cookie value, so that a browser's requests decrypt its cookie once per few minutes. */
    private final Cache<String, Opened> opened = Caffeine.newBuilder()
            .maximumWeight(32L * 1024 * 1024).<String, Opened>weigher((k, v) -> k.length())
            .expireAfterWrite(Duration.ofMinutes(5)).build();

    SessionAuthenticator(SessionCookies sessions) {
        this.sessions = sessions;
    }

    /** A session cookie already opened: the attempt it gives, and until when it holds. */
    private record Opened(Attempt attempt, Instant until) {
    }

    @Override
    public Attempt cached(Presented presented) {
        if (!(presented.credentials() instanceof Credentials.None)) {
            return Attempt.NOT_MINE;
        }
        List<String> cookies = presented.cookies();
        if (cookies.isEmpty()) {
            return Attempt.NOT_MINE;
        }
        Optional<String> sealed = sessions.sealedSession(cookies);
        if (sealed.isEmpty()) {
            return Attempt.NOT_MINE;
        }
        Instant now = sessions.clock().instant();
        Opened known = opened.getIfPresent(sealed.get());
        if (known == null || !known.until().isAfter(now)) {
            Optional<Session> session = sessions.open(sealed.get());
            if (session.isEmpty()) {
                LOG.debug("an expired or unreadable session cookie from {} is ignored", presented.clientAddress());
                return Attempt.NOT_MINE;
            }
            Identity identity = new Identity(session.get().user(), session.get().groups(), Identity.AuthMethod.SESSION, null, List.of());
            known = new Opened(new Attempt.Authenticated(identity), sessions.endOf(session.get()));
            opened.put(sealed.get(), known);
        }
        return known.attempt();
    }

    @Override
    public Attempt verify(Presented presented) {
        return cached(presented);
    }
}
