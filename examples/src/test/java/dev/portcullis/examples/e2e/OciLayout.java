package dev.portcullis.examples.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * An OCI image layout on disk (<a href="https://github.com/opencontainers/image-spec/blob/main/image-layout.md">image-layout.md</a>),
 * made by hand for end-to-end tests: {@code oci-layout}, {@code index.json} and {@code blobs/sha256/<hex>} holding one
 * image, an {@code application/vnd.oci.image.manifest.v1+json} manifest with an
 * {@code application/vnd.oci.image.config.v1+json} config (linux/amd64, {@code rootfs.diff_ids} the sha256 of each
 * uncompressed tar) and {@code application/vnd.oci.image.layer.v1.tar+gzip} layers. Each layer is a POSIX ustar
 * archive of one regular file, {@code layer-<n>.bin}, of 1 to 4 KiB of random bytes.
 *
 * <p>Everything follows from the seed: the same arguments give the same bytes and digests (the gzip header of the JDK
 * has no timestamp nor file name), and different seeds give different layers, so different manifests. skopeo
 * reads it as {@link #reference()}, {@code oci:<dir>:<tag>}.
 *
 * <pre>{@code
 * OciLayout image = OciLayout.write(tmp.resolve("image"), "v1", 42, 2);
 * skopeo.copy(image.reference(), "docker://127.0.0.1:" + port + "/team/app:v1", ...);
 * }</pre>
 *
 * @param dir the layout's directory, absolute
 * @param tag the image's {@code org.opencontainers.image.ref.name} in {@code index.json}
 * @param manifestDigest {@code sha256:<hex>} of the manifest's bytes
 * @param configDigest {@code sha256:<hex>} of the config's bytes
 * @param layerDigests {@code sha256:<hex>} of each compressed layer, base layer first
 */
public record OciLayout(Path dir, String tag, String manifestDigest, String configDigest, List<String> layerDigests) {
    public static final String MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
    public static final String CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
    public static final String LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";

    /** The distribution spec's tag grammar, which is also what skopeo accepts after {@code oci:<dir>:}. */
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    private static final ObjectMapper JSON = new ObjectMapper();

    public OciLayout {
        layerDigests = List.copyOf(layerDigests);
    }

    /**
     * Writes an image with {@code layers} small random gzip'd tar layers (each one file with random content, seeded)
     * tagged {@code tag}; returns the layout. {@code dir} is created if need be and must not hold an
     * {@code index.json} yet: one image per layout.
     *
     * @throws IllegalArgumentException if {@code tag} is not a valid tag or {@code layers} is not positive
     */
    public static OciLayout write(Path dir, String tag, long seed, int layers) throws IOException {
        if (!TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("not a valid tag (" + TAG.pattern() + "): '" + tag + "'");
        }
        if (layers < 1) {
            throw new IllegalArgumentException("an image needs at least one layer, not " + layers);
        }
        dir = dir.toAbsolutePath();
        if (Files.exists(dir.resolve("index.json"))) {
            throw new IllegalArgumentException(dir + " already holds an OCI layout (index.json)");
        }
        Files.createDirectories(dir.resolve("blobs/sha256"));
        // SplittableRandom uses all 64 bits of the seed (java.util.Random only 48): different seeds, different bytes.
        SplittableRandom random = new SplittableRandom(seed);

        List<Map<String, Object>> layerDescriptors = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (int n = 0; n < layers; n++) {
            byte[] content = new byte[1024 + random.nextInt(3 * 1024 + 1)];
            random.nextBytes(content);
            byte[] tar = Tar.oneFile("layer-" + n + ".bin", content);
            diffIds.add(sha256(tar));
            layerDescriptors.add(writeBlob(dir, LAYER_MEDIA_TYPE, gzip(tar)));
        }

        Map<String, Object> rootfs = map("type", "layers", "diff_ids", diffIds);
        Map<String, Object> config = map("architecture", "amd64", "os", "linux",
                "config", map(), "rootfs", rootfs);
        Map<String, Object> configDescriptor = writeBlob(dir, CONFIG_MEDIA_TYPE, JSON.writeValueAsBytes(config));

        Map<String, Object> manifest = map("schemaVersion", 2, "mediaType", MANIFEST_MEDIA_TYPE,
                "config", configDescriptor, "layers", layerDescriptors);
        Map<String, Object> manifestDescriptor = writeBlob(dir, MANIFEST_MEDIA_TYPE, JSON.writeValueAsBytes(manifest));
        manifestDescriptor.put("annotations", map("org.opencontainers.image.ref.name", tag));

        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(map("schemaVersion", 2, "mediaType", INDEX_MEDIA_TYPE,
                "manifests", List.of(manifestDescriptor))));

        return new OciLayout(dir, tag, (String) manifestDescriptor.get("digest"), (String) configDescriptor.get("digest"),
                layerDescriptors.stream().map(d -> (String) d.get("digest")).toList());
    }

    /** skopeo's reference for it: {@code oci:<dir>:<tag>}. */
    public String reference() {
        return "oci:" + dir + ":" + tag;
    }

    /** The file of a blob of this layout, {@code blobs/sha256/<hex>}, for {@code "sha256:<hex>"}. */
    public Path blob(String digest) {
        if (!digest.startsWith("sha256:")) {
            throw new IllegalArgumentException("not a sha256 digest: " + digest);
        }
        return dir.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
    }

    /** The manifest's bytes, exactly as stored (its digest is {@link #manifestDigest()}). */
    public byte[] manifest() throws IOException {
        return Files.readAllBytes(blob(manifestDigest));
    }

    /** Stores {@code content} as a blob and returns its descriptor (mediaType, digest, size), which callers may extend. */
    private static Map<String, Object> writeBlob(Path dir, String mediaType, byte[] content) throws IOException {
        String digest = sha256(content);
        Files.write(dir.resolve("blobs/sha256").resolve(digest.substring("sha256:".length())), content);
        return map("mediaType", mediaType, "digest", digest, "size", content.length);
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not with a byte array
        }
        return out.toByteArray();
    }

    /** An insertion-ordered map of key, value pairs, so that the JSON has its fields in the order written. */
    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    /** A minimal POSIX ustar writer: one regular file, then the two zero blocks that end an archive. */
    static final class Tar {
        private static final int BLOCK = 512;
        /** A fixed modification time (2024-01-01T00:00:00Z), so that the same content gives the same archive. */
        private static final long MTIME = 1_704_067_200L;

        private Tar() {
        }

        static byte[] oneFile(String name, byte[] content) {
            byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
            if (nameBytes.length > 100) {
                throw new IllegalArgumentException("a ustar name has at most 100 bytes: " + name);
            }
            byte[] header = new byte[BLOCK];
            System.arraycopy(nameBytes, 0, header, 0, nameBytes.length);
            octal(header, 100, 8, 0644);           // mode
            octal(header, 108, 8, 0);              // uid
            octal(header, 116, 8, 0);              // gid
            octal(header, 124, 12, content.length); // size
            octal(header, 136, 12, MTIME);         // mtime
            header[156] = '0';                     // typeflag: regular file
            ascii(header, 257, "ustar\0");         // magic
            ascii(header, 263, "00");              // version
            ascii(header, 265, "root");            // uname
            ascii(header, 297, "root");            // gname
            // checksum: the sum of the header's unsigned bytes with the checksum field itself taken as 8 spaces
            ascii(header, 148, "        ");
            int sum = 0;
            for (byte b : header) {
                sum += b & 0xff;
            }
            octal(header, 148, 7, sum);            // six digits and a NUL; the eighth byte stays a space

            int padded = (content.length + BLOCK - 1) / BLOCK * BLOCK;
            byte[] tar = new byte[BLOCK + padded + 2 * BLOCK];
            System.arraycopy(header, 0, tar, 0, BLOCK);
            System.arraycopy(content, 0, tar, BLOCK, content.length);
            return tar;
        }

        /** {@code value} as zero-padded octal digits filling {@code length - 1} bytes, then a NUL. */
        private static void octal(byte[] header, int offset, int length, long value) {
            String digits = Long.toOctalString(value);
            if (digits.length() > length - 1) {
                throw new IllegalArgumentException(value + " does not fit a " + length + "-byte ustar field");
            }
            ascii(header, offset, "0".repeat(length - 1 - digits.length()) + digits + "\0");
        }

        private static void ascii(byte[] header, int offset, String s) {
            byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(bytes, 0, header, offset, bytes.length);
        }
    }
}
