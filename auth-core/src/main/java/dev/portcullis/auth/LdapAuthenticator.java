package dev.portcullis.auth;

import dev.portcullis.auth.ldap.LdapDirectory;
import java.util.List;

/**
 * Basic credentials checked by an LDAP directory, after the API keys and the htpasswd file, as zot asks htpasswd first:
 * every Basic credential that reaches it is its to decide. A bind that succeeded lately is answered from memory, also on
 * an event loop; anything else asks the directory where blocking is allowed. A directory that cannot answer gives 503.
 */
final class LdapAuthenticator implements Authenticator {
    private final LdapDirectory directory;

    LdapAuthenticator(LdapDirectory directory) {
        this.directory = directory;
    }

    @Override
    public Attempt cached(Presented presented) {
        if (!(presented.credentials() instanceof Credentials.Basic basic)) {
            return Attempt.NOT_MINE;
        }
        return directory.cached(basic.user(), basic.password()).map(LdapAuthenticator::identity).orElse(Attempt.NEEDS_BLOCKING);
    }

    @Override
    public Attempt verify(Presented presented) {
        if (!(presented.credentials() instanceof Credentials.Basic basic)) {
            return Attempt.NOT_MINE;
        }
        LdapDirectory.Result r = directory.authenticate(basic.user(), basic.password());
        if (r instanceof LdapDirectory.Result.Success s) {
            return identity(s);
        }
        if (r instanceof LdapDirectory.Result.Refused refused) {
            return new Attempt.Failed(refused.reason());
        }
        return new Attempt.Unavailable(null);
    }

    private static Attempt identity(LdapDirectory.Result.Success s) {
        return new Attempt.Authenticated(new Identity(s.user(), s.groups(), Identity.AuthMethod.LDAP, null, List.of()));
    }

    /** Credentials the directory accepted lately pass a failure limit others on the same address tripped. */
    @Override
    public boolean vouchesFor(Presented presented) {
        return presented.credentials() instanceof Credentials.Basic b && directory.cached(b.user(), b.password()).isPresent();
    }
}
