package dev.portcullis.auth.routes;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.jspecify.annotations.Nullable;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * What a new {@code maven-metadata.xml} would take away from the present one: the judge of
 * {@code WriteCondition.Expect.ONLY_ADDS} for Maven repositories ({@link MavenRoutes}), which a store calls when it
 * commits a metadata write allowed by {@code create} alone, atomically with the write.
 *
 * <pre>{@code
 * Optional<String> loss = MavenMetadata.loss(storedBytes, uploadedBytes);   // under the store's lock for that file
 * if (loss.isPresent()) {
 *     return condition.refusal();                                            // 403, as a denied update
 * }
 * }</pre>
 *
 * Adding is: new versions, a newer snapshot build (a higher build number, and each file's newest build no older), new
 * plugins of a group. A change is: a version, a plugin or a file's build dropped, a plugin's artifact changed, the
 * groupId, artifactId or version changed, a snapshot build replaced by an older or the same one. Where no metadata is
 * stored yet, everything is an addition. {@code lastUpdated}, {@code latest} and {@code release} are free: Maven points
 * them at whatever it deployed last (an older line's fix, a snapshot of a maintenance branch), and a caller who may
 * deploy a new version can point them at it anyway.
 */
public final class MavenMetadata {
    /** The largest metadata read: 1 MiB (the metadata of an artifact with thousands of versions is well below). */
    public static final int MAX_BYTES = 1 << 20;

    private MavenMetadata() {
    }

    /** Not Maven metadata: not XML, too large, a document type declaration, or another root than {@code <metadata>}. */
    public static final class InvalidMetadataException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidMetadataException(String message) {
            super(message);
        }
    }

    /**
     * What {@code proposed} would drop or change of {@code present}, in words for a log or an error ("drops version
     * 1.0"), or empty when it only adds.
     *
     * @param present the metadata stored now, or null when there is none
     * @param proposed the metadata the write would store, as uploaded; at most {@link #MAX_BYTES}
     * @return what the write would drop or change, such as {@code "drops version 1.0"}; {@code Optional.empty()} when
     *     it only adds, or when nothing is stored yet
     * @throws InvalidMetadataException when either is not Maven metadata (the proposed one is then refused as a bad
     *     request; a stored one that is not is the store's to repair, and nothing but an update replaces it)
     */
    public static Optional<String> loss(byte @Nullable [] present, byte[] proposed) throws InvalidMetadataException {
        Parsed next = parse(proposed);
        if (present == null) {
            return Optional.empty();
        }
        Parsed now = parse(present);
        for (String field : List.of("groupId", "artifactId", "version")) {
            String was = now.fields.get(field);
            if (was != null && !was.equals(next.fields.get(field))) {
                return Optional.of("changes the " + field + " from '" + was + "' to '" + next.fields.get(field) + "'");
            }
        }
        for (String v : now.versions) {
            if (!next.versions.contains(v)) {
                return Optional.of("drops version " + v);
            }
        }
        if (now.buildNumber >= 0 && (next.buildNumber < now.buildNumber
                || next.buildNumber == now.buildNumber && !Objects.equals(now.timestamp, next.timestamp))) {
            return Optional.of("replaces snapshot build " + now.buildNumber + " with " + (next.buildNumber < 0 ? "none" : next.buildNumber));
        }
        for (Map.Entry<String, String> file : now.snapshotFiles.entrySet()) {
            String is = next.snapshotFiles.get(file.getKey());
            if (is == null || compareBuilds(is, file.getValue()) < 0) {
                return Optional.of("drops or rolls back the snapshot file " + file.getKey() + " (" + file.getValue() + ")");
            }
        }
        for (Map.Entry<String, String> plugin : now.plugins.entrySet()) {
            if (!plugin.getValue().equals(next.plugins.get(plugin.getKey()))) {
                return Optional.of("drops or changes the plugin prefix '" + plugin.getKey() + "'");
            }
        }
        return Optional.empty();
    }

    /** Orders two snapshot builds' versions ({@code 1.2-20261207.101500-3}) by timestamp, then build number. */
    private static int compareBuilds(String a, String b) {
        String[] x = a.split("-");
        String[] y = b.split("-");
        if (x.length < 2 || y.length < 2) {
            return a.compareTo(b);
        }
        int byTime = x[x.length - 2].compareTo(y[y.length - 2]);
        if (byTime != 0) {
            return byTime;
        }
        return Long.compare(number(x[x.length - 1]), number(y[y.length - 1]));
    }

    private static long number(@Nullable String s) {
        try {
            return s == null ? -1 : Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static final class Parsed {
        final Map<String, String> fields = new LinkedHashMap<>(); // groupId, artifactId, version
        final List<String> versions = new ArrayList<>();
        long buildNumber = -1;
        @Nullable String timestamp;
        final Map<String, String> snapshotFiles = new LinkedHashMap<>(); // "classifier:extension" -> value
        final Map<String, String> plugins = new LinkedHashMap<>(); // prefix -> artifactId
    }

    private static Parsed parse(byte[] xml) throws InvalidMetadataException {
        if (xml.length > MAX_BYTES) {
            throw new InvalidMetadataException("maven-metadata.xml is larger than " + MAX_BYTES + " bytes");
        }
        Element root;
        try {
            root = builder().parse(new ByteArrayInputStream(xml)).getDocumentElement();
        } catch (SAXException | IOException e) {
            throw new InvalidMetadataException("maven-metadata.xml is not well-formed XML without a DOCTYPE: " + e.getMessage());
        }
        if (!root.getTagName().equals("metadata")) {
            throw new InvalidMetadataException("maven-metadata.xml has the root <" + root.getTagName() + ">, not <metadata>");
        }
        Parsed p = new Parsed();
        for (String f : List.of("groupId", "artifactId", "version")) {
            text(child(root, f)).ifPresent(t -> p.fields.put(f, t));
        }
        Element versioning = child(root, "versioning");
        if (versioning != null) {
            for (Element v : children(child(versioning, "versions"), "version")) {
                text(v).ifPresent(p.versions::add);
            }
            Element snapshot = child(versioning, "snapshot");
            if (snapshot != null) {
                p.buildNumber = Math.max(0, number(text(child(snapshot, "buildNumber")).orElse("0")));
                p.timestamp = text(child(snapshot, "timestamp")).orElse(null);
            }
            for (Element sv : children(child(versioning, "snapshotVersions"), "snapshotVersion")) {
                String key = text(child(sv, "classifier")).orElse("") + ":" + text(child(sv, "extension")).orElse("");
                p.snapshotFiles.put(key, text(child(sv, "value")).orElse(""));
            }
        }
        for (Element plugin : children(child(root, "plugins"), "plugin")) {
            p.plugins.put(text(child(plugin, "prefix")).orElse(""), text(child(plugin, "artifactId")).orElse(""));
        }
        return p;
    }

    /** A parser that reads no DOCTYPE, so neither external entities nor entity expansion. */
    private static DocumentBuilder builder() throws InvalidMetadataException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(new org.xml.sax.helpers.DefaultHandler()); // fatal errors thrown, nothing printed
            return b;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser lacks a secure configuration", e);
        }
    }

    private static @Nullable Element child(@Nullable Element parent, String name) {
        List<Element> all = children(parent, name);
        return all.isEmpty() ? null : all.get(0);
    }

    private static List<Element> children(@Nullable Element parent, String name) {
        List<Element> out = new ArrayList<>();
        if (parent == null) {
            return out;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }

    private static Optional<String> text(@Nullable Element e) {
        return e == null ? Optional.empty() : Optional.of(e.getTextContent().strip()).filter(t -> !t.isEmpty());
    }
}
