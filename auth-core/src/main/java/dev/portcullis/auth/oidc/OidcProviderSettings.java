package dev.portcullis.auth.oidc;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One OpenID Provider the registry's users log in with (zot: {@code http.auth.openid.providers.NAME}).
 *
 * @param name the provider's name in {@code /login?provider=NAME} and {@code /callback/NAME}
 * @param issuer the issuer URL; its discovery document gives the endpoints and keys
 * @param clientId the client id registered at the provider
 * @param clientSecret the client secret
 * @param clientAuth how the client authenticates at the token endpoint
 * @param scopes the scopes to ask for; {@code openid} is added first if missing
 * @param usernameClaim the claim (path) that names the user; {@code null}: {@code email}, which then must be
 *     verified ({@code email_verified: true}). There is no fall-back to another claim: it could name a different person.
 * @param groupsClaim the claim (path) with the user's groups, e.g. {@code groups} or {@code realm_access.roles}
 */
public record OidcProviderSettings(String name, String issuer, String clientId, String clientSecret, ClientAuth clientAuth,
                                   List<String> scopes, @Nullable String usernameClaim, String groupsClaim) {

    /** Client authentication at the token endpoint. */
    public enum ClientAuth {
        /** The client id and secret in a Basic {@code Authorization} header (the default). */
        CLIENT_SECRET_BASIC("client_secret_basic"),
        /** The client id and secret as form parameters of the token request. */
        CLIENT_SECRET_POST("client_secret_post");

        private final String configName;

        ClientAuth(String configName) {
            this.configName = configName;
        }

        /**
         * The method's name in configuration and in the provider's discovery document.
         *
         * @return {@code client_secret_basic} or {@code client_secret_post}
         */
        public String configName() {
            return configName;
        }

        /**
         * The method a configuration names.
         *
         * @param value {@code client_secret_basic} or {@code client_secret_post}, exactly
         * @return the method
         * @throws IllegalArgumentException for any other value, naming it and the valid ones
         */
        public static ClientAuth fromConfig(String value) {
            for (ClientAuth a : values()) {
                if (a.configName.equals(value)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("unknown client authentication method '" + value
                    + "'; use client_secret_basic or client_secret_post");
        }
    }

    /**
     * Checks the settings and fills in defaults: a null {@code clientAuth} is {@code client_secret_basic}, null scopes
     * are none but {@code openid}, a null {@code groupsClaim} is {@code groups}.
     *
     * @param name the provider's name: letters, digits, {@code .}, {@code _} and {@code -}
     * @param issuer the issuer URL; https, or http on this machine only
     * @param clientId the client id registered at the provider
     * @param clientSecret the client secret
     * @param clientAuth how the client authenticates at the token endpoint
     * @param scopes the scopes to ask for
     * @param usernameClaim the claim (path) that names the user, or {@code null} for a verified {@code email}
     * @param groupsClaim the claim (path) with the user's groups
     * @throws IllegalArgumentException for a name with other characters, or an issuer that is not an https URL
     * @throws NullPointerException if the name, issuer, client id or client secret is null
     */
    public OidcProviderSettings {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("provider name '" + name + "' may hold only letters, digits, '.', '_' and '-'");
        }
        Objects.requireNonNull(issuer, "issuer of provider " + name);
        Claims.requireSecure(issuer, "the issuer of provider " + name);
        Objects.requireNonNull(clientId, "clientid of provider " + name);
        Objects.requireNonNull(clientSecret, "clientsecret of provider " + name);
        clientAuth = clientAuth == null ? ClientAuth.CLIENT_SECRET_BASIC : clientAuth;
        List<String> s = new ArrayList<>(scopes == null ? List.of() : scopes);
        if (!s.contains("openid")) {
            s.add(0, "openid");
        }
        scopes = List.copyOf(s);
        groupsClaim = groupsClaim == null ? "groups" : groupsClaim;
    }

    /**
     * A provider with the defaults: client_secret_basic, scopes openid email profile, username from email, groups from
     * groups.
     *
     * @param name the provider's name in {@code /login?provider=NAME} and {@code /callback/NAME}
     * @param issuer the issuer URL; https, or http on this machine only
     * @param clientId the client id registered at the provider
     * @param clientSecret the client secret
     * @return the settings
     * @throws IllegalArgumentException for an invalid name or an issuer that is not an https URL
     */
    public static OidcProviderSettings of(String name, String issuer, String clientId, String clientSecret) {
        return new OidcProviderSettings(name, issuer, clientId, clientSecret, ClientAuth.CLIENT_SECRET_BASIC,
                List.of("openid", "email", "profile"), null, "groups");
    }

    /**
     * These settings with other scopes.
     *
     * @param newScopes the scopes to ask for; {@code openid} is added first if missing
     * @return new settings; these are not changed
     */
    public OidcProviderSettings withScopes(List<String> newScopes) {
        return new OidcProviderSettings(name, issuer, clientId, clientSecret, clientAuth, newScopes, usernameClaim, groupsClaim);
    }

    /**
     * These settings with other claims for the user name and the groups.
     *
     * @param newUsernameClaim the claim (path) that names the user
     * @param newGroupsClaim the claim (path) with the user's groups
     * @return new settings; these are not changed
     */
    public OidcProviderSettings withClaims(String newUsernameClaim, String newGroupsClaim) {
        return new OidcProviderSettings(name, issuer, clientId, clientSecret, clientAuth, scopes, newUsernameClaim, newGroupsClaim);
    }

    /**
     * These settings with another client authentication.
     *
     * @param auth how the client authenticates at the token endpoint
     * @return new settings; these are not changed
     */
    public OidcProviderSettings withClientAuth(ClientAuth auth) {
        return new OidcProviderSettings(name, issuer, clientId, clientSecret, auth, scopes, usernameClaim, groupsClaim);
    }

    /** The settings without the client secret, for logs. */
    @Override
    public String toString() {
        return "OidcProviderSettings[name=" + name + ", issuer=" + issuer + ", clientId=" + clientId + ", clientAuth=" + clientAuth
                + ", scopes=" + scopes + ", usernameClaim=" + usernameClaim + ", groupsClaim=" + groupsClaim + "]";
    }
}
