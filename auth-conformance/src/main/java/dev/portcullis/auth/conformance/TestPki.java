package dev.portcullis.auth.conformance;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jspecify.annotations.Nullable;

/**
 * A certificate authority for TLS tests (Bouncy Castle, in memory): a server certificate for 127.0.0.1 and localhost,
 * client certificates with the subject and alternative names a test needs, valid now or expired, and the key stores and
 * SSL contexts servers and clients load them from.
 *
 * <pre>{@code
 * TestPki ca = TestPki.create("Test CA");
 * TestPki.Issued server = ca.server();
 * TestPki.Issued alice = ca.client("CN=alice", List.of(), Duration.ZERO);
 * SSLContext client = ca.clientContext(alice);
 * }</pre>
 */
public final class TestPki {
    private final KeyPair key;
    private final X509Certificate certificate;
    private final SecureRandom random = new SecureRandom();

    /**
     * A certificate and its key.
     *
     * @param certificate the certificate
     * @param key its key pair
     * @param issuer the certificate of its authority
     */
    public record Issued(X509Certificate certificate, KeyPair key, X509Certificate issuer) {
        /**
         * The certificate and its key in a PKCS12 store, password {@code changeit}, alias {@code key}.
         *
         * @return the store
         * @throws GeneralSecurityException from the JDK's key store
         * @throws IOException never
         */
        public KeyStore keyStore() throws GeneralSecurityException, IOException {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("key", key.getPrivate(), PASSWORD, new java.security.cert.Certificate[] {certificate, issuer});
            return ks;
        }

        /**
         * Writes the store of {@link #keyStore()} to a file.
         *
         * @param file where
         * @return the file
         * @throws GeneralSecurityException from the JDK's key store
         * @throws IOException when it cannot be written
         */
        public Path writeKeyStore(Path file) throws GeneralSecurityException, IOException {
            try (OutputStream out = Files.newOutputStream(file)) {
                keyStore().store(out, PASSWORD);
            }
            return file;
        }

        /**
         * Writes the certificate and its key as PEM files: the certificate, and the key in PKCS#8 ({@code BEGIN PRIVATE
         * KEY}), as curl, skopeo, stunnel and zot's {@code http.tls} read them.
         *
         * @param certificateFile where the certificate goes
         * @param keyFile where the key goes
         * @throws GeneralSecurityException when the certificate cannot be encoded
         * @throws IOException when a file cannot be written
         */
        public void writePem(Path certificateFile, Path keyFile) throws GeneralSecurityException, IOException {
            Files.writeString(certificateFile, pem(certificate), StandardCharsets.US_ASCII);
            Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(key.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
        }
    }

    /** The password of every store made here. */
    public static final char[] PASSWORD = "changeit".toCharArray();

    private TestPki(KeyPair key, X509Certificate certificate) {
        this.key = key;
        this.certificate = certificate;
    }

