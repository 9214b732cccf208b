package dev.portcullis.auth.session;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.time.Duration;
import java.util.List;

/**
 * Fuzzes the opening of session and login-transaction cookies: whatever bytes a browser carries (a planted, garbled
 * or forged cookie), opening them gives a session or nothing, never an exception. The fuzzer cannot know the ring's
 * key, so it never gets a session either. Seeds: the shapes that once escaped as exceptions ({@code e30.a.b.c.d}), and
 * headers naming the ring's key id with broken parts, so that decryption itself is reached.
 */
class SessionCookieFuzzTest {
    /** A fixed key, so that seeds can name its id. */
    static final SessionKeyRing RING = SessionKeyRing.of(List.of(new byte[32]));
    private static final SessionCookies COOKIES = new SessionCookies(RING, Duration.ofHours(2), false);

    @FuzzTest(maxDuration = "30s")
    void anyCookieOpensToASessionOrNothing(@NotNull String value) {
        boolean opened = COOKIES.open(value).isPresent()
                | COOKIES.read(List.of(SessionCookies.SESSION_COOKIE + "=" + value)).isPresent()
                | COOKIES.readLogin(List.of(SessionCookies.LOGIN_COOKIE + "=" + value, "other=" + value)).isPresent();
        if (opened) {
            throw new AssertionError("a cookie the fuzzer made opened under a key it cannot know: " + value);
        }
    }
}
