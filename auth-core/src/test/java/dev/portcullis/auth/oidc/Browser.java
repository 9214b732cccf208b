package dev.portcullis.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.TestRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A browser's part in a login against {@link Portcullis#handle}: a cookie jar, and following the provider's redirects. */
final class Browser {
    final Portcullis portcullis;
    final String externalUrl;
    final Map<String, String> cookies = new LinkedHashMap<>();
    final List<String> setCookies = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    URI lastAuthorizationUrl;

    Browser(Portcullis portcullis, String externalUrl) {
        this.portcullis = portcullis;
        this.externalUrl = externalUrl;
    }

    Outcome request(String method, String target, String... headers) {
        List<String> all = new ArrayList<>(List.of(headers));
        if (!cookies.isEmpty()) {
            all.add("Cookie: " + String.join("; ", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
        }
        Outcome out = portcullis.handle(TestRequest.of(method, target, all.toArray(String[]::new)));
        if (out instanceof Outcome.Respond r) {
            for (String c : r.cookies()) {
                setCookies.add(c);
                String pair = c.substring(0, c.indexOf(';'));
                String name = pair.substring(0, pair.indexOf('='));
                String value = pair.substring(pair.indexOf('=') + 1);
                if (value.isEmpty() || c.contains("Max-Age=0")) {
                    cookies.remove(name);
                } else {
                    cookies.put(name, value);
                }
            }
        }
        return out;
    }

    Outcome.Respond respond(String method, String target, String... headers) {
        Outcome out = request(method, target, headers);
        assertThat(out).isInstanceOf(Outcome.Respond.class);
        return (Outcome.Respond) out;
    }

    /** Starts a login and follows the provider's redirect back; returns the registry's answer to the callback. */
    Outcome.Respond login(String provider, String callbackUi) throws IOException, InterruptedException {
        Outcome.Respond start = respond("GET", "/auth/login?provider=" + provider + (callbackUi == null ? "" : "&callback_ui=" + callbackUi));
        assertThat(start.status()).as(start.bodyText()).isEqualTo(302);
        return callback(providerRedirect(URI.create(start.headers().get("Location"))));
    }

    /** The provider's redirect back to the registry, for an authorization URL. */
    URI providerRedirect(URI authorizationUrl) throws IOException, InterruptedException {
        lastAuthorizationUrl = authorizationUrl;
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(authorizationUrl).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
        return URI.create(r.headers().firstValue("Location").orElseThrow());
    }

    Outcome.Respond callback(URI redirect) {
        String s = redirect.toString();
        assertThat(s).startsWith(externalUrl);
        return respond("GET", s.substring(externalUrl.length()), "Accept: application/json");
    }
}
