package dev.portcullis.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.auth.ldap.LdapDirectory;
import dev.portcullis.policy.InvalidPolicyException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** zot's {@code http.auth.ldap}, and {@code portcullis.ldap} for what zot lacks: the directory that checks Basic credentials. */
final class LdapSection {
    private static final List<String> FIELDS = List.of("address", "port", "insecure", "startTLS", "skipVerify", "subtreeSearch", "baseDN",
            "userAttribute", "userGroupAttribute", "userFilter", "credentialsFile", "cacert");
    private static final List<String> OUR_FIELDS = List.of("timeoutMillis", "cacheSeconds", "maxConnections");

    private final ConfigReader reader;
    private @Nullable JsonNode zot;
    private Duration timeout = Duration.ofSeconds(5);
    private Duration cacheTtl = Duration.ofMinutes(1);
    private int maxConnections = 8;

    LdapSection(ConfigReader reader) {
        this.reader = reader;
    }

    /** {@code http.auth.ldap}: read now, so that a mistake stops the start; the directory is made by {@link #directory()}. */
    void zot(JsonNode node) {
        try {
            Class.forName("com.unboundid.ldap.sdk.LDAPConnectionPool", false, LdapSection.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new InvalidPolicyException("http.auth.ldap needs LDAP, whose library (com.unboundid:unboundid-ldapsdk) is not on the"
                    + " class path: add the dependency dev.portcullis:portcullis-ldap to the application");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (k.equals("bindDN") || k.equals("bindPassword")) {
                throw new InvalidPolicyException("http.auth.ldap." + k + ": give the service account in a credentials file, as zot 2 does:"
                        + " \"credentialsFile\": \"ldap-credentials.json\" holding {\"bindDN\": \"…\", \"bindPassword\": \"…\"}");
            }
            if (!FIELDS.contains(k)) {
                reader.unknownField("http.auth.ldap", k, FIELDS);
            }
        }
        zot = node;
        directory().close(); // every value checked; no connection was made
    }

    /** {@code portcullis.ldap}. */
    void ours(JsonNode node) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            String path = "portcullis.ldap." + k;
            switch (k) {
                case "timeoutMillis" -> timeout = Duration.ofMillis(ConfigReader.positive(node, k, path));
                case "cacheSeconds" -> cacheTtl = Duration.ofSeconds(ConfigReader.integer(node, k, path));
                case "maxConnections" -> maxConnections = ConfigReader.positive(node, k, path);
                default -> reader.unknownField("portcullis.ldap", k, OUR_FIELDS);
            }
        }
    }

    boolean configured() {
        return zot != null;
    }

    /** A new directory from the settings read (each call its own: the caller closes it). */
    LdapDirectory directory() {
        JsonNode n = java.util.Objects.requireNonNull(zot, "configured()");
        String p = "http.auth.ldap";
        if (!n.has("address") || !n.has("baseDN")) {
            throw new InvalidPolicyException(p + " needs address (the directory's host) and baseDN (where the users are), e.g."
                    + " \"address\": \"ldap.example.org\", \"baseDN\": \"ou=Users,dc=example,dc=org\"");
        }
        boolean insecure = n.has("insecure") && ConfigReader.bool(n, "insecure", p + ".insecure");
        boolean startTls = n.has("startTLS") && ConfigReader.bool(n, "startTLS", p + ".startTLS");
        int port = n.has("port") ? ConfigReader.positive(n, "port", p + ".port") : insecure || startTls ? 389 : 636;
        String[] account = n.has("credentialsFile")
                ? serviceAccount(reader.path(ConfigReader.text(n, "credentialsFile", p + ".credentialsFile"), p + ".credentialsFile")) : null;
        try {
            LdapDirectory.Builder b = LdapDirectory.builder(ConfigReader.text(n, "address", p + ".address"), port)
                    .baseDn(ConfigReader.text(n, "baseDN", p + ".baseDN")).timeout(timeout).cacheTtl(cacheTtl).maxConnections(maxConnections);
            if (insecure) {
                b.insecure();
            } else if (startTls) {
                b.startTls();
            }
            if (n.has("skipVerify")) {
                b.skipVerify(ConfigReader.bool(n, "skipVerify", p + ".skipVerify"));
            }
            if (n.has("subtreeSearch")) {
                b.subtreeSearch(ConfigReader.bool(n, "subtreeSearch", p + ".subtreeSearch"));
            }
            if (n.has("userAttribute")) {
                b.userAttribute(ConfigReader.text(n, "userAttribute", p + ".userAttribute"));
            }
            if (n.has("userGroupAttribute")) {
                b.userGroupAttribute(ConfigReader.text(n, "userGroupAttribute", p + ".userGroupAttribute"));
            }
            if (n.has("userFilter")) {
                b.userFilter(ConfigReader.text(n, "userFilter", p + ".userFilter"));
            }
            if (n.has("cacert")) {
                b.caCertificate(reader.path(ConfigReader.text(n, "cacert", p + ".cacert"), p + ".cacert"));
            }
            if (account != null) {
                b.serviceAccount(account[0], account[1]);
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new InvalidPolicyException(p + ": " + e.getMessage());
        }
    }

    /** zot's LDAP credentials file: {@code {"bindDN": "…", "bindPassword": "…"}}, as the DN and the password. */
    private static String[] serviceAccount(Path file) {
        String where = "http.auth.ldap.credentialsFile " + file;
        try {
            JsonNode creds = ConfigReader.JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            if (creds == null || !creds.path("bindDN").isTextual() || !creds.path("bindPassword").isTextual()) {
                throw new InvalidPolicyException(where + ": expected {\"bindDN\": \"…\", \"bindPassword\": \"…\"}");
            }
            return new String[] {creds.get("bindDN").textValue(), creds.get("bindPassword").textValue()};
        } catch (java.nio.file.NoSuchFileException e) {
            throw new InvalidPolicyException(where + " does not exist; write {\"bindDN\": \"…\", \"bindPassword\": \"…\"} there");
        } catch (JsonProcessingException e) {
            // the text is left out: it could hold the password
            throw new InvalidPolicyException(where + ": not JSON (line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ")");
        } catch (IOException e) {
            throw new InvalidPolicyException(where + ": cannot read it: " + e.getMessage());
        }
    }
}
