/**
 * OpenID Connect: the browser login with its providers, callbacks and {@code callback_ui} rule
 * ({@link dev.portcullis.auth.oidc.OidcLogin}) and bearer JWTs from trusted issuers
 * ({@link dev.portcullis.auth.oidc.BearerJwt}). Built on Nimbus (an optional dependency, brought by
 * {@code portcullis-oidc}); knows sessions, not the pipeline.
 */
@NullMarked
package dev.portcullis.auth.oidc;

import org.jspecify.annotations.NullMarked;
