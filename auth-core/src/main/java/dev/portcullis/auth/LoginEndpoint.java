package dev.portcullis.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.auth.oidc.OidcLogin;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** OIDC login ({@code GET {prefix}/login}) and the providers' callbacks ({@code GET {prefix}/callback/NAME}). */
final class LoginEndpoint implements Endpoint {
    private static final Html.Template FAILED = Html.Template.load("login-failed");
    private final OidcLogin login;
    private final String prefix;

    LoginEndpoint(OidcLogin login, String prefix) {
        this.login = login;
        this.prefix = prefix;
    }

    @Override
    public boolean handles(String path) {
        return login.handles(path);
    }

    @Override
    public Outcome.Respond handle(Call call) {
        String path = call.target().path();
        call.audit("OIDC " + path.substring(prefix.length()));
        HttpRequestView request = call.request();
        if (!request.method().equals("GET")) {
            return page(request, new OidcLogin.Answer.Refused(405, "method_not_allowed", request.method()
                    + " is not supported here; the login endpoints take GET", List.of()));
        }
        OidcLogin.Answer answer = login.handle(path, call.target().query(), request.headers("Cookie"));
        if (answer instanceof OidcLogin.Answer.Redirect r) {
            return new Outcome.Respond(302, Map.of("Location", r.location(), "Cache-Control", "no-store"), r.cookies(),
                    "text/plain; charset=utf-8", new byte[0], Duration.ZERO);
        }
        return page(request, (OidcLogin.Answer.Refused) answer);
    }

    /** A refused login as a small HTML page for browsers, JSON for everything else. */
    private static Outcome.Respond page(HttpRequestView request, OidcLogin.Answer.Refused refused) {
        boolean html = request.headers("Accept").stream().anyMatch(a -> a.contains("text/html"));
        Map<String, String> headers = Map.of("Cache-Control", "no-store");
        if (html) {
            String body = FAILED.render("title", refused.status() == 503 ? "Login is unavailable" : "Login failed",
                    "message", refused.message()).toString();
            return new Outcome.Respond(refused.status(), headers, refused.cookies(), "text/html; charset=utf-8",
                    body.getBytes(StandardCharsets.UTF_8), Duration.ZERO);
        }
        ObjectNode body = Responses.JSON.createObjectNode().put("error", refused.error()).put("message", refused.message());
        return new Outcome.Respond(refused.status(), headers, refused.cookies(), "application/json; charset=utf-8",
                body.toString().getBytes(StandardCharsets.UTF_8), Duration.ZERO);
    }
}
