package dev.portcullis.auth.session;

import com.nimbusds.jwt.JWTClaimsSet;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Stateless browser sessions: the {@link Session} sealed (JWE, {@code dir} + {@code A256GCM}) into
 * an HttpOnly, SameSite=Lax cookie, so restarts and replicas sharing the key ring keep sessions.
 * The maximum age is enforced inside the token. Also seals the short-lived login transaction
 * (state, nonce, PKCE verifier) into a cookie of its own.
 */
public final class SessionCookies {
    /** The session cookie's name; with {@code Secure} it is {@code __Host-portcullis_session}, which no other host may set. */
    public static final String SESSION_COOKIE = "portcullis_session";
    /** The login transaction cookie's name; with {@code Secure} it is {@code __Host-portcullis_login}. */
    public static final String LOGIN_COOKIE = "portcullis_login";
    /** Browsers keep cookies of up to 4096 bytes for name and value together. */
    static final int MAX_COOKIE = 4000;

    private final SessionKeyRing ring;
    private final Duration maxAge;
    private final boolean secure;
    private final Clock clock;
    private final String sessionName;
    private final String loginName;

    /**
     * Cookies on the system clock.
     *
     * @param ring the keys that seal and open cookies
     * @param maxAge how long a session lasts (zot: 2 h)
     * @param secure whether cookies carry {@code Secure} (set it when users reach the registry over https)
     * @throws IllegalArgumentException if {@code maxAge} is not positive
     */
    public SessionCookies(SessionKeyRing ring, Duration maxAge, boolean secure) {
        this(ring, maxAge, secure, Clock.systemUTC());
    }

    /**
     * When a session ends: its own expiry, or its start plus the maximum age configured now, whichever is first.
     *
     * @param session the session
     * @return the end; lowering the maximum age shortens sessions already issued
     */
    public java.time.Instant endOf(Session session) {
        java.time.Instant byAge = session.issuedAt().plus(maxAge);
        return byAge.isBefore(session.expiresAt()) ? byAge : session.expiresAt();
    }

