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

    @ParameterizedTest
    @ValueSource(strings = {"/a\r\nLocation: x", "/a\nb", "/a\tb", "/a\u007fb", "/a\u0000b", "/a b", "/a\u010ab", "/caf\u00e9"})
    void anythingButVisibleAsciiIsRefused(String callbackUi) {
        assertThat(CallbackUi.safe(callbackUi, "https://registry.example.com", List.of())).isEqualTo("/");
    }
}
