package dev.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Authorization scheme is matched case-insensitively in ASCII only, as RFC 9110 section 11.1 says. */
class CredentialsTest {
    private static final String USER_AND_KEY = Base64.getEncoder().encodeToString("ci:pck_key".getBytes(StandardCharsets.UTF_8));

    @ParameterizedTest
    @ValueSource(strings = {"Basic", "basic", "BASIC", "bAsIc"})
    void basicInAnyCase(String scheme) {
        assertThat(AuthorizationHeader.from(List.of(scheme + " " + USER_AND_KEY))).isEqualTo(new Credentials.Basic("ci", "pck_key"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer", "bearer", "BEARER"})
    void bearerInAnyCase(String scheme) {
        assertThat(AuthorizationHeader.from(List.of(scheme + " pck_key"))).isEqualTo(new Credentials.Bearer("pck_key"));
    }

    @Test
    void aBearerApiKeyIsRecognizedBeforeDecoding() {
        assertThat(AuthorizationHeader.isBearerStarting("Bearer pck_key", "pck_")).isTrue();
        assertThat(AuthorizationHeader.isBearerStarting("bEARER pck_key", "pck_")).isTrue();
        assertThat(AuthorizationHeader.isBearerStarting("Bearer  pck_key", "pck_")).as("two spaces: decided in full").isFalse();
        assertThat(AuthorizationHeader.isBearerStarting("Bearer eyJhbGciOi", "pck_")).isFalse();
        assertThat(AuthorizationHeader.isBearerStarting("Basic pck_key", "pck_")).isFalse();
        assertThat(AuthorizationHeader.isBearerStarting("Bearer", "pck_")).isFalse();
        assertThat(AuthorizationHeader.isBearerStarting("Bearer pck", "pck_")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"BASİC", "Basıc", "Basics", "Basi", "Bearer_", "ＢＡＳＩＣ"})
    void lookAlikesAndNearMissesAreNoScheme(String scheme) {
        assertThat(AuthorizationHeader.from(List.of(scheme + " " + USER_AND_KEY))).isInstanceOf(Credentials.Malformed.class);
    }

    @Test
    void basicCredentialsSplitAtTheFirstColon() {
        assertThat(basic("ci:a:b".getBytes(StandardCharsets.UTF_8))).isEqualTo(new Credentials.Basic("ci", "a:b"));
        assertThat(basic("ci:".getBytes(StandardCharsets.UTF_8))).isEqualTo(new Credentials.Basic("ci", ""));
        assertThat(basic("jürgen:pässword".getBytes(StandardCharsets.UTF_8))).isEqualTo(new Credentials.Basic("jürgen", "pässword"));
        assertThat(basic(":".getBytes(StandardCharsets.UTF_8))).as("what skopeo sends without credentials").isEqualTo(new Credentials.None());
        assertThat(basic("ci:a\uFFFDb".getBytes(StandardCharsets.UTF_8))).as("U+FFFD itself, well encoded")
                .isEqualTo(new Credentials.Basic("ci", "a\uFFFDb"));
    }

    @Test
    void basicCredentialsWithoutUserOrColonOrInBrokenUtf8AreMalformed() {
        assertThat(basic(":secret".getBytes(StandardCharsets.UTF_8))).isEqualTo(new Credentials.Malformed("Basic credentials need user:password"));
        assertThat(basic("secret".getBytes(StandardCharsets.UTF_8))).isEqualTo(new Credentials.Malformed("Basic credentials need user:password"));
        assertThat(basic(new byte[] {'c', 'i', ':', (byte) 0xc3})).isEqualTo(new Credentials.Malformed("Basic credentials are not UTF-8"));
        assertThat(basic(new byte[] {'c', (byte) 0xff, ':', 'x'})).isEqualTo(new Credentials.Malformed("Basic credentials are not UTF-8"));
        assertThat(basic(new byte[] {(byte) 0xc0, (byte) 0xba, ':', 'x'})).as("an overlong ':' is not a colon")
                .isEqualTo(new Credentials.Malformed("Basic credentials are not UTF-8"));
    }

    @Test
    void spacesAndTabsAroundTheCredentialsAreOptionalWhitespaceButControlCharactersAreRefused() {
        assertThat(AuthorizationHeader.from(List.of("Basic \t " + USER_AND_KEY + " \t"))).isEqualTo(new Credentials.Basic("ci", "pck_key"));
        assertThat(AuthorizationHeader.from(List.of("Bearer  pck_key "))).isEqualTo(new Credentials.Bearer("pck_key"));
        for (String control : List.of("\r", "\n", "\0", "\u000b")) {
            assertThat(AuthorizationHeader.from(List.of("Basic " + USER_AND_KEY + control))).as("Basic with U+%04X", (int) control.charAt(0))
                    .isInstanceOf(Credentials.Malformed.class);
            assertThat(AuthorizationHeader.from(List.of("Basic " + control + USER_AND_KEY))).isInstanceOf(Credentials.Malformed.class);
        }
        assertThat(AuthorizationHeader.from(List.of("Bearer pck_key\r"))).isEqualTo(new Credentials.Malformed("control characters in the Authorization header"));
        assertThat(AuthorizationHeader.from(List.of("Bearer pck\0key"))).isEqualTo(new Credentials.Malformed("control characters in the Authorization header"));
    }

    private static Credentials basic(byte[] userAndPassword) {
        return AuthorizationHeader.from(List.of("Basic " + Base64.getEncoder().encodeToString(userAndPassword)));
    }
}