    /**
     * Cookies on a clock of your own, for tests.
     *
     * @param ring the keys that seal and open cookies
     * @param maxAge how long a session lasts
     * @param secure whether cookies carry {@code Secure}; also gives them {@code __Host-} names
     * @param clock the clock for issue and expiry times
     * @throws IllegalArgumentException if {@code maxAge} is not positive
     */
    public SessionCookies(SessionKeyRing ring, Duration maxAge, boolean secure, Clock clock) {
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("the session maximum age must be positive, got " + maxAge);
        }
        this.ring = ring;
        this.maxAge = maxAge;
        this.secure = secure;
        this.clock = clock;
        // __Host- names (Secure, Path=/, no Domain): a sibling subdomain or a plain-http attacker cannot plant these
        // cookies. A planted login transaction would log the victim in as the attacker (login CSRF), so it is one too.
        this.sessionName = secure ? "__Host-" + SESSION_COOKIE : SESSION_COOKIE;
        this.loginName = secure ? "__Host-" + LOGIN_COOKIE : LOGIN_COOKIE;
    }


    /**
     * The clock these cookies judge time by.
     *
     * @return the clock given at construction, else the system clock in UTC
     */
    public Clock clock() {
        return clock;
    }

    /** Thrown when a session cannot be put in a cookie (e.g. too many groups); the message says so plainly. */
    public static final class SessionTooLargeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SessionTooLargeException(String message) {
            super(message);
        }
    }

    /**
     * A new session for {@code user} from now for the maximum age, and its {@code Set-Cookie} value.
     * Drops the ID token if it does not fit; fails if the rest does not.
     *
     * @param user the user name the policy sees
     * @param groups the groups from the identity provider
     * @param provider the name of the OIDC provider that logged the user in
     * @param idToken the provider's ID token, for its logout endpoint, or {@code null}
     * @return the session as sealed (without the ID token if it was dropped) and its {@code Set-Cookie} value
     * @throws SessionTooLargeException if even without the ID token the cookie would pass browsers' size limit
     */
    public Issued issue(String user, List<String> groups, String provider, @Nullable String idToken) {
        Instant now = clock.instant();
        Session session = new Session(user, groups, provider, now, now.plus(maxAge), idToken);
        String cookie = sessionCookie(session);
        if (cookie.length() > MAX_COOKIE && idToken != null) {
            session = new Session(user, groups, provider, now, now.plus(maxAge), null);
            cookie = sessionCookie(session);
        }
        if (cookie.length() > MAX_COOKIE) {
            throw new SessionTooLargeException("the session for '" + user + "' with " + groups.size() + " groups needs " + cookie.length()
                    + " bytes, more than a browser keeps in a cookie (" + MAX_COOKIE + "); map fewer groups (claimMapping.groups)"
                    + " or trim the user's groups at the identity provider");
        }
        return new Issued(session, setCookie(sessionName, cookie.substring(sessionName.length() + 1), "/", maxAge));
    }

    /**
     * A session and the {@code Set-Cookie} header value that carries it.
     *
     * @param session the session as sealed
     * @param setCookie the whole {@code Set-Cookie} value; {@link #toString()} leaves it out
     */
    public record Issued(Session session, String setCookie) {
        @Override
        public String toString() {
            return "Issued[" + session + "]";
        }
    }

    private String sessionCookie(Session s) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(s.user()).claim("grp", s.groups()).claim("prv", s.provider())
                .issueTime(Date.from(s.issuedAt())).expirationTime(Date.from(s.expiresAt()));
        if (s.idToken() != null) {
            claims.claim("idt", s.idToken());
        }
        return sessionName + "=" + SealedCookie.seal(ring, "session", claims.build());
    }

    /**
     * The session in a {@code Cookie} header, if there is exactly one that a key of the ring sealed
     * and that has not expired — by its own expiry, or by the maximum age configured now.
     *
     * @param cookieHeaders every {@code Cookie} header of the request
     * @return the session, or empty: no session cookie, two of them, or one that does not open or has expired
     */
    public Optional<Session> read(List<String> cookieHeaders) {
        return sealedSession(cookieHeaders).flatMap(this::open);
    }

    /**
     * The session cookie's sealed value, if the request carries exactly one; nothing is checked yet.
     *
     * @param cookieHeaders every {@code Cookie} header of the request
     * @return the value, for {@link #open(String)}; empty when there is none, it is empty, or there are two
     */
    public Optional<String> sealedSession(List<String> cookieHeaders) {
        return cookie(cookieHeaders, sessionName);
    }

    /**
     * Opens a sealed session value: the session, if a key of the ring sealed it and it has not expired. Never throws
     * for a bad value.
     *
     * @param sealed the session cookie's value
     * @return the session, or empty when the value does not open or the session has ended
     */
    public Optional<Session> open(String sealed) {
        return SealedCookie.open(ring, "session", sealed, clock).flatMap(c -> {
            try {
                List<String> groups = c.getStringListClaim("grp");
                Session s = new Session(c.getSubject(), groups == null ? List.of() : groups, c.getStringClaim("prv"),
                        c.getIssueTime().toInstant(), c.getExpirationTime().toInstant(), c.getStringClaim("idt"));
                return endOf(s).isAfter(clock.instant()) ? Optional.of(s) : Optional.empty();
            } catch (ParseException | RuntimeException e) {
                return Optional.empty();
            }
        });
    }


    /**
     * A {@code Set-Cookie} value that removes the session cookie.
     *
     * @return the value, with {@code Max-Age=0}
     */
    public String clearSession() {
        return setCookie(sessionName, "", "/", Duration.ZERO);
    }

    /**
     * The sealed login transaction, valid for {@code ttl}, as a {@code Set-Cookie} value. Its path is {@code /}, as a
     * {@code __Host-} cookie's must be.
     *
     * @param transaction what the callback needs back, e.g. state, nonce and PKCE verifier
     * @param ttl how long the login may take
     * @return the whole {@code Set-Cookie} value
     */
    public String loginCookie(Map<String, String> transaction, Duration ttl) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().expirationTime(Date.from(clock.instant().plus(ttl)));
        transaction.forEach(claims::claim);
        return setCookie(loginName, SealedCookie.seal(ring, "login", claims.build()), "/", ttl); // a __Host- cookie's path is /
    }

    /**
     * The login transaction in a {@code Cookie} header, if valid and unexpired.
     *
     * @param cookieHeaders every {@code Cookie} header of the request
     * @return the transaction's string entries, or empty: no login cookie, two of them, or one that does not open or
     *     has expired
     */
    public Optional<Map<String, String>> readLogin(List<String> cookieHeaders) {
        return cookie(cookieHeaders, loginName).flatMap(v -> SealedCookie.open(ring, "login", v, clock)).map(c -> {
            // only the string claims: a transaction this code sealed holds nothing else
            Map<String, String> out = new java.util.HashMap<>();
            c.getClaims().forEach((k, v) -> {
                if (v instanceof String s) {
                    out.put(k, s);
                }
            });
            return out;
        });
    }

    /**
     * A {@code Set-Cookie} value that removes the login transaction cookie.
     *
     * @return the value, with {@code Max-Age=0}
     */
    public String clearLogin() {
        return setCookie(loginName, "", "/", Duration.ZERO);
    }

    private String setCookie(String name, String value, String path, Duration age) {
        StringBuilder b = new StringBuilder(name).append('=').append(value).append("; Path=").append(path)
                .append("; Max-Age=").append(age.toSeconds()).append("; HttpOnly; SameSite=Lax");
        if (secure) {
            b.append("; Secure");
        }
        return b.toString();
    }

    /** The value of a cookie in {@code Cookie} headers ({@code a=b; c=d}); none if absent, empty or given twice (a planted duplicate). */
    static Optional<String> cookie(List<String> cookieHeaders, String name) {
        String found = null;
        for (String header : cookieHeaders) {
            for (String part : header.split(";")) {
                String p = part.strip();
                int eq = p.indexOf('=');
                if (eq > 0 && p.substring(0, eq).equals(name)) {
                    String v = p.substring(eq + 1);
                    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                        v = v.substring(1, v.length() - 1);
                    }
                    if (found != null) {
                        return Optional.empty();
                    }
                    found = v;
                }
            }
        }
        return found == null || found.isEmpty() ? Optional.empty() : Optional.of(found);
    }
}
