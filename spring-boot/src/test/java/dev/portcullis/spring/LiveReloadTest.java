package dev.portcullis.spring;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.conformance.LiveReloadChecks;
import dev.portcullis.auth.conformance.Tags;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** zot's live reload in a Boot application whose {@code portcullis.config} is a file: the starter's instance watches it. */
class LiveReloadTest {
    @TempDir
    Path dir;

    @Test
    void theStartersInstanceSwitchesToTheNewPolicyAndFinishesARequestUnderWayByTheOld() throws Exception {
        Path config = LiveReloadChecks.writeConfig(dir, true);
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(SpringBootConformanceTest.EchoRegistry.class)
                .properties(Map.of("server.address", "127.0.0.1", "server.port", "0", "spring.main.banner-mode", "off",
                        "spring.autoconfigure.exclude", TestApps.WITHOUT_SPRING_SECURITY, "portcullis.config", config.toString()))
                .initializers(context -> context.getBeanFactory().registerSingleton("tags", new Tags()))
                .run()) {
            LiveReloadChecks.check(TestApps.port(app), dir, app.getBean(Portcullis.class));
        }
    }
}
