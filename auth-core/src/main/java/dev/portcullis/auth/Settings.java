package dev.portcullis.auth;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.oidc.BearerJwt;
import dev.portcullis.auth.oidc.ExternalTokenServer;
import dev.portcullis.auth.oidc.OidcLogin;
import dev.portcullis.auth.routes.ExistenceLookup;
import dev.portcullis.auth.routes.OciDistributionRoutes;
import dev.portcullis.auth.routes.RouteResolver;
import dev.portcullis.auth.session.SessionCookies;
import dev.portcullis.auth.session.SessionKeyRing;
import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.policy.Action;
import dev.portcullis.policy.PolicyEntry;
import dev.portcullis.policy.RepositoryRule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** What a {@link Portcullis.Builder} was told, for the {@link Pipeline} it builds; every default is here. */
final class Settings {
    @Nullable AccessPolicy policy;
    /** Where the policy came from, for the start's summary line. */
    String policySource = "given in code";
    String realm = "portcullis";
    RouteResolver routes = OciDistributionRoutes.INSTANCE;
    /** Whether the application chose the routes: with the default ones, a write outside /v2/ is worth a warning. */
    boolean routesChosen;
    @Nullable ExistenceLookup existence;
    @Nullable ApiKeyService apiKeys;
    @Nullable Path htpasswd;
    dev.portcullis.auth.ldap.@Nullable LdapDirectory ldap;
    @Nullable ClientCertificates clientCertificates;
    /**
     * Starts watching the configuration file for a new policy (zot's live reload), given where a new policy goes; null
     * when the policy came from code.
     */
    java.util.function.@Nullable Function<java.util.function.BiConsumer<AccessPolicy, String>, Watch> watch;

    /** A running watch of the configuration file. */
    interface Watch extends AutoCloseable {
        /** What it did so far. */
        ConfigReloads status();

        @Override
        void close();
    }
    String prefix = "/auth";
    Duration failDelay = Duration.ZERO;
    int maxFailures = 20;
    Duration failureWindow = Duration.ofMinutes(1);
    Duration limitedDelay = Duration.ofSeconds(1);
    List<String> trustedProxies = new ArrayList<>();
    /** zot's http.ratelimit: the limit for every method first, then those per method. */
    final List<RateLimiter.Limit> rateLimits = new ArrayList<>();
    AuthEventListener listener = AuthEventListener.slf4j();
    final List<AutoCloseable> owned = new ArrayList<>();
    @Nullable OidcLogin oidc;
    @Nullable SessionCookies sessions;
    @Nullable BearerJwt bearerJwt;
    /** The registry token flow: null for the default (on for the OCI routes). */
    @Nullable Boolean tokens;
    @Nullable SessionKeyRing tokenKeys;
    Duration tokenLifetime = Duration.ofMinutes(5);
    @Nullable String externalUrl;
    /** zot's external token server ({@code http.auth.bearer} realm): its challenge and tokens instead of the token flow's. */
    @Nullable ExternalTokenServer externalTokens;
    /** Null: no self-service page; empty: at its default place. */
    @Nullable String pagePath = "";
    final List<Authenticator> authenticators = new ArrayList<>();
    final List<Endpoint> endpoints = new ArrayList<>();

    /**
     * Whether some caller may hold create without update or update without create somewhere: then a write's answer
     * depends on whether its target exists. Looks at each grant alone, so it may say yes where unions of grants even out.
     */
    static boolean createDiffersFromUpdate(AccessPolicy policy) {
        if (differs(policy.adminPolicy().actions())) {
            return true;
        }
        for (RepositoryRule rule : policy.repositories()) {
            if (differs(rule.defaultPolicy()) || differs(rule.anonymousPolicy())) {
                return true;
            }
            for (PolicyEntry entry : rule.policies()) {
                if (differs(entry.actions())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean differs(Set<Action> actions) {
        return actions.contains(Action.CREATE) != actions.contains(Action.UPDATE);
    }

    /** Whether the registry token flow is on: as set, else for the OCI routes. */
    boolean tokenFlow() {
        if (externalTokens != null) {
            return false; // the external server mints the tokens
        }
        return tokens != null ? tokens : routes == OciDistributionRoutes.INSTANCE;
    }

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

    /** Refuses settings that contradict each other, or that would fail on the first request that needs them. */
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
        AccessPolicy policy = this.policy;
        if (policy != null && existence == null && routes.writesTags() && createDiffersFromUpdate(policy)) {
            // else the first create-only push is answered 500: say so now, where the fix is
            throw new IllegalStateException("the policy grants create without update (or update without create), so a tag or"
                    + " file write must know whether its target exists, and no ExistenceLookup was given: add"
                    + " .existence((repository, tag) -> yourStorage.exists(repository, tag)) to the builder (in web.xml: the"
                    + " servlet-context attribute dev.portcullis.existenceLookup, set by a ServletContextListener)");
        }
    }
}
