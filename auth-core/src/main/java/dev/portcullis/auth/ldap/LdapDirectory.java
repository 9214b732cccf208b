package dev.portcullis.auth.ldap;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.unboundid.ldap.sdk.BindRequest;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.PostConnectProcessor;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.SingleServerSet;
import com.unboundid.ldap.sdk.StartTLSPostConnectProcessor;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.JVMDefaultTrustManager;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.TrustManager;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An LDAP directory that checks user names and passwords, as zot's {@code http.auth.ldap} does: a search for the user's
 * entry under the base DN ({@code (userAttribute=NAME)}, and the user filter), as the service account or anonymously,
 * then a bind as that entry with the password; the user's groups are the values of {@code userGroupAttribute}.
 *
 * <pre>{@code
 * LdapDirectory ldap = LdapDirectory.builder("ldap.example.org", 389).startTls()
 *         .baseDn("ou=Users,dc=example,dc=org").userGroupAttribute("memberOf")
 *         .serviceAccount("cn=registry,dc=example,dc=org", bindPassword).build();
 * Portcullis.builder().policy(policy).ldap(ldap).closeWith(ldap).build();
 * }</pre>
 *
 * <p>Safer than a bind per request, and than zot:
 * <ul>
 *   <li>A bind that succeeded is remembered for {@code cacheTtl} (default one minute) under an HMAC of the user and the
 *       password (a key made at the start, never the password), so a CI client pushing hundreds of blobs binds once a
 *       minute and a heap dump holds no verifier. A failed bind is never remembered, and it forgets that user's
 *       remembered binds: a password changed or an account locked in the directory counts at the next failure.</li>
 *   <li>The user name is an assertion value of the filter (RFC 4515 escaping by the SDK): {@code *}, {@code )} or
 *       {@code \} in a name match only themselves. An empty password is refused before any bind (an LDAP bind without a
 *       password is an anonymous bind, which servers accept).</li>
 *   <li>A directory that cannot be reached, or answers the search with an error, is {@link Result.Unavailable}: the
 *       request gets 503, never access and never anonymous. Every operation has a time limit ({@code timeout}, default
 *       5 s); zot retries eight times with sleeps, holding the request for up to half a minute.</li>
 *   <li>More than one entry for a name is refused (zot too), and so is a name or password of control characters.</li>
 * </ul>
 * Connections are pooled (the SDK's pool, re-established when the directory comes back). Thread-safe.
 */
public final class LdapDirectory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LdapDirectory.class);

    /** How the connection is protected. */
    public enum Security {
        /** LDAPS: TLS from the first byte (zot's default, {@code insecure: false, startTLS: false}). */
        LDAPS,
        /** StartTLS on a plain connection before anything is sent (zot's {@code startTLS: true}). */
        START_TLS,
        /** Plain LDAP: passwords travel in clear text (zot's {@code insecure: true}); for tests and loopback only. */
        NONE
    }

    /** What a check of a user name and password found. */
    public sealed interface Result {
        /**
         * The password is the user's.
         *
         * @param user the user name as given
         * @param groups the values of the user's group attribute, as the directory holds them (often DNs)
         */
        record Success(String user, List<String> groups) implements Result {
            /**
             * A success, with the groups copied.
             *
             * @param user the user name
             * @param groups the user's groups
             */
            public Success {
                groups = List.copyOf(groups);
            }
        }

        /**
         * The directory refused: no such user, several, or a wrong password.
         *
         * @param reason for the audit log; never the password
         */
        record Refused(String reason) implements Result {
        }

        /**
         * The directory could not be asked, or answered with an error: nobody may be let in on its word.
         *
         * @param reason for the log
         */
        record Unavailable(String reason) implements Result {
        }
    }

    private final String host;
    private final int port;
    private final String baseDn;
    private final SearchScope scope;
    private final String userAttribute;
    private final @Nullable String groupAttribute;
    private final @Nullable Filter userFilter;
    private final int timeoutMillis;
    private final LDAPConnectionPool pool;
    private final Cache<String, Result.Success> binds;
    private final Mac cacheKey;
    private final LongAdder directoryBinds = new LongAdder();

    private LdapDirectory(Builder b) throws LDAPException, GeneralSecurityException {
        this.host = b.host;
        this.port = b.port;
        this.baseDn = Objects.requireNonNull(b.baseDn, "baseDn is required: where the users' entries are");
        this.scope = b.subtree ? SearchScope.SUB : SearchScope.ONE;
        this.userAttribute = b.userAttribute;
        this.groupAttribute = b.groupAttribute;
        this.userFilter = b.userFilter == null ? null : userFilter(b.userFilter);
        this.timeoutMillis = Math.toIntExact(b.timeout.toMillis());
        LDAPConnectionOptions options = new LDAPConnectionOptions();
        options.setConnectTimeoutMillis(timeoutMillis);
        options.setResponseTimeoutMillis(timeoutMillis);
        options.setBindWithDNRequiresPassword(true);
        PostConnectProcessor startTls = null;
        SingleServerSet server;
        if (b.security == Security.NONE) {
            server = new SingleServerSet(host, port, options);
        } else {
            TrustManager trust = b.skipVerify ? new TrustAllTrustManager()
                    : b.caCertificate != null ? new PEMFileTrustManager(b.caCertificate.toFile()) : JVMDefaultTrustManager.getInstance();
            SSLUtil ssl = new SSLUtil(trust);
            if (!b.skipVerify) {
                options.setSSLSocketVerifier(new HostNameSSLSocketVerifier(true));
            }
            if (b.security == Security.LDAPS) {
                server = new SingleServerSet(host, port, ssl.createSSLSocketFactory(), options);
            } else {
                server = new SingleServerSet(host, port, options);
                startTls = new StartTLSPostConnectProcessor(ssl.createSSLSocketFactory());
            }
        }
        BindRequest service = b.bindDn == null ? null : new SimpleBindRequest(b.bindDn, b.bindPassword);
        // no connection is needed to start: a directory that is down at the start is asked again at the first login
        this.pool = new LDAPConnectionPool(server, service, 0, b.maxConnections, startTls, false);
        pool.setMaxWaitTimeMillis(timeoutMillis);
        pool.setRetryFailedOperationsDueToInvalidConnections(true);
        this.binds = Caffeine.newBuilder().expireAfterWrite(b.cacheTtl).maximumSize(10_000).build();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.cacheKey = Mac.getInstance("HmacSHA256");
        cacheKey.init(new SecretKeySpec(key, "HmacSHA256"));
    }

    private static Filter userFilter(String text) {
        try {
            return Filter.create(text.startsWith("(") ? text : "(" + text + ")");
        } catch (LDAPException e) {
            throw new IllegalArgumentException("the user filter '" + text + "' is not an LDAP filter (RFC 4515): " + e.getMessage()
                    + "; write it as (!(nsaccountlock=TRUE)) or (objectClass=person)", e);
        }
    }

    /**
     * A directory at {@code host:port}.
     *
     * @param host the directory's host name or address (zot's {@code address})
     * @param port its port (zot's {@code port}): 636 for LDAPS, 389 for StartTLS or plain LDAP
     * @return a builder; {@link Builder#baseDn} is required
     */
    public static Builder builder(String host, int port) {
        return new Builder(host, port);
    }

    /**
     * A remembered successful bind of these credentials, from memory only; never blocks.
     *
     * @param user the user name
     * @param password the password
     * @return the remembered success, or empty when the directory must be asked
     */
    public Optional<Result.Success> cached(String user, String password) {
        return Optional.ofNullable(binds.getIfPresent(cacheKey(user, password)));
    }

    /**
     * Checks a user name and password: from memory if it succeeded lately, else with the directory (blocks, at most
     * about twice the timeout).
     *
     * @param user the user name
     * @param password the password
     * @return success with the user's groups, refused, or unavailable
     */
    public Result authenticate(String user, String password) {
        String key = cacheKey(user, password);
        Result.Success known = binds.getIfPresent(key);
        if (known != null) {
            return known;
        }
        if (password.isEmpty()) {
            return new Result.Refused("an empty password (an LDAP bind without one is anonymous)");
        }
        if (user.isEmpty() || user.chars().anyMatch(Character::isISOControl) || password.chars().anyMatch(c -> c == 0)) {
            return new Result.Refused("a user name or password LDAP cannot hold");
        }
        Result r = ask(user, password);
        if (r instanceof Result.Success s) {
            binds.put(key, s);
        } else if (r instanceof Result.Refused) {
            binds.asMap().values().removeIf(s -> s.user().equals(user));
        }
        return r;
    }

    private Result ask(String user, String password) {
        Filter byName = Filter.createEqualityFilter(userAttribute, user);
        Filter filter = userFilter == null ? byName : Filter.createANDFilter(byName, userFilter);
        SearchRequest search = new SearchRequest(baseDn, scope, DereferencePolicy.NEVER, 2, timeoutMillis / 1000, false, filter,
                groupAttribute == null ? new String[] {SearchRequest.NO_ATTRIBUTES} : new String[] {groupAttribute});
        SearchResult found;
        try {
            found = pool.search(search);
        } catch (LDAPSearchException e) {
            if (e.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED) {
                return new Result.Refused("more than one LDAP entry has the " + userAttribute + " given under " + baseDn);
            }
            return unavailable("the search under " + baseDn, e);
        } catch (LDAPException e) {
            return unavailable("the search under " + baseDn, e);
        }
        // the name as typed stays out of every reason: a key or token pasted into the user field would reach the log
        List<SearchResultEntry> entries = found.getSearchEntries();
        if (entries.isEmpty()) {
            return new Result.Refused("no LDAP entry has the " + userAttribute + " given under " + baseDn);
        }
        if (entries.size() > 1) {
            return new Result.Refused("more than one LDAP entry has the " + userAttribute + " given under " + baseDn);
        }
        SearchResultEntry entry = entries.get(0);
        // the user's bind on a connection taken for it: failing to get one, or to bind the service account back on it
        // afterwards, is the directory's trouble, never a wrong password of the user
        LDAPConnection connection;
        try {
            connection = pool.getConnection();
        } catch (LDAPException e) {
            return unavailable("a connection", e);
        }
        boolean defunct = false;
        try {
            directoryBinds.increment();
            connection.bind(new SimpleBindRequest(entry.getDN(), password));
        } catch (LDAPException e) {
            if (!e.getResultCode().isConnectionUsable() || e.getResultCode() == ResultCode.TIMEOUT || e.getResultCode() == ResultCode.BUSY
                    || e.getResultCode() == ResultCode.UNAVAILABLE) {
                defunct = true;
                return unavailable("the bind as " + entry.getDN(), e);
            }
            return new Result.Refused("LDAP refused the password of " + entry.getDN() + ": " + e.getResultCode().getName());
        } finally {
            if (defunct) {
                pool.releaseDefunctConnection(connection);
            } else {
                pool.releaseAndReAuthenticateConnection(connection); // back to the service account, or closed
            }
        }
        List<String> groups = new ArrayList<>();
        if (groupAttribute != null) {
            String[] values = entry.getAttributeValues(groupAttribute);
            if (values != null) {
                groups.addAll(Arrays.asList(values));
            }
        }
        return new Result.Success(user, groups);
    }

    private Result unavailable(String what, LDAPException e) {
        String why = what + " at " + host + ":" + port + " failed: " + e.getResultCode().getName()
                + (e.getDiagnosticMessage() == null ? "" : " (" + e.getDiagnosticMessage() + ")");
        LOG.error("LDAP unavailable: {}", why);
        return new Result.Unavailable(why);
    }

    private String cacheKey(String user, String password) {
        Mac mac;
        try {
            mac = (Mac) cacheKey.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's HmacSHA256 can be cloned", e);
        }
        mac.update(user.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        return Base64.getEncoder().encodeToString(mac.doFinal(password.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * How many times the directory was asked to bind as a user (not counting the service account): what the cache saves.
     *
     * @return binds as users since the start
     */
    public long userBinds() {
        return directoryBinds.sum();
    }

    /** What this directory is, for the start's summary line: where, and how protected. Names no secret. */
    @Override
    public String toString() {
        return "LDAP " + host + ":" + port + " under " + baseDn;
    }

    /** Closes the pooled connections. */
    @Override
    public void close() {
        pool.close();
    }

    /** How to reach and read the directory. Every setting but {@link #baseDn} has a default. */
    public static final class Builder {
        private final String host;
        private final int port;
        private Security security = Security.LDAPS;
        private boolean skipVerify;
        private @Nullable Path caCertificate;
        private @Nullable String baseDn;
        private boolean subtree;
        private String userAttribute = "uid";
        private @Nullable String groupAttribute;
        private @Nullable String userFilter;
        private @Nullable String bindDn;
        private String bindPassword = "";
        private Duration timeout = Duration.ofSeconds(5);
        private Duration cacheTtl = Duration.ofMinutes(1);
        private int maxConnections = 8;

        private Builder(String host, int port) {
            if (host.isBlank()) {
                throw new IllegalArgumentException("the LDAP server's address is empty; give its host name, e.g. ldap.example.org");
            }
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("the LDAP port must be 1 to 65535 (636 for LDAPS, 389 for StartTLS), got " + port);
            }
            this.host = host;
            this.port = port;
        }

        /**
         * StartTLS instead of LDAPS.
         *
         * @return this builder
         */
        public Builder startTls() {
            security = Security.START_TLS;
            return this;
        }

        /**
         * Plain LDAP, without TLS: passwords cross the network in clear text.
         *
         * @return this builder
         */
        public Builder insecure() {
            security = Security.NONE;
            return this;
        }

        /**
         * Trusts any server certificate, for any host name (zot's {@code skipVerify}): a man in the middle reads every
         * password. Default: the JVM's trust store, or {@link #caCertificate}, and the host name checked.
         *
         * @param skip whether to skip the check
         * @return this builder
         */
        public Builder skipVerify(boolean skip) {
            skipVerify = skip;
            return this;
        }

        /**
         * Trusts the server certificates that these PEM certificates issued (zot's {@code cacert}), instead of the JVM's
         * trust store.
         *
         * @param pem a file of PEM certificates
         * @return this builder
         */
        public Builder caCertificate(Path pem) {
            caCertificate = pem;
            return this;
        }

        /**
         * Where the users' entries are (zot's {@code baseDN}). Required.
         *
         * @param dn such as {@code ou=Users,dc=example,dc=org}
         * @return this builder
         */
        public Builder baseDn(String dn) {
            baseDn = dn;
            return this;
        }

        /**
         * Searches the whole subtree under the base DN (zot's {@code subtreeSearch}); default: its children only.
         *
         * @param subtree whether to search the subtree
         * @return this builder
         */
        public Builder subtreeSearch(boolean subtree) {
            this.subtree = subtree;
            return this;
        }

        /**
         * The attribute that holds the user name (zot's {@code userAttribute}). Default {@code uid}.
         *
         * @param attribute such as {@code uid} or {@code sAMAccountName}
         * @return this builder
         */
        public Builder userAttribute(String attribute) {
            userAttribute = attribute;
            return this;
        }

        /**
         * The attribute whose values are the user's groups (zot's {@code userGroupAttribute}), such as {@code memberOf}.
         * Default: none, no groups from the directory.
         *
         * @param attribute the attribute's name
         * @return this builder
         */
        public Builder userGroupAttribute(@Nullable String attribute) {
            groupAttribute = attribute;
            return this;
        }

        /**
         * A filter an entry must also match (zot's {@code userFilter}), such as {@code (!(nsaccountlock=TRUE))}.
         *
         * @param filter an LDAP filter (RFC 4515); the outer parentheses may be left out
         * @return this builder
         */
        public Builder userFilter(@Nullable String filter) {
            userFilter = filter;
            return this;
        }

        /**
         * The account that searches for users (zot's credentials file: {@code bindDN}, {@code bindPassword}). Default:
         * search anonymously.
         *
         * @param dn the service account's DN
         * @param password its password
         * @return this builder
         */
        public Builder serviceAccount(String dn, String password) {
            bindDn = dn;
            bindPassword = password;
            return this;
        }

        /**
         * The longest a connection, a search or a bind may take. Default 5 s.
         *
         * @param timeout at least a millisecond
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            if (timeout.toMillis() < 1) {
                throw new IllegalArgumentException("the LDAP timeout must be at least a millisecond, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * How long a successful bind is remembered. Default one minute; zero asks the directory every time.
         *
         * @param ttl how long, not negative
         * @return this builder
         */
        public Builder cacheTtl(Duration ttl) {
            if (ttl.isNegative()) {
                throw new IllegalArgumentException("the LDAP bind cache's lifetime must not be negative, got " + ttl);
            }
            cacheTtl = ttl;
            return this;
        }

        /**
         * The most connections kept to the directory. Default 8.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxConnections(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("at least one LDAP connection is needed, got " + max);
            }
            maxConnections = max;
            return this;
        }

        /**
         * The directory; connects at the first login, not now.
         *
         * @return the directory
         * @throws IllegalArgumentException for a user filter that is not a filter, or a CA certificate file that cannot
         *     be read
         */
        public LdapDirectory build() {
            try {
                return new LdapDirectory(this);
            } catch (LDAPException e) {
                throw new IllegalArgumentException("LDAP settings: " + e.getMessage(), e);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("LDAP TLS settings: " + e.getMessage(), e);
            }
        }
    }
}
