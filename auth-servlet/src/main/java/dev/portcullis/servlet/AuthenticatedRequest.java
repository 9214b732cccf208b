package dev.portcullis.servlet;

import dev.portcullis.auth.Identity;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;

/** Exposes the identity through the standard servlet API: remote user, principal, roles (groups), auth type. */
final class AuthenticatedRequest extends HttpServletRequestWrapper {
    private final Identity identity;

    AuthenticatedRequest(HttpServletRequest request, Identity identity) {
        super(request);
        this.identity = identity;
    }

    @Override
    public String getRemoteUser() {
        return identity.name();
    }

    @Override
    public Principal getUserPrincipal() {
        String name = identity.name();
        return () -> name;
    }

    @Override
    public boolean isUserInRole(String role) {
        return identity.groups().contains(role);
    }

    @Override
    public String getAuthType() {
        return switch (identity.method()) {
            case HTPASSWD -> HttpServletRequest.BASIC_AUTH;
            case SESSION -> HttpServletRequest.FORM_AUTH;
            case API_KEY, BEARER -> "PORTCULLIS_" + identity.method().name();
        };
    }
}
