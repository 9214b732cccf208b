/**
 * The LDAP feature artifact, {@code portcullis-ldap}: it holds no code of its own. Depending on it brings the UnboundID
 * LDAP SDK that LDAP authentication (zot's {@code http.auth.ldap}) needs beside {@code portcullis-auth-core}, whose
 * {@code dev.portcullis.auth.ldap} package uses it. A configuration that needs it without this artifact stops the start
 * and names it.
 */
@NullMarked
package dev.portcullis.ldap;

import org.jspecify.annotations.NullMarked;
