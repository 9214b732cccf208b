package dev.portcullis.auth;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;
import org.jspecify.annotations.Nullable;

/**
 * Who a TLS client certificate names, as zot's mTLS does ({@code http.tls.cacert} and {@code http.auth.mtls}): the chain
 * the client presented must lead to one of the given authorities and be valid now; the user name is the first of the
 * identity attributes the leaf certificate has: its subject's common name, the whole subject, an email, URI or DNS name
 * of its subject alternative names (the n-th, and for a URI, the first group of a regular expression such as
 * {@code spiffe://example.org/workload/(.*)}). The name then goes through the policy like any user's.
 *
 * <pre>{@code
 * ClientCertificates certs = ClientCertificates.trusting(Path.of("clients-ca.pem"))
 *         .identityAttributes(List.of(ClientCertificates.Attribute.URI, ClientCertificates.Attribute.COMMON_NAME))
 *         .uriPattern("spiffe://example.org/workload/(.*)").build();
 * Portcullis.builder().policy(policy).clientCertificates(certs).build();
 * }</pre>
 *
 * <p>A leaf whose extended key usage does not include client authentication (a server's certificate) names nobody. The
 * chain is checked here too, whatever the server's TLS layer trusts (a connector set to trust any client
 * certificate, or the JVM's whole trust store, gives no identity that these authorities did not issue). Revocation
 * lists are not consulted: remove an authority, or let its certificates expire. Thread-safe.
 */
public final class ClientCertificates {
    /** Where the user name is read from, zot's {@code identityAttributes}. */
    public enum Attribute {
        /** The subject's common name (zot: {@code CommonName}, {@code CN}). */
        COMMON_NAME,
        /** The whole subject, as RFC 2253 writes it (zot: {@code Subject}, {@code DN}). */
        SUBJECT,
        /** An email address among the subject alternative names (zot: {@code Email}, {@code rfc822Name}). */
        EMAIL,
        /** A URI among the subject alternative names, such as a SPIFFE id (zot: {@code URI}, {@code URL}). */
        URI,
        /** A DNS name among the subject alternative names (zot: {@code DNSName}, {@code DNS}). */
        DNS_NAME;

        /**
         * The attribute zot's configuration names, in any case.
         *
         * @param name such as {@code CommonName}, {@code Subject}, {@code Email}, {@code URI} or {@code DNSName}
         * @return the attribute
         * @throws IllegalArgumentException naming the valid names
         */
        public static Attribute parse(String name) {
            return switch (name.strip().toLowerCase(Locale.ROOT)) {
                case "commonname", "cn" -> COMMON_NAME;
                case "subject", "dn" -> SUBJECT;
                case "email", "rfc822name" -> EMAIL;
                case "uri", "url" -> URI;
                case "dnsname", "dns" -> DNS_NAME;
                default -> throw new IllegalArgumentException("unknown identity attribute '" + name
                        + "'; use CommonName, Subject, Email, URI or DNSName");
            };
        }
    }

    /** A subject alternative name's type, as {@link X509Certificate#getSubjectAlternativeNames()} numbers them. */
    private static final int SAN_EMAIL = 1;
    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;
    /** The extended key usages that let a certificate authenticate a TLS client, as Go's TLS (and so zot) requires. */
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String ANY_USAGE = "2.5.29.37.0";

    private final Set<TrustAnchor> anchors;
    private final List<Attribute> attributes;
    private final @Nullable Pattern uriPattern;
    private final int uriIndex;
    private final int dnsIndex;
    private final int emailIndex;
    private final Clock clock;

    private ClientCertificates(Builder b) {
        this.anchors = b.anchors;
        this.attributes = List.copyOf(b.attributes);
        this.uriPattern = b.uriPattern;
        this.uriIndex = b.uriIndex;
        this.dnsIndex = b.dnsIndex;
        this.emailIndex = b.emailIndex;
        this.clock = b.clock;
    }

