package dev.portcullis.spring;

import static dev.portcullis.spring.TestApps.basic;
import static dev.portcullis.spring.TestApps.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.JdbcApiKeyStore;
import dev.portcullis.auth.routes.OciDistributionRoutes;
import dev.portcullis.auth.routes.RouteResolver;
import java.net.URISyntaxException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * API keys in the SQLite key store, on the libraries in the versions Spring Boot's dependency management gives a Boot
 * application (sqlite-jdbc, HikariCP, Jackson, Caffeine, SLF4J, Tomcat), not Portcullis's own. The configuration is a
 * file ({@code file:} URL), so its key store path, {@code keys.db}, is relative to the file's directory. A
 * {@link RouteResolver} bean puts zot's metrics rule on Actuator's Prometheus path (a stand-in controller answers it).
 */
class SqliteKeyStoreTest {
    @TempDir
    static Path dir;
    private static ConfigurableApplicationContext app;
    private static int port;

    @Configuration(proxyBeanMethods = false)
    @Import({RegistryApplication.class, KeyedRegistryApplication.MetricsController.class})
    static class KeyedRegistryApplication {
        @Bean
        RouteResolver metricsAtActuatorsPath() {
            return new OciDistributionRoutes("/actuator/prometheus");
        }

        @RestController
        static class MetricsController {
            @GetMapping("/actuator/prometheus")
            String metrics() {
                return "# a stand-in for Actuator's endpoint\n";
            }
        }
    }

    @BeforeAll
    static void start() throws Exception {
        Files.writeString(dir.resolve("config.json"), """
                {
                  "http": {
                    "realm": "keys",
                    "auth": { "apikey": true },
                    "accessControl": {
                      "repositories": {
                        "**": { "anonymousPolicy": ["read"], "policies": [{ "groups": ["artifact-workloads"], "actions": ["read", "create"] }] }
                      },
                      "metrics": { "users": ["prometheus"] }
                    }
                  },
                  "portcullis": { "keyStore": "keys.db" }
                }
                """);
        app = TestApps.start(KeyedRegistryApplication.class, Map.of("portcullis.config", dir.resolve("config.json").toUri().toString()));
        port = TestApps.port(app);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    /** A key created through the key store's API, as {@code portcullis-keys} would, in the file the application uses. */
    private static String createKey(String owner, String... groups) {
        try (JdbcApiKeyStore store = JdbcApiKeyStore.open(dir.resolve("keys.db").toString());
             ApiKeyService keys = ApiKeyService.builder(store).build()) {
            return keys.create(new ApiKeyService.KeyRequest(owner, List.of(groups), "spring boot test", List.of(), null, "test")).token();
        }
    }

    @Test
    void aKeyFromTheSqliteStoreAuthenticatesAPush() throws Exception {
        assertThat(dir.resolve("keys.db")).as("relative to the configuration file's directory").exists();
        String key = createKey("ci", "artifact-workloads");
        HttpResponse<String> basic = send(port, "PUT", "/v2/team/app/manifests/1.0", basic("ci", key));
        assertThat(basic.statusCode()).as(basic.body()).isEqualTo(201);
        assertThat(basic.body()).isEqualTo("principal=ci identity=ci auth=PORTCULLIS_API_KEY");
        HttpResponse<String> bearer = send(port, "PUT", "/v2/team/app/manifests/1.1", "Bearer " + key);
        assertThat(bearer.statusCode()).isEqualTo(201);
        assertThat(send(port, "PUT", "/v2/team/app/manifests/1.2", basic("ci", key + "x")).statusCode()).isEqualTo(401);
        assertThat(send(port, "PUT", "/v2/team/app/manifests/1.3").statusCode()).isEqualTo(401);
    }

    @Test
    void aRouteResolverBeanPutsTheMetricsRuleOnActuatorsPath() throws Exception {
        assertThat(send(port, "GET", "/actuator/prometheus").statusCode()).isEqualTo(401);
        assertThat(send(port, "GET", "/actuator/prometheus", "Bearer " + createKey("ci", "artifact-workloads")).statusCode())
                .as("not in metrics.users").isEqualTo(403);
        HttpResponse<String> prometheus = send(port, "GET", "/actuator/prometheus", "Bearer " + createKey("prometheus"));
        assertThat(prometheus.statusCode()).isEqualTo(200);
        assertThat(prometheus.body()).startsWith("# a stand-in");
    }

    @Test
    void theLibrariesAreInTheVersionsSpringBootManages() throws Exception {
        Map<String, String> boot = TestApps.bootManagedVersions();
        Map<String, Class<?>> libraries = new LinkedHashMap<>();
        libraries.put("sqlite-jdbc.version", org.sqlite.JDBC.class);
        libraries.put("hikaricp.version", com.zaxxer.hikari.HikariDataSource.class);
        libraries.put("jackson-bom.version", com.fasterxml.jackson.databind.ObjectMapper.class);
        libraries.put("caffeine.version", com.github.benmanes.caffeine.cache.Caffeine.class);
        libraries.put("slf4j.version", org.slf4j.Logger.class);
        libraries.put("tomcat.version", org.apache.catalina.connector.Connector.class);
        libraries.put("micrometer.version", io.micrometer.core.instrument.MeterRegistry.class);
        StringBuilder seen = new StringBuilder();
        libraries.forEach((property, type) -> {
            try {
                String running = TestApps.versionOf(type);
                seen.append(String.format("%-22s Boot %-10s running %s%n", property, boot.get(property), running));
                assertThat(running).as(property).isEqualTo(boot.get(property));
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(TestApps.versionOf(com.fasterxml.jackson.core.JsonFactory.class)).as("jackson-core beside jackson-databind")
                .isEqualTo(boot.get("jackson-bom.version"));
        System.out.print("Spring Boot " + TestApps.versionOf(org.springframework.boot.SpringApplication.class) + " manages:\n" + seen);
    }
}
