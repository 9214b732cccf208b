package dev.portcullis.spring;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.PortcullisConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ResourceUtils;

/**
 * {@code portcullis.config}, read as Spring Boot reads {@code logging.config}: {@code classpath:} and URLs through the
 * application's {@link ResourceLoader}, anything else as a file path. A file is read by {@link PortcullisConfig#load},
 * so relative paths inside it are relative to its directory, as in zot; the text of a resource without a directory of
 * its own (a class path entry, which may be in a jar) is parsed with the working directory as that base, the same for
 * an exploded class path as for a jar.
 */
final class ConfigLocation {
    static final String PROPERTY = "portcullis.config";

    private ConfigLocation() {
    }

    /**
     * The pipeline builder the configuration at {@code location} sets up (opening its key store, if any).
     *
     * @throws PortcullisConfigException naming the property, the location and what is wrong
     */
    static Portcullis.Builder builder(String location, ResourceLoader resources) {
        if (location.isBlank()) {
            throw new PortcullisConfigException(location, "no location given; set it to the zot config.json to use, such as"
                    + " file:/etc/registry/config.json or classpath:registry.json");
        }
        PortcullisConfig config;
        try {
            config = read(location.strip(), resources);
        } catch (PortcullisConfigException e) {
            throw e;
        } catch (RuntimeException e) {
            // PortcullisConfig's message names the file, the field and what to do
            throw new PortcullisConfigException(location, String.valueOf(e.getMessage()), e);
        }
        try {
            return config.builder();
        } catch (RuntimeException e) {
            // opening the key store or an identity provider's settings; the configuration names them
            throw new PortcullisConfigException(location, "cannot set up what the configuration asks for: " + e.getMessage(), e);
        }
    }

    private static PortcullisConfig read(String location, ResourceLoader resources) {
        if (location.startsWith(ResourceUtils.FILE_URL_PREFIX)) {
            Path file;
            try {
                file = resources.getResource(location).getFile().toPath();
            } catch (IOException e) {
                throw new PortcullisConfigException(location, "not a file: " + e.getMessage(), e);
            }
            return PortcullisConfig.load(file);
        }
        if (!ResourceUtils.isUrl(location)) {
            return PortcullisConfig.load(Path.of(location));
        }
        Resource resource = resources.getResource(location);
        String text;
        try (InputStream in = resource.getInputStream()) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PortcullisConfigException(location, "cannot read the configuration: " + e.getMessage(), e);
        }
        return PortcullisConfig.parse(text, Path.of("").toAbsolutePath());
    }
}
