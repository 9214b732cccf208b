package dev.portcullis.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** zot's rules for callback_ui, as a table. */
class CallbackUiTest {
    @ParameterizedTest(name = "[{index}] {0} → {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "/ui/keys                               | /ui/keys",
        "/                                      | /",
        "/home?tab=keys#top                     | /home?tab=keys#top",
        "''                                     | /",
        "//evil.example/path                    | /",
        "/\\evil.example                         | /",
        "\\\\evil.example                        | /",
        "/ok%0d%0aSet-Cookie:x=y                | /ok%0d%0aSet-Cookie:x=y",
        "https://registry.example.com/ui        | https://registry.example.com/ui",
        "https://REGISTRY.example.com:443/ui    | https://REGISTRY.example.com:443/ui",
        "http://registry.example.com/ui         | /",
        "https://registry.example.com:8443/ui   | /",
        "https://ui.example.com:3000/x          | https://ui.example.com:3000/x",
        "https://ui.example.com/x               | /",
        "https://evil.example/                  | /",
        "https://registry.example.com.evil.example/ | /",
        "https://user@registry.example.com/     | /",
        "javascript:alert(1)                    | /",
        "ui/keys                                | /",
    })
    void table(String callbackUi, String expected) {
        assertThat(CallbackUi.safe(callbackUi, "https://registry.example.com", List.of("https://ui.example.com:3000"))).isEqualTo(expected);
    }

    /**
     * Every row of zot's TestValidateCallbackUI (pkg/api/authn_test.go), with its allowed origins. zot answers an empty
     * callback_ui with "" (no callback: the browser goes to the UI's root); here that is "/".
     */
    @ParameterizedTest(name = "[{index}] {0} with {2} → {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "''                                     | /                                   | ''",
        "/v2/                                   | /v2/                                | ''",
        "/                                      | /                                   | ''",
        "/zot/auth/login                        | /zot/auth/login                     | ''",
        "https://evil.com/phish                 | /                                   | ''",
        "https://example.com/home               | https://example.com/home            | https://example.com",
        "http://localhost:3000/home             | http://localhost:3000/home          | http://localhost:3000",
        "http://localhost:3001/home             | /                                   | http://localhost:3000",
        "//evil.com/path                        | /                                   | ''",
        "v2/                                    | /                                   | ''",
        "path/segment                           | /                                   | ''",
        "javascript:alert(1)                    | /                                   | ''",
        "http:///path                           | /                                   | ''",
        "https://example.com/home               | https://example.com/home            | '  \t  ,https://example.com'",
        "'/v2/\nSet-Cookie: x=y'               | /                                   | ''",
        "'/v2/\rSet-Cookie: x=y'               | /                                   | ''",
        "/\\evil.com                          | /                                   | ''",
        "\\\\evil.com                       | /                                   | ''",
        "/v2\\evil.com                        | /                                   | ''",
        "/%5Cevil.com                           | /                                   | ''",
        "/%5cevil.com                           | /                                   | ''",
    })
    void zotsOwnTable(String callbackUi, String expected, String allowOrigins) {
        List<String> allowed = allowOrigins.isEmpty() ? List.of() : List.of(allowOrigins.split(",", -1));
        assertThat(CallbackUi.safe(callbackUi, null, allowed)).isEqualTo(expected);
    }

    /** A percent-encoded slash or backslash in the path, or a broken escape there, sends the browser to '/'; in a query it is data. */
    @ParameterizedTest(name = "[{index}] {0} → {1}")
    @CsvSource(delimiter = '|', value = {
        "/%2Fevil.com                 | /",
        "/%2fevil.com                 | /",
        "/a/%5C%5Cevil.com            | /",
        "/%zz                         | /",
        "/a%5                         | /",
        "/a%                          | /",
        "/ui?next=%2F%5Cx             | /ui?next=%2F%5Cx",
        "/ui#%5C                      | /ui#%5C",
        "/ui/%41pp                    | /ui/%41pp",
        "/ui/%255Cevil.com            | /ui/%255Cevil.com",
    })
    void anEncodedSeparatorInThePathIsNeverHonoured(String callbackUi, String expected) {
        assertThat(CallbackUi.safe(callbackUi, "https://registry.example.com", List.of())).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a\r\nLocation: x", "/a\nb", "/a\tb", "/a\u007fb", "/a\u0000b", "/a b", "/a\u010ab", "/caf\u00e9"})
    void anythingButVisibleAsciiIsRefused(String callbackUi) {
        assertThat(CallbackUi.safe(callbackUi, "https://registry.example.com", List.of())).isEqualTo("/");
    }
}
