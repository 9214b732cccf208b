package dev.portcullis.auth.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionCookiesTest {
    @TempDir
    Path dir;

    @Test
    void aKeyRingIsCreatedOnceEvenWhenReplicasStartTogether() throws Exception {
        Path file = dir.resolve("keys/session-keys.json");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<String>> starts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                starts.add(() -> SessionKeyRing.loadOrCreate(file).current().id());
            }
            HashSet<String> ids = new HashSet<>();
            for (Future<String> f : pool.invokeAll(starts)) {
                ids.add(f.get());
            }
            assertThat(ids).as("every starter reads the same key").hasSize(1);
        } finally {
            pool.shutdown();
        }
        assertThat(SessionKeyRing.loadOrCreate(file).current().id()).isEqualTo(SessionKeyRing.load(file).current().id());
        try (var files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("session-keys.json");
        }
    }

    @Test
    void aRotatedRingSealsWithTheNewKeyAndOpensWithTheOld() {
        SessionKeyRing old = SessionKeyRing.generate();
        SessionKeyRing rotated = SessionKeyRing.parse(old.rotate().toJson());
        assertThat(rotated.size()).isEqualTo(2);
        assertThat(rotated.current().id()).isNotEqualTo(old.current().id());
        SessionCookies before = new SessionCookies(old, Duration.ofHours(2), false);
        SessionCookies after = new SessionCookies(rotated, Duration.ofHours(2), false);
        String cookie = before.issue("erin", List.of("a"), "dex", null).setCookie();
        String header = cookie.substring(0, cookie.indexOf(';'));
        assertThat(after.read(List.of(header))).get().satisfies(s -> assertThat(s.user()).isEqualTo("erin"));
        String newer = after.issue("erin", List.of("a"), "dex", null).setCookie();
        assertThat(before.read(List.of(newer.substring(0, newer.indexOf(';'))))).as("the old ring lacks the new key").isEmpty();
        assertThat(cookie).doesNotContain("erin").endsWith("; Path=/; Max-Age=7200; HttpOnly; SameSite=Lax");
    }

    @Test
    void aLoginTransactionCannotPassForASession() {
        SessionCookies cookies = new SessionCookies(SessionKeyRing.generate(), Duration.ofHours(2), false);
        String login = cookies.loginCookie(Map.of("state", "s"), Duration.ofMinutes(10));
        String value = login.substring("portcullis_login=".length(), login.indexOf(';'));
        assertThat(cookies.read(List.of("portcullis_session=" + value))).isEmpty();
        assertThat(cookies.readLogin(List.of("other=1; portcullis_login=\"" + value + "\""))).get().satisfies(m -> assertThat(m).containsEntry("state", "s"));
    }

    @Test
    void secureCookiesArePrefixedAPlantedDuplicateIsNoSessionAndAShorterMaximumAgeAppliesToOldSessions() {
        SessionKeyRing ring = SessionKeyRing.generate();
        SessionCookies secure = new SessionCookies(ring, Duration.ofHours(2), true);
        String set = secure.issue("erin", List.of(), "dex", null).setCookie();
        assertThat(set).startsWith("__Host-portcullis_session=").contains("; Path=/;", "; Secure");
        // a __Host- cookie: a sibling subdomain cannot plant a login transaction of its own (login CSRF)
        assertThat(secure.loginCookie(Map.of("state", "s"), Duration.ofMinutes(10)))
                .startsWith("__Host-portcullis_login=").contains("; Path=/;", "; Secure").doesNotContain("Domain");
        String planted = secure.loginCookie(Map.of("state", "s"), Duration.ofMinutes(10)).replace("__Host-", "__Secure-");
        assertThat(secure.readLogin(List.of(planted.substring(0, planted.indexOf(';'))))).as("the old name is not read").isEmpty();
        String pair = set.substring(0, set.indexOf(';'));
        assertThat(secure.read(List.of(pair))).isPresent();
        assertThat(secure.read(List.of("__Host-portcullis_session=planted; " + pair))).as("two session cookies: neither counts").isEmpty();
        assertThat(secure.read(List.of(pair.substring("__Host-".length())))).as("the unprefixed name is not read when secure").isEmpty();
        SessionCookies shorter = new SessionCookies(ring, Duration.ofMinutes(30), true,
                java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofMinutes(31)));
        assertThat(shorter.read(List.of(pair))).as("issued for 2 h, but the maximum is now 30 min").isEmpty();
    }

    @Test
    void badKeyFilesAreNamedWithoutShowingKeys() throws Exception {
        Path file = dir.resolve("k.json");
        Files.writeString(file, "{\"keys\": [\"c2VjcmV0LXRoYXQtaXMtdG9vLXNob3J0\"]}");
        assertThatThrownBy(() -> SessionKeyRing.load(file)).hasMessageStartingWith(file + ": session keys: keys[0] must be 32 random bytes")
                .hasMessageNotContaining("c2VjcmV0");
        Files.writeString(file, "not json");
        assertThatThrownBy(() -> SessionKeyRing.load(file)).hasMessageContaining("not valid JSON");
    }
}
