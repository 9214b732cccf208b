package dev.portcullis.servlet;

import dev.portcullis.auth.Identity;
import dev.portcullis.auth.routes.RequestPaths;
import dev.portcullis.policy.AccessPolicy;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The request as Portcullis decided it, for the application. The identity, when there is one, through the standard
 * servlet API: remote user, principal, roles (groups), auth type. The request parameters are the query string's only,
 * the ones the policy saw: a container would otherwise merge those of a form-encoded body ({@code from=infra/dns} in
 * the body of a mount request whose query has no {@code from}), which the policy never saw.
 */
final class AuthenticatedRequest extends HttpServletRequestWrapper {
    private final ServletResponse response;
    private final @Nullable Identity identity; // null: anonymous, and the container's answers stand
    private final AccessPolicy policy;
    private @Nullable Map<String, String[]> parameters;

    AuthenticatedRequest(HttpServletRequest request, ServletResponse response, @Nullable Identity identity, AccessPolicy policy) {
        super(request);
        this.response = response;
        this.identity = identity;
        this.policy = policy;
    }

    /**
     * Started with this request, not the container's: the spec's {@code startAsync()} hands the asynchronous part the
     * original request, without the identity or these parameters.
     */
    @Override
    public AsyncContext startAsync() {
        return super.startAsync(this, response);
    }

    @Override
    public String getRemoteUser() {
        return identity == null ? super.getRemoteUser() : identity.name();
    }

    @Override
    public Principal getUserPrincipal() {
        if (identity == null) {
            return super.getUserPrincipal();
        }
        String name = identity.name();
        return () -> name;
    }

    @Override
    public boolean isUserInRole(String role) {
        // the groups the policy judged by: the credential's and those its groups section gives the user
        return identity == null ? super.isUserInRole(role) : policy.effectiveGroups(identity.subject()).contains(role);
    }

    @Override
    public String getAuthType() {
        if (identity == null) {
            return super.getAuthType();
        }
        return switch (identity.method()) {
            case HTPASSWD, LDAP -> HttpServletRequest.BASIC_AUTH;
            case SESSION -> HttpServletRequest.FORM_AUTH;
            case CLIENT_CERTIFICATE -> HttpServletRequest.CLIENT_CERT_AUTH;
            case API_KEY, BEARER, OTHER, REGISTRY_TOKEN, EXTERNAL_TOKEN -> "PORTCULLIS_" + identity.method().name();
        };
    }

    @Override
    public @Nullable String getParameter(String name) {
        String[] values = parameters().get(name);
        return values == null ? null : values[0];
    }

    @Override
    public String @Nullable [] getParameterValues(String name) {
        String[] values = parameters().get(name);
        return values == null ? null : values.clone();
    }

    @Override
    public Enumeration<String> getParameterNames() {
        return Collections.enumeration(parameters().keySet());
    }

    @Override
    public Map<String, String[]> getParameterMap() {
        return parameters();
    }

    /** The query's parameters, decoded as the pipeline decoded them (a query it could not decode never gets here). */
    private Map<String, String[]> parameters() {
        Map<String, String[]> p = parameters;
        if (p == null) {
            Map<String, String[]> decoded = new LinkedHashMap<>();
            RequestPaths.query(getQueryString()).orElse(Map.of())
                    .forEach((name, values) -> decoded.put(name, values.toArray(String[]::new)));
            p = parameters = Collections.unmodifiableMap(decoded);
        }
        return p;
    }
}
