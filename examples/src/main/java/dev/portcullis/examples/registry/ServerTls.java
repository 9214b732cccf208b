package dev.portcullis.examples.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The example registry's TLS, from zot's {@code http.tls}: {@code cert} (PEM certificate chain) and {@code key} (a PEM
 * PKCS#8 private key, as {@code openssl genpkey} writes it), and {@code cacert}, whose authorities' client certificates
 * the server asks for (optionally) and Portcullis takes as credentials.
 *
 * @param keyStore the server's certificate and key (password {@link #PASSWORD})
 * @param trustStore the client certificates' authorities, or null when the server asks for none
 */
record ServerTls(KeyStore keyStore, @Nullable KeyStore trustStore) {
    static final char[] PASSWORD = "portcullis".toCharArray();

    /** The configuration's {@code http.tls}, or null without {@code cert} and {@code key}. */
    static @Nullable ServerTls of(JsonNode config, Path base) throws IOException, GeneralSecurityException {
        JsonNode tls = config.path("http").path("tls");
        if (!tls.has("cert") && !tls.has("key")) {
            return null;
        }
        if (!tls.path("cert").isTextual() || !tls.path("key").isTextual()) {
            throw new IllegalArgumentException("http.tls needs both cert (a PEM certificate chain) and key (a PEM PKCS#8 private key)");
        }
        List<? extends Certificate> chain = certificates(base.resolve(tls.get("cert").asText()));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", privateKey(base.resolve(tls.get("key").asText())), PASSWORD, chain.toArray(Certificate[]::new));
        KeyStore trust = null;
        if (tls.path("cacert").isTextual()) {
            trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (Certificate c : certificates(base.resolve(tls.get("cacert").asText()))) {
                trust.setCertificateEntry("ca" + i++, c);
            }
        }
        return new ServerTls(keys, trust);
    }

    private static List<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            List<? extends Certificate> out = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
            if (out.isEmpty()) {
                throw new IllegalArgumentException(pem + " holds no PEM certificate");
            }
            return out;
        }
    }

    private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new IllegalArgumentException(pem + " is not a PEM PKCS#8 private key (-----BEGIN PRIVATE KEY-----); convert it with"
                    + " openssl pkcs8 -topk8 -nocrypt -in " + pem.getFileName());
        }
        byte[] der = Base64.getMimeDecoder().decode(text.substring(text.indexOf("-----BEGIN PRIVATE KEY-----") + 27,
                text.indexOf("-----END PRIVATE KEY-----")));
        for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (java.security.spec.InvalidKeySpecException notThis) {
                // the next algorithm
            }
        }
        throw new IllegalArgumentException(pem + " holds no EC, RSA or Ed25519 private key");
    }

    /** Jetty's TLS settings: this certificate, and client certificates asked for when there are authorities. */
    org.eclipse.jetty.util.ssl.SslContextFactory.Server jetty() {
        org.eclipse.jetty.util.ssl.SslContextFactory.Server f = new org.eclipse.jetty.util.ssl.SslContextFactory.Server();
        f.setKeyStore(keyStore);
        f.setKeyStorePassword(new String(PASSWORD));
        if (trustStore != null) {
            f.setTrustStore(trustStore);
            f.setWantClientAuth(true);
        }
        return f;
    }

    /** Netty's TLS context: the same. */
    io.netty.handler.ssl.SslContext netty() throws GeneralSecurityException, IOException {
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, PASSWORD);
        io.netty.handler.ssl.SslContextBuilder b = io.netty.handler.ssl.SslContextBuilder.forServer(kmf)
                .sslProvider(io.netty.handler.ssl.SslProvider.JDK);
        if (trustStore != null) {
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore);
            b.trustManager(tmf).clientAuth(io.netty.handler.ssl.ClientAuth.OPTIONAL);
        }
        return b.build();
    }
}
