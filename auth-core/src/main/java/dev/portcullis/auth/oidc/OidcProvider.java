package dev.portcullis.auth.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.LogoutRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.UserInfo;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configured OpenID Provider at run time: discovery and the provider's keys (fetched when first
 * needed, then kept fresh in the background and through an outage: {@link Refreshing}), the
 * authorization URL, the code exchange, ID-token validation with the provider's keys, and UserInfo.
 */
final class OidcProvider implements LoginProvider {
    private static final Logger LOG = LoggerFactory.getLogger(OidcProvider.class);
    /** Signature algorithms with a public key; never "none", never HMAC (that would make a public key a shared secret). */
    static final Set<JWSAlgorithm> ASYMMETRIC = Set.copyOf(new LinkedHashSet<>(List.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519)));

    private final OidcProviderSettings settings;
    private final URI redirectUri;
    private final Duration timeout;
    private final Refreshing<OIDCProviderMetadata> discovery;
    private final ProviderKeys keys;

    OidcProvider(OidcProviderSettings settings, URI redirectUri, Duration timeout, Duration retryAfter, Duration jwksRateLimit, Clock clock,
            Refreshing.Scheduler scheduler) {
        this.settings = settings;
        this.redirectUri = redirectUri;
        this.timeout = timeout;
        String what = "OIDC provider '" + settings.name() + "' (" + settings.issuer() + ")";
        this.discovery = new Refreshing<>("the discovery document of " + what, this::discover, retryAfter, clock, scheduler);
        this.keys = new ProviderKeys(what, () -> discovery.get().getJWKSetURI(), timeout, jwksRateLimit, retryAfter, clock, scheduler);
    }

    OidcProviderSettings settings() {
        return settings;
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public @Nullable String logoutOrigin() {
        return CallbackUi.origin(settings.issuer());
    }

    private OIDCProviderMetadata discover() throws GeneralException, IOException {
        OIDCProviderMetadata metadata = discover(settings.issuer(), timeout);
        if (metadata.getTokenEndpointURI() == null) {
            throw new GeneralException("its discovery document has no token_endpoint");
        }
        return metadata;
    }

    /** An issuer's discovery document, which must name its keys ({@code jwks_uri}); counted for metrics. */
    static OIDCProviderMetadata discover(String issuer, Duration timeout) throws GeneralException, IOException {
        long start = System.nanoTime();
        OIDCProviderMetadata metadata;
        try {
            metadata = OIDCProviderMetadata.resolve(new Issuer(issuer), r -> configure(r, timeout));
        } catch (GeneralException | IOException | RuntimeException e) {
            ProviderCalls.record(ProviderCalls.Call.DISCOVERY, start, true);
            throw e;
        }
        ProviderCalls.record(ProviderCalls.Call.DISCOVERY, start, false);
        if (metadata.getJWKSetURI() == null) {
            throw new GeneralException("its discovery document has no jwks_uri");
        }
        return metadata;
    }

    private void configure(HTTPRequest request) {
        configure(request, timeout);
    }

    static void configure(HTTPRequest request, Duration timeout) {
        request.setAccept("application/json"); // else some providers explain errors in HTML
        request.setConnectTimeout((int) timeout.toMillis());
        request.setReadTimeout((int) timeout.toMillis());
    }

    private IDTokenValidator validator(OIDCProviderMetadata metadata) {
        Set<JWSAlgorithm> algs = new LinkedHashSet<>();
        if (metadata.getIDTokenJWSAlgs() != null) {
            metadata.getIDTokenJWSAlgs().stream().filter(ASYMMETRIC::contains).forEach(algs::add);
        }
        if (algs.isEmpty()) {
            algs.add(JWSAlgorithm.RS256); // the OIDC default
        }
        IDTokenValidator v = new IDTokenValidator(metadata.getIssuer(), new ClientID(settings.clientId()),
                new JWSVerificationKeySelector<>(algs, keys), null);
        v.setMaxClockSkew(60);
        return v;
    }

    /** Stops refreshing the discovery document and the keys. */
    @Override
    public void close() {
        discovery.close();
        keys.close();
    }

    /** Where to send the browser: the provider's authorization endpoint with state, nonce and PKCE S256. */
    @Override
    public URI authorizationUrl(State state, Nonce nonce, CodeVerifier verifier) throws Unavailable {
        OIDCProviderMetadata metadata = discovery.get();
        return new AuthenticationRequest.Builder(ResponseType.CODE, new Scope(settings.scopes().toArray(String[]::new)),
                new ClientID(settings.clientId()), redirectUri)
                .endpointURI(metadata.getAuthorizationEndpointURI())
                .state(state).nonce(nonce).codeChallenge(verifier, CodeChallengeMethod.S256)
                .build().toURI();
    }

    /** Exchanges the code, validates the ID token, merges UserInfo, and maps the user name and groups. */
    @Override
    public Login exchange(AuthorizationCode code, CodeVerifier verifier, Nonce nonce) throws LoginFailed, Unavailable {
        OIDCProviderMetadata metadata = discovery.get();
        Secret secret = new Secret(settings.clientSecret());
        ClientID client = new ClientID(settings.clientId());
        ClientAuthentication auth = settings.clientAuth() == OidcProviderSettings.ClientAuth.CLIENT_SECRET_POST
                ? new ClientSecretPost(client, secret) : new ClientSecretBasic(client, secret);
        HTTPRequest request = new TokenRequest(metadata.getTokenEndpointURI(), auth, new AuthorizationCodeGrant(code, redirectUri, verifier))
                .toHTTPRequest();
        configure(request);
        TokenResponse response;
        HTTPResponse http;
        long start = System.nanoTime();
        try {
            http = request.send();
            ProviderCalls.record(ProviderCalls.Call.TOKEN, start, http.getStatusCode() >= 500);
            if (http.getStatusCode() >= 500) {
                throw new Unavailable("the identity provider's token endpoint failed (HTTP " + http.getStatusCode() + ")");
            }
            response = OIDCTokenResponseParser.parse(http);
        } catch (IOException e) {
            ProviderCalls.record(ProviderCalls.Call.TOKEN, start, true);
            throw new Unavailable("the identity provider's token endpoint cannot be reached: " + e.getMessage());
        } catch (ParseException e) {
            // garbage (an HTML error page, a proxy's login page): a fault on the way to the provider, retried like an outage;
            // what it said is not repeated, it may be anything
            throw new Unavailable("the identity provider's token endpoint gave an answer that is not a token response");
        }
        if (!response.indicatesSuccess()) {
            ErrorObject error = response.toErrorResponse().getErrorObject();
            if (error.getCode() == null) {
                error = ErrorObject.parse(http); // a 401 with WWW-Authenticate: the body still says why
            }
            throw new LoginFailed("the identity provider refused the code: " + describe(error)
                    + (error.getCode() != null && error.getCode().equals("invalid_client")
                    ? "; check the client id, secret and clientAuthMethod (client_secret_basic or client_secret_post)" : ""));
        }
        if (!(response.toSuccessResponse() instanceof OIDCTokenResponse oidc) || oidc.getOIDCTokens().getIDToken() == null) {
            throw new LoginFailed("the identity provider sent no ID token; is 'openid' among the scopes it allows this client?");
        }
        OIDCTokens tokens = oidc.getOIDCTokens();
        IDTokenClaimsSet idClaims;
        try {
            idClaims = validator(metadata).validate(tokens.getIDToken(), nonce);
        } catch (BadJOSEException e) {
            throw new LoginFailed("the ID token is not valid: " + e.getMessage());
        } catch (JOSEException e) {
            throw new Unavailable("cannot check the ID token's signature (the provider's keys cannot be fetched): " + e.getMessage());
        }
        if (idClaims.getAuthorizedParty() != null && !idClaims.getAuthorizedParty().getValue().equals(settings.clientId())) {
            throw new LoginFailed("the ID token was issued to another client (azp " + idClaims.getAuthorizedParty() + ")");
        }
        Map<String, Object> claims = new HashMap<>(idClaims.toJSONObject());
        List<String> groups = Claims.strings(claims, settings.groupsClaim());
        if (metadata.getUserInfoEndpointURI() != null && tokens.getBearerAccessToken() != null) {
            Map<String, Object> info = userInfo(metadata.getUserInfoEndpointURI(), tokens, idClaims.getSubject().getValue());
            info.forEach(claims::putIfAbsent);
            groups = Claims.union(groups, Claims.strings(info, settings.groupsClaim()));
        }
        return new Login(userName(claims), groups, tokens.getIDTokenString());
    }

    private Map<String, Object> userInfo(URI endpoint, OIDCTokens tokens, String subject) throws LoginFailed, Unavailable {
        HTTPRequest request = new UserInfoRequest(endpoint, tokens.getBearerAccessToken()).toHTTPRequest();
        configure(request);
        UserInfoResponse response;
        long start = System.nanoTime();
        try {
            HTTPResponse http = request.send();
            ProviderCalls.record(ProviderCalls.Call.USERINFO, start, http.getStatusCode() >= 500);
            if (http.getStatusCode() >= 500) {
                throw new Unavailable("the identity provider's UserInfo endpoint failed (HTTP " + http.getStatusCode() + ")");
            }
            response = UserInfoResponse.parse(http);
        } catch (IOException e) {
            ProviderCalls.record(ProviderCalls.Call.USERINFO, start, true);
            throw new Unavailable("the identity provider's UserInfo endpoint cannot be reached: " + e.getMessage());
        } catch (ParseException e) {
            throw new Unavailable("the identity provider's UserInfo endpoint gave an answer that is not a UserInfo response");
        }
        if (!response.indicatesSuccess()) {
            throw new LoginFailed("the identity provider's UserInfo endpoint refused the access token: "
                    + describe(response.toErrorResponse().getErrorObject()));
        }
        UserInfo info = response.toSuccessResponse().getUserInfo();
        if (info == null) {
            // a signed or encrypted UserInfo JWT: its claims are not merged; the ID token's stand alone
            LOG.warn("OIDC provider '{}': UserInfo came as a JWT, which is not read; using the ID token's claims only", settings.name());
            return Map.of();
        }
        if (info.getSubject() == null || !info.getSubject().getValue().equals(subject)) {
            throw new LoginFailed("the UserInfo response is about another subject than the ID token");
        }
        return info.toJSONObject();
    }

    /**
     * The user name: one claim, no fall-back (another claim could name another person). An email
     * address counts only if the provider vouches for it ({@code email_verified}): many providers
     * let users type any address, including a colleague's.
     */
    private String userName(Map<String, Object> claims) throws LoginFailed {
        String claim = settings.usernameClaim() != null ? settings.usernameClaim() : "email";
        String name = Claims.string(claims, claim).orElseThrow(() -> new LoginFailed("the identity provider sent no '" + claim
                + "' claim to name the user; set claimMapping.username to a claim it sends (e.g. preferred_username or sub)"));
        if (claim.equals("email")) {
            Object verified = claims.get("email_verified");
            if (!Boolean.TRUE.equals(verified) && !"true".equals(verified)) {
                throw new LoginFailed("the identity provider does not say the email address is verified (email_verified), so it cannot name"
                        + " the user; verify it there, or set claimMapping.username to a claim the provider controls (e.g. preferred_username or sub)");
            }
        }
        return name;
    }

    /** The provider's logout URL for this session, if it advertises an end_session_endpoint (and is reachable). */
    @Override
    public Optional<URI> endSessionUrl(@Nullable String idToken, URI postLogoutRedirect) {
        try {
            URI endpoint = discovery.get().getEndSessionEndpointURI();
            if (endpoint == null) {
                return Optional.empty();
            }
            JWT hint = null;
            if (idToken != null) {
                try {
                    hint = JWTParser.parse(idToken);
                } catch (java.text.ParseException e) {
                    hint = null;
                }
            }
            return Optional.of(new LogoutRequest(endpoint, hint, null, hint == null ? new ClientID(settings.clientId()) : null,
                    postLogoutRedirect, null, null).toURI());
        } catch (Unavailable e) {
            return Optional.empty();
        }
    }

    private static String describe(ErrorObject error) {
        String code = error.getCode() != null ? error.getCode() : "HTTP " + error.getHTTPStatusCode();
        return code + (error.getDescription() == null ? "" : " (" + error.getDescription() + ")");
    }
}
