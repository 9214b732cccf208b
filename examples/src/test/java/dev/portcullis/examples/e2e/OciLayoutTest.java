package dev.portcullis.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hand-made OCI layouts are valid for a real client: skopeo reads them and copies them unchanged, no registry involved. */
@Tag("e2e")
class OciLayoutTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void skopeoReadsTheLayoutAndReportsTheManifestDigestWeComputed() throws Exception {
        OciLayout image = OciLayout.write(tmp.resolve("image"), "v1", 42, 3);
        Skopeo skopeo = new Skopeo(tmp.resolve("skopeo"));

        String raw = skopeo.inspect(image.reference(), "--raw").orFail().output();
        assertThat(raw).isEqualTo(new String(image.manifest(), StandardCharsets.UTF_8));
        assertThat(OciLayout.sha256(raw.getBytes(StandardCharsets.UTF_8))).isEqualTo(image.manifestDigest());

        JsonNode inspected = JSON.readTree(skopeo.inspect(image.reference()).orFail().output());
        assertThat(inspected.path("Digest").asText()).isEqualTo(image.manifestDigest());
        assertThat(texts(inspected.path("Layers"))).isEqualTo(image.layerDigests()).hasSize(3);
        assertThat(inspected.path("Architecture").asText()).isEqualTo("amd64");
        assertThat(inspected.path("Os").asText()).isEqualTo("linux");
    }

    @Test
    void skopeoCopiesTheLayoutToAnotherLayoutUnchanged() throws Exception {
        OciLayout image = OciLayout.write(tmp.resolve("a"), "v1", 7, 2);
        Skopeo skopeo = new Skopeo(tmp.resolve("skopeo"));
        String copy = "oci:" + tmp.resolve("b") + ":v1";

        skopeo.copy(image.reference(), copy).orFail();

        assertThat(JSON.readTree(skopeo.inspect(copy).orFail().output()).path("Digest").asText()).isEqualTo(image.manifestDigest());
        assertThat(skopeo.inspect(copy, "--raw").orFail().output()).isEqualTo(new String(image.manifest(), StandardCharsets.UTF_8));
        for (String digest : Stream.concat(image.layerDigests().stream(), Stream.of(image.configDigest())).toList()) {
            Path copied = tmp.resolve("b/blobs/sha256").resolve(digest.substring("sha256:".length()));
            assertThat(copied).as("blob %s in the copy", digest).hasSameBinaryContentAs(image.blob(digest));
        }
    }

    @Test
    void configDiffIdsAreTheUncompressedTarsAndEachTarHoldsOneRegularFile() throws Exception {
        OciLayout image = OciLayout.write(tmp.resolve("image"), "v1", 3, 2);
        JsonNode manifest = JSON.readTree(image.manifest());
        JsonNode config = JSON.readTree(image.blob(image.configDigest()).toFile());

        assertThat(manifest.path("mediaType").asText()).isEqualTo(OciLayout.MANIFEST_MEDIA_TYPE);
        assertThat(manifest.path("config").path("mediaType").asText()).isEqualTo(OciLayout.CONFIG_MEDIA_TYPE);
        assertThat(manifest.path("layers").findValuesAsText("mediaType")).containsOnly(OciLayout.LAYER_MEDIA_TYPE);
        List<String> diffIds = new ArrayList<>();
        for (String layer : image.layerDigests()) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(image.blob(layer)))) {
                diffIds.add(OciLayout.sha256(in.readAllBytes()));
            }
        }
        assertThat(texts(config.path("rootfs").path("diff_ids"))).isEqualTo(diffIds);

        // GNU tar, an independent reader, lists each layer as one regular file, and without a complaint
        for (int n = 0; n < 2; n++) {
            Process tar = new ProcessBuilder("tar", "-tvzf", image.blob(image.layerDigests().get(n)).toString())
                    .redirectErrorStream(true).start();
            String listing = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(tar.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(tar.exitValue()).as(listing).isZero();
            assertThat(listing.lines().toList()).singleElement().asString()
                    .startsWith("-rw-r--r-- root/root").endsWith(" layer-" + n + ".bin");
        }
    }

    @Test
    void theSameSeedGivesTheSameImageAndAnotherSeedAnotherManifest() throws IOException {
        OciLayout one = OciLayout.write(tmp.resolve("one"), "v1", 1, 2);
        OciLayout again = OciLayout.write(tmp.resolve("again"), "v1", 1, 2);
        OciLayout two = OciLayout.write(tmp.resolve("two"), "v1", 2, 2);
        // java.util.Random would see these two as one seed (it keeps 48 bits)
        OciLayout zero = OciLayout.write(tmp.resolve("zero"), "v1", 0, 1);
        OciLayout high = OciLayout.write(tmp.resolve("high"), "v1", 1L << 48, 1);

        assertThat(again.manifestDigest()).isEqualTo(one.manifestDigest());
        assertThat(two.manifestDigest()).isNotEqualTo(one.manifestDigest());
        assertThat(two.layerDigests()).doesNotContainAnyElementsOf(one.layerDigests());
        assertThat(high.manifestDigest()).isNotEqualTo(zero.manifestDigest());
        assertThat(one.reference()).isEqualTo("oci:" + tmp.resolve("one").toAbsolutePath() + ":v1");
    }

    @Test
    void refusesWhatWouldNotBeAValidImage() {
        assertThatThrownBy(() -> OciLayout.write(tmp.resolve("x"), "no:colons", 1, 1)).hasMessageContaining("not a valid tag");
        assertThatThrownBy(() -> OciLayout.write(tmp.resolve("x"), "v1", 1, 0)).hasMessageContaining("at least one layer");
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
