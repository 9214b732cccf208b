package dev.portcullis.auth.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MavenMetadataTest {
    private static byte[] versions(String latest, String release, String... versions) {
        StringBuilder v = new StringBuilder();
        for (String s : versions) {
            v.append("<version>").append(s).append("</version>");
        }
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata><groupId>org.acme</groupId><artifactId>app</artifactId><versioning>"
                + "<latest>" + latest + "</latest><release>" + release + "</release><versions>" + v + "</versions>"
                + "<lastUpdated>20261207101500</lastUpdated></versioning></metadata>").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] snapshot(String timestamp, int build, String... files) {
        StringBuilder v = new StringBuilder();
        for (String f : files) {
            String[] parts = f.split("=");
            String[] key = parts[0].split(":");
            v.append("<snapshotVersion>").append(key[0].isEmpty() ? "" : "<classifier>" + key[0] + "</classifier>")
                    .append("<extension>").append(key[1]).append("</extension><value>").append(parts[1]).append("</value></snapshotVersion>");
        }
        return ("<metadata modelVersion=\"1.1.0\"><groupId>org.acme</groupId><artifactId>app</artifactId><version>1.2-SNAPSHOT</version>"
                + "<versioning><snapshot><timestamp>" + timestamp + "</timestamp><buildNumber>" + build + "</buildNumber></snapshot>"
                + "<lastUpdated>" + timestamp.replace(".", "") + "</lastUpdated><snapshotVersions>" + v + "</snapshotVersions></versioning></metadata>")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] plugins(String... prefixAndArtifact) {
        StringBuilder p = new StringBuilder();
        for (String s : prefixAndArtifact) {
            String[] x = s.split("=");
            p.append("<plugin><name>x</name><prefix>").append(x[0]).append("</prefix><artifactId>").append(x[1]).append("</artifactId></plugin>");
        }
        return ("<metadata><plugins>" + p + "</plugins></metadata>").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aNewVersionOnlyAddsWhereverMavenPointsLatestAndRelease() throws Exception {
        assertThat(MavenMetadata.loss(null, versions("1.0", "1.0", "1.0"))).isEmpty();
        assertThat(MavenMetadata.loss(versions("1.0", "1.0", "1.0"), versions("1.1", "1.1", "1.0", "1.1"))).isEmpty();
        assertThat(MavenMetadata.loss(versions("1.1", "1.1", "1.0", "1.1"), versions("1.0.1", "1.0.1", "1.0", "1.1", "1.0.1")))
                .as("a fix of an older line").isEmpty();
        assertThat(MavenMetadata.loss(versions("1.1", "1.1", "1.0", "1.1"), versions("1.1", "1.1", "1.1", "1.0"))).as("reordered").isEmpty();
    }

    @Test
    void droppingAVersionOrChangingTheCoordinatesIsAChange() throws Exception {
        assertThat(MavenMetadata.loss(versions("1.1", "1.1", "1.0", "1.1"), versions("1.1", "1.1", "1.1"))).hasValue("drops version 1.0");
        assertThat(MavenMetadata.loss(versions("1.1", "1.1", "1.0", "1.1"), "<metadata/>".getBytes(StandardCharsets.UTF_8)))
                .get().asString().startsWith("changes the groupId");
        byte[] other = new String(versions("1.1", "1.1", "1.0", "1.1"), StandardCharsets.UTF_8).replace(">app<", ">evil<")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(MavenMetadata.loss(versions("1.1", "1.1", "1.0", "1.1"), other)).hasValue("changes the artifactId from 'app' to 'evil'");
    }

    @Test
    void aNewerSnapshotBuildAddsAndAnOlderOrRewrittenOneChanges() throws Exception {
        byte[] one = snapshot("20261207.101500", 1, ":jar=1.2-20261207.101500-1", ":pom=1.2-20261207.101500-1");
        byte[] two = snapshot("20261207.111500", 2, ":jar=1.2-20261207.111500-2", ":pom=1.2-20261207.111500-2", "sources:jar=1.2-20261207.111500-2");
        assertThat(MavenMetadata.loss(one, two)).isEmpty();
        assertThat(MavenMetadata.loss(two, one)).get().asString().contains("replaces snapshot build 2 with 1");
        assertThat(MavenMetadata.loss(one, snapshot("20261207.121500", 1, ":jar=1.2-20261207.121500-1", ":pom=1.2-20261207.121500-1")))
                .as("the same build number again").isPresent();
        assertThat(MavenMetadata.loss(two, snapshot("20261207.121500", 3, ":jar=1.2-20261207.121500-3", ":pom=1.2-20261207.121500-3")))
                .get().asString().contains("sources:jar");
        assertThat(MavenMetadata.loss(two, snapshot("20261207.121500", 3, ":jar=1.2-20261207.101500-1", ":pom=1.2-20261207.121500-3",
                "sources:jar=1.2-20261207.121500-3"))).get().asString().contains(":jar");
    }

    @Test
    void pluginsOfAGroupAreKept() throws Exception {
        assertThat(MavenMetadata.loss(plugins("acme=acme-maven-plugin"), plugins("acme=acme-maven-plugin", "lint=lint-maven-plugin"))).isEmpty();
        assertThat(MavenMetadata.loss(plugins("acme=acme-maven-plugin"), plugins("lint=lint-maven-plugin"))).isPresent();
        assertThat(MavenMetadata.loss(plugins("acme=acme-maven-plugin"), plugins("acme=evil-maven-plugin"))).isPresent();
    }

    @Test
    void whatIsNotMavenMetadataIsRefusedNeverParsedForEntities() {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE metadata [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><metadata><groupId>&x;</groupId></metadata>";
        String bomb = "<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><metadata>&b;</metadata>";
        for (String bad : new String[] {xxe, bomb, "not xml", "", "<project/>", "<metadata>"}) {
            assertThatThrownBy(() -> MavenMetadata.loss(null, bad.getBytes(StandardCharsets.UTF_8)))
                    .as(bad).isInstanceOf(MavenMetadata.InvalidMetadataException.class);
        }
        assertThatThrownBy(() -> MavenMetadata.loss(null, new byte[MavenMetadata.MAX_BYTES + 1]))
                .isInstanceOf(MavenMetadata.InvalidMetadataException.class).hasMessageContaining("larger than");
    }
}
