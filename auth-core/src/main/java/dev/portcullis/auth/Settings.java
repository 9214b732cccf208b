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

/** What a {@link Portcullis.Builder} was told, for the {@link Pipeline} it builds; every default is here. */
final class Settings {
    AccessPolicy policy;
    String realm = "portcullis";
    RouteResolver routes = OciDistributionRoutes.INSTANCE;
    ExistenceLookup existence;
    ApiKeyService apiKeys;
    Path htpasswd;
    String prefix = "/auth";
    Duration failDelay = Duration.ZERO;
    int maxFailures = 20;
    Duration failureWindow = Duration.ofMinutes(1);
    Duration limitedDelay = Duration.ofSeconds(1);
    List<String> trustedProxies = new ArrayList<>();
    AuthEventListener listener = AuthEventListener.slf4j();
    final List<AutoCloseable> owned = new ArrayList<>();
    OidcLogin oidc;
    SessionCookies sessions;
    BearerJwt bearerJwt;
    String pagePath = "";
    final List<Authenticator> authenticators = new ArrayList<>();
    final List<Endpoint> endpoints = new ArrayList<>();
}
