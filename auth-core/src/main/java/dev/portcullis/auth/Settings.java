package dev.portcullis.auth;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.oidc.BearerJwt;
import dev.portcullis.auth.oidc.OidcLogin;
import dev.portcullis.auth.routes.ExistenceLookup;
import dev.portcullis.auth.routes.OciDistributionRoutes;
import dev.portcullis.auth.routes.RouteResolver;
import dev.portcullis.auth.session.SessionCookies;
import dev.portcullis.policy.AccessPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** What a {@link Portcullis.Builder} was told, for the {@link Pipeline} it builds; every default is here. */
final class Settings {
    @Nullable AccessPolicy policy;
    String realm = "portcullis";
    RouteResolver routes = OciDistributionRoutes.INSTANCE;
    @Nullable ExistenceLookup existence;
    @Nullable ApiKeyService apiKeys;
    @Nullable Path htpasswd;
    String prefix = "/auth";
    Duration failDelay = Duration.ZERO;
    int maxFailures = 20;
    Duration failureWindow = Duration.ofMinutes(1);
    Duration limitedDelay = Duration.ofSeconds(1);
    List<String> trustedProxies = new ArrayList<>();
    AuthEventListener listener = AuthEventListener.slf4j();
    final List<AutoCloseable> owned = new ArrayList<>();
    @Nullable OidcLogin oidc;
    @Nullable SessionCookies sessions;
    @Nullable BearerJwt bearerJwt;
    /** Null: no self-service page; empty: at its default place. */
    @Nullable String pagePath = "";
    final List<Authenticator> authenticators = new ArrayList<>();
    final List<Endpoint> endpoints = new ArrayList<>();

    static String pagePath(String path) {
        if (!path.startsWith("/") || path.startsWith("/v2/") || path.equals("/v2")) {
            throw new IllegalArgumentException("self-service page path '" + path + "' must start with '/' and lie outside /v2/, e.g. /auth/");
        }
        return path;
    }

    static String prefix(String prefix) {
        if (!prefix.startsWith("/") || prefix.endsWith("/")) {
            throw new IllegalArgumentException("endpoint prefix '" + prefix + "' must start with '/' and not end with it, e.g. /auth");
        }
        if (prefix.equals("/v2") || prefix.startsWith("/v2/")) {
            // its endpoints would take paths of the registry API over
            throw new IllegalArgumentException("endpoint prefix '" + prefix + "' must be outside the registry API /v2/, e.g. /auth");
        }
        return prefix;
    }

    /** Refuses settings that contradict each other. */
    void check() {
        OidcLogin oidc = this.oidc;
        BearerJwt bearerJwt = this.bearerJwt;
        if (oidc != null && !oidc.handles(prefix + "/login")) {
            throw new IllegalStateException("the OIDC login was built for another endpoint prefix than '" + prefix
                    + "'; give OidcLogin.Builder#endpointPrefix the same prefix");
        }
        if (oidc != null && bearerJwt != null) {
            // the login's ID tokens carry that audience: they would pass as bearer credentials
            BearerJwt.audienceClash(bearerJwt.trusted(), oidc.providers()).ifPresent(why -> {
                throw new IllegalStateException("bearer JWTs: " + why);
            });
        }
    }
}
