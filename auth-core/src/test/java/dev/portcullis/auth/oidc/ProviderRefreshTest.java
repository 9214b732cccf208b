package dev.portcullis.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.session.SessionCookies;
import dev.portcullis.auth.session.SessionKeyRing;
import dev.portcullis.policy.AccessPolicy;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An identity provider's discovery document and keys across time: refreshed in the background ahead of their
 * 15-minute lifespan (never on a request's thread), kept through an outage for 6 hours, then 503 until the provider is
 * back. Time is the test's: a clock and a schedule it moves by hand.
 */
class ProviderRefreshTest {
    final OidcLoginTest.MutableClock clock = new OidcLoginTest.MutableClock();
    final HandRunSchedule schedule = new HandRunSchedule(clock);
    FakeProvider idp;
    BearerJwt bearer;

    @BeforeEach
    void start() throws Exception {
        idp = new FakeProvider();
        bearer = new BearerJwt(List.of(new BearerJwt.TrustedIssuer(idp.issuer(), List.of("registry"), "claims.sub", null, null, Map.of())),
                Duration.ofSeconds(5), Duration.ofSeconds(30), clock, schedule);
    }

    @AfterEach
    void stop() {
        bearer.close();
        idp.close();
    }

    /** A new token each time (a verified one is remembered, and would need no keys). */
    String token(RSAKey key) {
        Date now = new Date();
        return idp.sign(new JWTClaimsSet.Builder().issuer(idp.issuer()).audience("registry").subject("job-" + UUID.randomUUID())
                .issueTime(now).expirationTime(new Date(now.getTime() + 300_000)).build(), key);
    }

    BearerJwt.Result verify(RSAKey key) {
        return bearer.verify(token(key));
    }

    /** Fetches of the discovery document and of the keys so far. */
    List<Integer> fetches() {
        return List.of(idp.discoveryFetches.get(), idp.jwksFetches.get());
    }

    @Test
    void discoveryAndKeysAreRefreshedInTheBackgroundAheadOfTheirLifespanNeverOnARequest() {
        RSAKey k1 = idp.key;
        assertThat(verify(k1)).isInstanceOf(BearerJwt.Result.Valid.class);
        assertThat(fetches()).as("fetched on first use").containsExactly(1, 1);
        assertThat(schedule.pending()).as("a refresh each for the document and the keys").isEqualTo(2);

        schedule.advance(Refreshing.EVERY.minusSeconds(1));
        assertThat(fetches()).isEqualTo(List.of(1, 1));
        RSAKey k2 = FakeProvider.newKey("k2");
        idp.key = k2; // the provider rotates: k1 is no longer published
        assertThat(verify(k1)).as("k1 until the refresh").isInstanceOf(BearerJwt.Result.Valid.class);

        schedule.advance(Duration.ofSeconds(1));
        assertThat(fetches()).as("refreshed in the background, one minute ahead of the lifespan").containsExactly(2, 2);

        schedule.advance(Refreshing.LIFESPAN.minus(Refreshing.EVERY).plusSeconds(1)); // past the first keys' lifespan
        assertThat(verify(k2)).as("the rotated key, known without a fetch").isInstanceOf(BearerJwt.Result.Valid.class);
        assertThat(fetches()).as("no request fetched anything").containsExactly(2, 2);
        assertThat(verify(k1)).as("a key the provider withdrew").isInstanceOf(BearerJwt.Result.Invalid.class);
        assertThat(fetches()).as("an unknown kid fetches the keys once on the request's thread").containsExactly(2, 3);
        assertThat(verify(k1)).isInstanceOf(BearerJwt.Result.Invalid.class);
        assertThat(fetches()).as("and not again within the rate limit").containsExactly(2, 3);

        for (int i = 0; i < 8; i++) {
            schedule.advance(Refreshing.EVERY);
        }
        assertThat(fetches()).as("every 14 minutes, for as long as it runs").containsExactly(10, 11);
        bearer.close();
        schedule.advance(Duration.ofHours(1));
        assertThat(fetches()).as("nothing after close").containsExactly(10, 11);
    }

    @Test
    void throughAnOutageTheKeysStayInUseForSixHoursThen503UntilTheProviderIsBack() {
        RSAKey k1 = idp.key;
        assertThat(verify(k1)).isInstanceOf(BearerJwt.Result.Valid.class);
        idp.down = true;

        schedule.advance(Refreshing.EVERY);
        assertThat(verify(k1)).as("a failed refresh keeps the keys").isInstanceOf(BearerJwt.Result.Valid.class);
        schedule.advance(Duration.ofHours(3));
        assertThat(verify(k1)).isInstanceOf(BearerJwt.Result.Valid.class);
        schedule.advance(Refreshing.OUTAGE_TOLERANCE.minus(Duration.ofHours(3)).minus(Refreshing.EVERY));
        assertThat(verify(k1)).as("six hours after the last fetch").isInstanceOf(BearerJwt.Result.Valid.class);
        assertThat(schedule.ran).as("the document and the keys retried every 30 s meanwhile").isGreaterThan(2 * 690);

        schedule.advance(Duration.ofSeconds(1));
        BearerJwt.Result tooOld = verify(k1);
        assertThat(tooOld).as("too old to trust: fail closed").isInstanceOf(BearerJwt.Result.Unavailable.class);
        assertThat(((BearerJwt.Result.Unavailable) tooOld).reason()).as("what failed is logged, not told to the client")
                .isEqualTo("cannot check the bearer token's signature: the keys of " + idp.issuer() + " cannot be fetched now");

        idp.down = false;
        schedule.advance(Refreshing.BACKGROUND_RETRY);
        assertThat(verify(k1)).as("the next background attempt brings them back").isInstanceOf(BearerJwt.Result.Valid.class);
    }

    @Test
    void aProviderNeverReachedIsAskedOnUseAtMostEveryFewSeconds() {
        idp.down = true;
        assertThat(verify(idp.key)).isInstanceOf(BearerJwt.Result.Unavailable.class);
        assertThat(verify(idp.key)).isInstanceOf(BearerJwt.Result.Unavailable.class);
        assertThat(schedule.pending()).as("nothing to keep fresh yet").isZero();
        idp.down = false;
        assertThat(verify(idp.key)).as("within the pause").isInstanceOf(BearerJwt.Result.Unavailable.class);
        schedule.advance(Duration.ofSeconds(5));
        assertThat(verify(idp.key)).isInstanceOf(BearerJwt.Result.Valid.class);
    }

    @Test
    void aLoginStartsFromTheDiscoveryDocumentKeptThroughAnOutage() throws Exception {
        OidcLogin login = OidcLogin.builder().externalUrl("https://registry.example.com")
                .sessions(new SessionCookies(SessionKeyRing.generate(), Duration.ofHours(2), true, clock))
                .provider(OidcProviderSettings.of("fake", idp.issuer(), "registry", "secret")).scheduler(schedule).build();
        try (login) {
            Portcullis p = Portcullis.builder().policy(AccessPolicy.fromZotJson("{\"repositories\":{}}")).oidc(login).build();
            Browser browser = new Browser(p, "https://registry.example.com");
            assertThat(browser.login("fake", "/").status()).isEqualTo(302);
            idp.down = true;
            schedule.advance(Duration.ofHours(5));
            Outcome.Respond start = browser.respond("GET", "/auth/login?provider=fake");
            assertThat(start.status()).as("to the provider's authorization endpoint, as discovered").isEqualTo(302);
            assertThat(start.headers().get("Location")).startsWith(idp.issuer() + "/authorize?");
            schedule.advance(Duration.ofHours(1).plusSeconds(1));
            assertThat(browser.respond("GET", "/auth/login?provider=fake").status()).isEqualTo(503);
            idp.down = false;
            schedule.advance(Refreshing.BACKGROUND_RETRY);
            assertThat(browser.login("fake", "/").status()).isEqualTo(302);
        }
    }
}
