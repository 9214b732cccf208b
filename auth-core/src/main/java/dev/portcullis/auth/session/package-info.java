/**
 * Browser sessions in sealed cookies: the key ring that seals and rotates them
 * ({@link dev.portcullis.auth.session.SessionKeyRing}) and the cookies themselves
 * ({@link dev.portcullis.auth.session.SessionCookies}). No server-side session state. The cookies are built on Nimbus
 * JOSE; the key ring needs only the JDK, and also signs the registry tokens.
 */
@NullMarked
package dev.portcullis.auth.session;

import org.jspecify.annotations.NullMarked;
