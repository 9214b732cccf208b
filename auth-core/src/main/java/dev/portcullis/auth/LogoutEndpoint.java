package dev.portcullis.auth;

import dev.portcullis.auth.oidc.OidcLogin;
import dev.portcullis.auth.session.Session;
import dev.portcullis.auth.session.SessionCookies;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@code POST {prefix}/logout}: clears the session cookie (nothing is kept on the server), and names the provider's
 * logout URL when it has one ({@code {"endSessionUrl": …}}).
 */
final class LogoutEndpoint implements Endpoint {
    private final String path;
    private final SessionCookies sessions;
    private final @Nullable OidcLogin oidc; // null: sessions issued elsewhere

    LogoutEndpoint(String prefix, SessionCookies sessions, @Nullable OidcLogin oidc) {
        this.path = prefix + "/logout";
        this.sessions = sessions;
        this.oidc = oidc;
    }

    @Override
    public boolean handles(String requestPath) {
        return requestPath.equals(path);
    }

    @Override
    public Outcome.Respond handle(Call call) {
        if (!call.request().method().equals("POST")) {
            return call.refuse(405, "UNSUPPORTED", "log out with POST " + path);
        }
        Optional<Session> session = sessions.read(call.presented().cookies());
        if (session.isPresent() && !CsrfCheck.passes(call.request())) {
            return call.refuse(403, "DENIED", CsrfCheck.REFUSAL);
        }
        Object body = oidc == null ? Responses.JSON.createObjectNode() : oidc.logout(session.orElse(null));
        call.audit(session.map(s -> "logout of " + s.user()).orElse("logout without a session"));
        return Responses.json(200, body, Map.of(), List.of(sessions.clearSession()));
    }
}