    /**
     * A new authority with a self-signed certificate, valid from an hour ago for a day.
     *
     * @param name its common name
     * @return the authority
     * @throws GeneralSecurityException from the JDK or Bouncy Castle
     */
    public static TestPki create(String name) throws GeneralSecurityException {
        KeyPair key = keyPair();
        X500Name subject = new X500Name("CN=" + name);
        Instant now = Instant.now();
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(new SecureRandom().nextLong() & Long.MAX_VALUE),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, key.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new TestPki(key, sign(b, key));
        } catch (IOException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /**
     * The authority's certificate.
     *
     * @return it
     */
    public X509Certificate certificate() {
        return certificate;
    }

    /**
     * Writes the authority's certificate as PEM (what zot's {@code http.tls.cacert} names).
     *
     * @param file where
     * @return the file
     * @throws GeneralSecurityException when the certificate cannot be encoded
     * @throws IOException when it cannot be written
     */
    public Path writePem(Path file) throws GeneralSecurityException, IOException {
        return Files.writeString(file, pem(certificate), StandardCharsets.US_ASCII);
    }

    /**
     * A certificate as PEM text.
     *
     * @param cert the certificate
     * @return {@code -----BEGIN CERTIFICATE-----} …
     * @throws GeneralSecurityException when it cannot be encoded
     */
    public static String pem(X509Certificate cert) throws GeneralSecurityException {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    /**
     * A server certificate for 127.0.0.1 and localhost.
     *
     * @return it
     * @throws GeneralSecurityException from the JDK or Bouncy Castle
     */
    public Issued server() throws GeneralSecurityException {
        return issue("CN=localhost", List.of(new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")),
                Duration.ZERO, KeyPurposeId.id_kp_serverAuth);
    }

    /**
     * A client certificate.
     *
     * @param subject such as {@code CN=alice,O=Example}
     * @param alternativeNames {@code email:…}, {@code dns:…} or {@code uri:…} entries, in order
     * @param expiredAgo zero for one valid now; else one that expired this long ago
     * @return it
     * @throws GeneralSecurityException from the JDK or Bouncy Castle
     */
    public Issued client(String subject, List<String> alternativeNames, Duration expiredAgo) throws GeneralSecurityException {
        List<GeneralName> names = new ArrayList<>();
        for (String n : alternativeNames) {
            String value = n.substring(n.indexOf(':') + 1);
            names.add(new GeneralName(n.startsWith("email:") ? GeneralName.rfc822Name : n.startsWith("dns:") ? GeneralName.dNSName
                    : GeneralName.uniformResourceIdentifier, value));
        }
        return issue(subject, names, expiredAgo, KeyPurposeId.id_kp_clientAuth);
    }

    private Issued issue(String subject, List<GeneralName> names, Duration expiredAgo, KeyPurposeId usage) throws GeneralSecurityException {
        KeyPair pair = keyPair();
        Instant now = Instant.now();
        Instant notAfter = expiredAgo.isZero() ? now.plus(Duration.ofDays(1)) : now.minus(expiredAgo);
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, BigInteger.valueOf(random.nextLong() & Long.MAX_VALUE),
                    Date.from(notAfter.minus(Duration.ofDays(2))), Date.from(notAfter), new X500Name(subject), pair.getPublic());
            if (!names.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            }
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(usage));
            return new Issued(sign(b, key), pair, certificate);
        } catch (IOException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /**
     * A TLS context for a client: trusts this authority's servers and presents {@code identity} (or nothing, if null).
     *
     * @param identity the client certificate, or null
     * @return the context
     * @throws GeneralSecurityException from the JDK
     * @throws IOException never
     */
    public SSLContext clientContext(@Nullable Issued identity) throws GeneralSecurityException, IOException {
        @Nullable KeyManagerFactory kmf = null;
        if (identity != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(identity.keyStore(), PASSWORD);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), trustManagers(List.of(certificate)), null);
        return ctx;
    }

    /**
     * Trust managers that trust these authorities.
     *
     * @param authorities the authorities
     * @return the managers
     * @throws GeneralSecurityException from the JDK
     * @throws IOException never
     */
    public static javax.net.ssl.TrustManager[] trustManagers(List<X509Certificate> authorities) throws GeneralSecurityException, IOException {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        for (int i = 0; i < authorities.size(); i++) {
            ts.setCertificateEntry("ca" + i, authorities.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        return tmf.getTrustManagers();
    }

    /**
     * A PKCS12 trust store of these authorities written to a file (password {@code changeit}), for a server's connector.
     *
     * @param file where
     * @param authorities the authorities
     * @return the file
     * @throws GeneralSecurityException from the JDK
     * @throws IOException when it cannot be written
     */
    public static Path writeTrustStore(Path file, List<X509Certificate> authorities) throws GeneralSecurityException, IOException {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        for (int i = 0; i < authorities.size(); i++) {
            ts.setCertificateEntry("ca" + i, authorities.get(i));
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            ts.store(out, PASSWORD);
        }
        return file;
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) throws org.bouncycastle.operator.OperatorCreationException,
            GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }
}
