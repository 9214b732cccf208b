package dev.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Client addresses behind proxies, and the CSRF hook for session-authenticated changes. */
class RequestHelpersTest {
    record View(String remote, Map<String, List<String>> headers) implements HttpRequestView {
        public String method() {
            return "POST";
        }

        public String rawPath() {
            return "/auth/apikey";
        }

        public String rawQuery() {
            return null;
        }

        public List<String> headers(String name) {
            return headers.getOrDefault(name, List.of());
        }

        public String remoteAddress() {
            return remote;
        }

        public boolean secure() {
            return false;
        }

        public byte[] body(int limit) {
            return new byte[0];
        }
    }

    @Test
    void forwardedHeadersCountOnlyFromTrustedProxies() {
        ClientAddresses addresses = new ClientAddresses(List.of("10.0.0.1", "10.0.0.2"));
        Map<String, List<String>> forwarded = Map.of("X-Forwarded-For", List.of("6.6.6.6, 203.0.113.9, 10.0.0.2"));
        assertThat(addresses.of(new View("10.0.0.1", forwarded))).isEqualTo("203.0.113.9");
        assertThat(addresses.of(new View("198.51.100.7", forwarded))).as("untrusted peer: its header is ignored").isEqualTo("198.51.100.7");
        assertThat(addresses.of(new View("10.0.0.1", Map.of()))).isEqualTo("10.0.0.1");
    }

    @Test
    void sessionChangesNeedTheCustomHeaderOrASameOriginRequest() {
        assertThat(CsrfCheck.passes(new View("1.2.3.4", Map.of("X-Portcullis-Csrf", List.of("1"))))).isTrue();
        assertThat(CsrfCheck.passes(new View("1.2.3.4", Map.of("Host", List.of("registry.example.com"),
                "Origin", List.of("https://registry.example.com"))))).isTrue();
        assertThat(CsrfCheck.passes(new View("1.2.3.4", Map.of("Host", List.of("registry.example.com"),
                "Origin", List.of("https://evil.example"))))).isFalse();
        assertThat(CsrfCheck.passes(new View("1.2.3.4", Map.of("Host", List.of("registry.example.com"),
                "Referer", List.of("https://registry.example.com/ui/keys"))))).isTrue();
        assertThat(CsrfCheck.passes(new View("1.2.3.4", Map.of("Host", List.of("registry.example.com"), "Origin", List.of("null"))))).isFalse();
        assertThat(CsrfCheck.passes(new View("1.2.3.4", Map.of("Host", List.of("registry.example.com"))))).isFalse();
    }
}
