/**
 * LDAP: user names and passwords checked against a directory, with the user's groups
 * ({@link dev.portcullis.auth.ldap.LdapDirectory}), as zot's {@code http.auth.ldap}. Built on the UnboundID LDAP SDK (an
 * optional dependency, brought by {@code portcullis-ldap}); knows nothing of the pipeline.
 */
@NullMarked
package dev.portcullis.auth.ldap;

import org.jspecify.annotations.NullMarked;
