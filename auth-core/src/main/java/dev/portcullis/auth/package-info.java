/**
 * The framework-neutral pipeline ({@link dev.portcullis.auth.Portcullis}) and what adapters and extensions see of it:
 * the request an adapter translates ({@link dev.portcullis.auth.HttpRequestView}), the outcome it acts on
 * ({@link dev.portcullis.auth.Outcome}), the caller ({@link dev.portcullis.auth.Identity}), the audit events, the
 * configuration file ({@link dev.portcullis.auth.PortcullisConfig}), and the two extension points,
 * {@link dev.portcullis.auth.Authenticator} and {@link dev.portcullis.auth.Endpoint}. Everything else here is a
 * package-private stage of the pipeline, a built-in authenticator or endpoint, or the self-service page. Depends on the
 * policy, on this module's other packages, and on Jackson, SLF4J, Caffeine and bcrypt; the OIDC libraries only when a
 * login, session cookies or bearer issuers are configured.
 */
@NullMarked
package dev.portcullis.auth;

import org.jspecify.annotations.NullMarked;
