/**
 * The OIDC feature artifact, {@code portcullis-oidc}: it holds no code of its own. Depending on it brings the Nimbus
 * libraries that OpenID Connect login, browser sessions and bearer JWTs need beside {@code portcullis-auth-core}, whose
 * {@code dev.portcullis.auth.oidc} and {@code dev.portcullis.auth.session} packages use them. A configuration that needs
 * them without this artifact stops the start and names it.
 */
@NullMarked
package dev.portcullis.oidc;

import org.jspecify.annotations.NullMarked;