    /**
     * Trusts the certificate authorities of a PEM file (zot's {@code http.tls.cacert}).
     *
     * @param pem one or more PEM certificates
     * @return a builder
     * @throws IllegalArgumentException when the file cannot be read or holds no certificate
     */
    public static Builder trusting(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends java.security.cert.Certificate> read = CertificateFactory.getInstance("X.509").generateCertificates(in);
            List<X509Certificate> out = new ArrayList<>();
            read.forEach(c -> out.add((X509Certificate) c));
            if (out.isEmpty()) {
                throw new IllegalArgumentException(pem + " holds no PEM certificate");
            }
            return trusting(out);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(pem + " does not exist; give the PEM file of the authorities that issue client certificates", e);
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("cannot read the client certificate authorities from " + pem + ": " + e.getMessage(), e);
        }
    }

    /**
     * Trusts these certificate authorities.
     *
     * @param authorities at least one
     * @return a builder
     */
    public static Builder trusting(Collection<X509Certificate> authorities) {
        if (authorities.isEmpty()) {
            throw new IllegalArgumentException("at least one certificate authority is needed to trust client certificates");
        }
        Set<TrustAnchor> anchors = new HashSet<>();
        authorities.forEach(a -> anchors.add(new TrustAnchor(a, null)));
        return new Builder(anchors);
    }

    /**
     * What the presented chain makes of the client: a user name, or why not.
     *
     * @param chain the client's certificates, leaf first, as the TLS layer received them
     * @return the user name, or the reason it gives none (for the audit log)
     */
    public Result identify(List<X509Certificate> chain) {
        if (chain.isEmpty()) {
            return new Result(null, "no client certificate");
        }
        X509Certificate leaf = chain.get(0);
        try {
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(clock.instant()));
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
        } catch (CertPathValidatorException e) {
            return new Result(null, "client certificate '" + leaf.getSubjectX500Principal().getName() + "' is not valid here: "
                    + (e.getReason() == null ? e.getMessage() : e.getReason().toString().toLowerCase(Locale.ROOT).replace('_', ' ')));
        } catch (GeneralSecurityException e) {
            return new Result(null, "client certificate '" + leaf.getSubjectX500Principal().getName() + "' cannot be checked: " + e.getMessage());
        }
        try {
            List<String> usages = leaf.getExtendedKeyUsage();
            if (usages != null && !usages.contains(CLIENT_AUTH) && !usages.contains(ANY_USAGE)) {
                // a server's certificate of the same authority (the registry's own, say) is not a client's
                return new Result(null, "client certificate '" + leaf.getSubjectX500Principal().getName() + "' is not for client"
                        + " authentication (its extended key usage lacks clientAuth)");
            }
        } catch (CertificateParsingException e) {
            return new Result(null, "client certificate '" + leaf.getSubjectX500Principal().getName() + "' has an unreadable key usage");
        }
        List<String> missing = new ArrayList<>();
        for (Attribute a : attributes) {
            String name = read(leaf, a);
            if (name != null && !name.isEmpty()) {
                return new Result(name, "");
            }
            missing.add(a.name());
        }
        return new Result(null, "client certificate '" + leaf.getSubjectX500Principal().getName() + "' has none of the identity"
                + " attributes " + missing);
    }

    /** The time certificates are judged at. */
    java.time.Instant now() {
        return clock.instant();
    }

    private @Nullable String read(X509Certificate cert, Attribute attribute) {
        return switch (attribute) {
            case COMMON_NAME -> commonName(cert.getSubjectX500Principal());
            case SUBJECT -> cert.getSubjectX500Principal().getName(X500Principal.RFC2253);
            case EMAIL -> alternativeName(cert, SAN_EMAIL, emailIndex);
            case DNS_NAME -> alternativeName(cert, SAN_DNS, dnsIndex);
            case URI -> {
                String uri = alternativeName(cert, SAN_URI, uriIndex);
                Pattern p = uriPattern;
                if (uri == null || p == null) {
                    yield uri;
                }
                Matcher m = p.matcher(uri);
                yield m.find() && m.groupCount() >= 1 ? m.group(1) : null;
            }
        };
    }

    private static @Nullable String commonName(X500Principal subject) {
        try {
            javax.naming.ldap.LdapName dn = new javax.naming.ldap.LdapName(subject.getName(X500Principal.RFC2253));
            for (int i = dn.size() - 1; i >= 0; i--) { // the most specific RDN is the last in RFC 2253 order
                for (javax.naming.directory.Attribute a : java.util.Collections.list(dn.getRdn(i).toAttributes().getAll())) {
                    if (a.getID().equalsIgnoreCase("CN")) {
                        return String.valueOf(a.get());
                    }
                }
            }
            return null;
        } catch (javax.naming.NamingException e) {
            return null;
        }
    }

    private static @Nullable String alternativeName(X509Certificate cert, int type, int index) {
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            if (names == null) {
                return null;
            }
            List<String> ofType = new ArrayList<>();
            for (List<?> n : names) {
                if (n.size() >= 2 && Integer.valueOf(type).equals(n.get(0)) && n.get(1) instanceof String s) {
                    ofType.add(s);
                }
            }
            return index < ofType.size() ? ofType.get(index) : null;
        } catch (CertificateParsingException e) {
            return null;
        }
    }

    /**
     * The user name a certificate gives, or why it gives none.
     *
     * @param user the user name, or null
     * @param reason why there is none, for the audit log; empty with a user name
     */
    public record Result(@Nullable String user, String reason) {
    }

    /** zot's {@code http.auth.mtls} settings; by default the common name alone, as zot. */
    public static final class Builder {
        private final Set<TrustAnchor> anchors;
        private List<Attribute> attributes = List.of(Attribute.COMMON_NAME);
        private @Nullable Pattern uriPattern;
        private int uriIndex;
        private int dnsIndex;
        private int emailIndex;
        private Clock clock = Clock.systemUTC();

        private Builder(Set<TrustAnchor> anchors) {
            this.anchors = anchors;
        }

        /**
         * Where the user name is read from, in order: the first the certificate has (zot's {@code identityAttributes}).
         *
         * @param attributes at least one
         * @return this builder
         */
        public Builder identityAttributes(List<Attribute> attributes) {
            if (attributes.isEmpty()) {
                throw new IllegalArgumentException("at least one identity attribute is needed, such as CommonName");
            }
            this.attributes = List.copyOf(attributes);
            return this;
        }

        /**
         * A regular expression whose first group is the user name within the URI (zot's {@code uriSanPattern}).
         *
         * @param regex such as {@code spiffe://example.org/workload/(.*)}
         * @return this builder
         * @throws IllegalArgumentException when it is not a regular expression with a group
         */
        public Builder uriPattern(String regex) {
            Pattern p = Pattern.compile(regex);
            if (p.matcher("").groupCount() < 1) {
                throw new IllegalArgumentException("the URI pattern '" + regex + "' has no group; write the part that names the user in"
                        + " parentheses, e.g. spiffe://example.org/workload/(.*)");
            }
            this.uriPattern = p;
            return this;
        }

        /**
         * Which URI, DNS name and email of the subject alternative names to read, when there are several (zot's
         * {@code uriSanIndex}, {@code dnsSanIndex}, {@code emailSanIndex}). Default 0, the first.
         *
         * @param uri the URI's index
         * @param dns the DNS name's index
         * @param email the email's index
         * @return this builder
         */
        public Builder indices(int uri, int dns, int email) {
            if (uri < 0 || dns < 0 || email < 0) {
                throw new IllegalArgumentException("subject alternative name indices start at 0");
            }
            this.uriIndex = uri;
            this.dnsIndex = dns;
            this.emailIndex = email;
            return this;
        }

        /**
         * The clock certificates are judged valid at. Default: the system's.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The checker.
         *
         * @return it
         */
        public ClientCertificates build() {
            return new ClientCertificates(this);
        }
    }
}
